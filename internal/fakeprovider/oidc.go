package fakeprovider

// A small, strict OpenID Connect provider for black-box tests of tokctl's OIDC support.
//
// The issuer is URL()+"/oidc". Its discovery document names the authorize, token, device
// authorization, JWKS and revocation endpoints below it. Two more documents exist for the
// discovery failure paths: an RFC 8414 document at URL()+"/oauth-as" (the same endpoints,
// no openid-configuration there) and one at URL()+"/oidc-wrong" whose issuer is another host.
// Every JWT these routes sign is RS256 under the server key, with the kid the JWKS publishes.

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	// OIDCSubject is the sub of the one end user who approves every authorization and device request.
	OIDCSubject = "fake-user-0001"
	// WrongIssuer is the issuer the /oidc-wrong discovery document claims.
	WrongIssuer = "https://evil.example.com/oidc"

	oidcLifetime = time.Hour
	// deviceGrantType is RFC 8628's grant_type for device-code polling.
	deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"
)

// OIDCIssuer is the issuer of the OpenID Connect routes, URL()+"/oidc".
func (s *Server) OIDCIssuer() string { return s.url + "/oidc" }

// KeyID is the kid of the server's signing key in the /oidc/jwks set and in every header
// of a JWT the oidc routes sign: its RFC 7638 thumbprint.
func (s *Server) KeyID() string { return thumbprint(&s.key.PublicKey) }

func (s *Server) oidcRoutes() []route {
	iss := s.OIDCIssuer()
	return []route{
		{"oidc.discovery", "/oidc/.well-known/openid-configuration", s.discovery(iss)},
		{"oidc-wrong.discovery", "/oidc-wrong/.well-known/openid-configuration", s.discovery(WrongIssuer)},
		{"oauth-as.discovery", "/oauth-as/.well-known/oauth-authorization-server", s.discovery(s.url + "/oauth-as")},
		// RFC 8414 §3.1 puts the well-known segment before the issuer's path; clients that
		// follow it ask here, clients that append it as OIDC Discovery does ask above.
		{"oauth-as.discovery", "/.well-known/oauth-authorization-server/oauth-as", s.discovery(s.url + "/oauth-as")},
		{"oidc.jwks", "/oidc/jwks", s.jwks},
		{"oidc.authorize", "/oidc/authorize", s.oidcAuthorize},
		{"oidc.token", "/oidc/token", s.oidcToken},
		{"oidc.device", "/oidc/device", s.deviceAuthorization},
		{"oidc.device.verify", "/oidc/device/verify", s.deviceVerify},
		{"oidc.revoke", "/oidc/revoke", s.revoke},
	}
}

// discoveryDoc is an OpenID Connect Discovery 1.0 / RFC 8414 metadata document.
type discoveryDoc struct {
	Issuer                      string   `json:"issuer"`
	AuthorizationEndpoint       string   `json:"authorization_endpoint"`
	TokenEndpoint               string   `json:"token_endpoint"`
	DeviceAuthorizationEndpoint string   `json:"device_authorization_endpoint"`
	JWKSURI                     string   `json:"jwks_uri"`
	RevocationEndpoint          string   `json:"revocation_endpoint"`
	ResponseTypes               []string `json:"response_types_supported"`
	GrantTypes                  []string `json:"grant_types_supported"`
	SubjectTypes                []string `json:"subject_types_supported"`
	CodeChallengeMethods        []string `json:"code_challenge_methods_supported"`
	TokenAuthMethods            []string `json:"token_endpoint_auth_methods_supported"`
	RevocationAuthMethods       []string `json:"revocation_endpoint_auth_methods_supported"`
	IDTokenSigningAlgs          []string `json:"id_token_signing_alg_values_supported"`
	Scopes                      []string `json:"scopes_supported"`
	// IssParameter: authorization responses carry iss (RFC 9207).
	IssParameter bool `json:"authorization_response_iss_parameter_supported,omitempty"`
}

// discovery serves a metadata document claiming issuer; the endpoints are always the /oidc ones.
func (s *Server) discovery(issuer string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if fail := emptyGET(r); fail != nil {
			fail.write(w)
			return
		}
		base := s.OIDCIssuer()
		auth := []string{AuthMethodBasic, AuthMethodPost, AuthMethodNone, AuthMethodPrivateKeyJWT, AuthMethodSecretJWT}
		writeJSON(w, http.StatusOK, discoveryDoc{
			Issuer:                      issuer,
			AuthorizationEndpoint:       base + "/authorize",
			TokenEndpoint:               base + "/token",
			DeviceAuthorizationEndpoint: base + "/device",
			JWKSURI:                     base + "/jwks",
			RevocationEndpoint:          base + "/revoke",
			ResponseTypes:               []string{"code"},
			GrantTypes:                  []string{"authorization_code", "refresh_token", "client_credentials", deviceGrantType, JWTBearerGrantType},
			SubjectTypes:                []string{"public"},
			CodeChallengeMethods:        []string{"S256"},
			TokenAuthMethods:            auth,
			RevocationAuthMethods:       auth,
			IDTokenSigningAlgs:          []string{"RS256"},
			Scopes:                      []string{"openid", "profile", "email", "offline_access"},
			IssParameter:                issuer == s.OIDCIssuer() && !s.oidcHostility().NoIssParameter,
		})
	}
}

// jwks serves the public signing key. The encryption key is not published: it belongs to
// the resource server that reads JWE access tokens, not to clients.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	if fail := emptyGET(r); fail != nil {
		fail.write(w)
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &s.key.PublicKey, KeyID: s.KeyID(), Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// emptyGET accepts a GET with neither query parameters nor a body.
func emptyGET(r *http.Request) *rfcFailure {
	f, err := readQuery(r)
	if err == nil && len(f) > 0 {
		err = errors.New("query parameters are not allowed")
	}
	if err != nil {
		return badRequest(err.Error())
	}
	return nil
}

// oidcAuthorize serves GET /oidc/authorize: it auto-approves like the other authorize
// routes, remembers the nonce, and requires PKCE S256 from public clients.
func (s *Server) oidcAuthorize(w http.ResponseWriter, r *http.Request) {
	q, err := readQuery(r)
	if err == nil {
		err = checkRedirectURI(q["redirect_uri"])
	}
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
		return
	}
	out := url.Values{}
	if q.has("state") {
		out.Set("state", q["state"])
	}
	if iss, ok := s.oidcHostility().callbackIss(s.OIDCIssuer()); ok {
		out.Set("iss", iss) // RFC 9207, on success and error alike
	}
	code, errCode, desc := s.oidcAuthorizeCode(q)
	if errCode != "" {
		out.Set("error", errCode)
		out.Set("error_description", desc)
	} else {
		out.Set("code", code)
	}
	redirect(w, q["redirect_uri"], out)
}

func (s *Server) oidcAuthorizeCode(q fields) (code, errCode, desc string) {
	c, ok := findClient("oidc", q["client_id"])
	if !ok {
		return "", "unauthorized_client", "unknown client_id"
	}
	if q["response_type"] != "code" {
		return "", "unsupported_response_type", "response_type must be code"
	}
	if err := q.only([]string{"response_type", "client_id", "redirect_uri", "state"},
		[]string{"scope", "nonce", "code_challenge", "code_challenge_method", "prompt"}); err != nil {
		return "", "invalid_request", err.Error()
	}
	scopes, ok := oauth2Scopes(q["scope"])
	if !ok {
		return "", "invalid_scope", "scope must be space-separated scope tokens"
	}
	if err := checkChallenge(q); err != nil {
		return "", "invalid_request", err.Error()
	}
	if err := checkPrompt(q); err != nil {
		return "", "invalid_request", err.Error()
	}
	if c.Secret == "" && !q.has("code_challenge") {
		return "", "invalid_request", "a public client must send a PKCE code_challenge (S256)"
	}
	return s.issueCode(authCode{
		provider: "oidc", clientID: c.ID, redirectURI: q["redirect_uri"], scopes: scopes,
		challenge: q["code_challenge"], nonce: q["nonce"], authTime: s.now(),
	}), "", ""
}

// checkPrompt holds prompt to OpenID Connect Core §3.1.2.1: space-separated
// none, login, consent and select_account, none alone.
func checkPrompt(q fields) error {
	if !q.has("prompt") {
		return nil
	}
	values := strings.Split(q["prompt"], " ")
	for _, v := range values {
		switch v {
		case "login", "consent", "select_account":
		case "none":
			if len(values) > 1 {
				return errors.New("prompt none must be alone")
			}
		default:
			return fmt.Errorf("prompt %q is not none, login, consent or select_account", v)
		}
	}
	return nil
}

// oidcKeys are the keys only some oidc clients need, made on first use so that servers
// started with Options.Key still skip RSA key generation.
type oidcKeys struct {
	otherOnce, encOnce sync.Once
	other, enc         *rsa.PrivateKey
	otherErr, encErr   error
}

// otherKey signs oidc-badsig's ID tokens: a valid RSA key that is not the published one.
func (s *Server) otherKey() (*rsa.PrivateKey, error) {
	s.keys.otherOnce.Do(func() { s.keys.other, s.keys.otherErr = rsa.GenerateKey(rand.Reader, 2048) })
	return s.keys.other, s.keys.otherErr
}

// EncryptionKey is the private key that decrypts oidc-jwe's access tokens; it is made on
// first use and is not in the JWKS.
func (s *Server) EncryptionKey() *rsa.PrivateKey {
	key, _ := s.encryptionKey() // a 2048-bit key from crypto/rand does not fail
	return key
}

func (s *Server) encryptionKey() (*rsa.PrivateKey, error) {
	s.keys.encOnce.Do(func() { s.keys.enc, s.keys.encErr = rsa.GenerateKey(rand.Reader, 2048) })
	return s.keys.enc, s.keys.encErr
}

// signKID makes a compact RS256 JWS whose header names kid, whatever key signs it.
func signKID(key *rsa.PrivateKey, kid string, claims any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// thumbprint is a key's RFC 7638 SHA-256 thumbprint, base64url: a stable kid.
func thumbprint(pub *rsa.PublicKey) string {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		panic(fmt.Sprintf("fakeprovider: thumbprint of an RSA key: %v", err)) // cannot happen for RSA keys
	}
	return b64(sum)
}

// hasScope reports whether scopes holds want.
func hasScope(scopes []string, want string) bool { return slices.Contains(scopes, want) }
