package fakeprovider

// JWT client authentication (RFC 7523 §2.2, OpenID Connect Core §9), the JWT-bearer
// grant (RFC 7523 §2.1) and a GitHub Actions ID token endpoint, for the oidc routes.
//
// A client assertion is verified for real, with go-jose (not tokctl's code): the
// signature against the client's registered key (private_key_jwt) or secret
// (client_secret_jwt), a kid that names another key refused, iss = sub = the client,
// aud = the token endpoint (or the issuer, as Keycloak also accepts), exp in the
// future and at most 5 minutes ahead (Auth0's limit), and a jti never seen before (a
// replay is invalid_client). The federated client takes, instead, an ID token the
// fake's GitHub endpoint issued, checked against the fake's own key.

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	// clientAssertionType is RFC 7523 §2.2's client_assertion_type.
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// JWTBearerGrantType is RFC 7523 §2.1's grant_type.
	JWTBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	// maxAssertionLifetime is how far ahead an assertion's exp may be.
	maxAssertionLifetime = 5 * time.Minute

	// GitHubRequestToken is the bearer token the fake's GitHub Actions ID token endpoint
	// wants: what a job finds in ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	GitHubRequestToken = "fake-actions-request-token-5f0c2a9e1d"
	// FederatedAudience is the audience OIDCFederatedClientID trusts (Entra ID's
	// default for workload identity federation is api://AzureADTokenExchange).
	FederatedAudience = "api://tokctl-fake-federation"
	// FederatedSubject is the sub of every CI token the fake issues, and the only one
	// OIDCFederatedClientID trusts.
	FederatedSubject = "repo:tokctl/tokctl:ref:refs/heads/main"
	// ciTokenLifetime is a CI token's lifetime, as GitHub's.
	ciTokenLifetime = 5 * time.Minute
)

// GitHubIssuer is the iss of the CI tokens the fake issues (GitHub's is
// https://token.actions.githubusercontent.com).
func (s *Server) GitHubIssuer() string { return s.url + "/github" }

// GitHubRequestURL is what a job finds in ACTIONS_ID_TOKEN_REQUEST_URL: already with a
// query, so that a client must append &audience=… rather than replace it.
func (s *Server) GitHubRequestURL() string { return s.url + "/github/idtoken?api-version=2.0" }

// ExpireCITokens makes the next n CI tokens the GitHub endpoint issues already expired.
func (s *Server) ExpireCITokens(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.ciExpired += n
}

// IssueCIToken signs a CI token for aud that expires after ttl (negative: already
// expired), as GitLab's id_tokens or a Kubernetes projected service-account token
// would be handed to a job.
func (s *Server) IssueCIToken(aud string, ttl time.Duration) (string, error) {
	now := s.now()
	return signKID(s.key, s.KeyID(), ciClaims{Iss: s.GitHubIssuer(), Sub: FederatedSubject, Aud: aud,
		Repository: "tokctl/tokctl", Jti: newUUID(), Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(ttl).Unix()})
}

type ciClaims struct {
	Iss        string `json:"iss"`
	Sub        string `json:"sub"`
	Aud        string `json:"aud"`
	Repository string `json:"repository"`
	Jti        string `json:"jti"`
	Iat        int64  `json:"iat"`
	Nbf        int64  `json:"nbf"`
	Exp        int64  `json:"exp"`
}

// githubIDToken serves GET /github/idtoken?api-version=2.0&audience=AUD with
// "Authorization: Bearer <request token>", answering {"value": "<JWT>"} as the Actions
// runtime does.
func (s *Server) githubIDToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "use GET"})
		return
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || tok != GitHubRequestToken {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "bad request token"})
		return
	}
	q := r.URL.Query()
	if q.Get("api-version") != "2.0" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "api-version missing: append &audience= to the URL, keep its query"})
		return
	}
	aud := q.Get("audience")
	if aud == "" {
		aud = "https://github.com/tokctl" // GitHub's default: the repository owner's URL
	}
	ttl := ciTokenLifetime
	s.mu.Lock()
	if s.st.ciExpired > 0 {
		s.st.ciExpired--
		ttl = -time.Minute
	}
	s.mu.Unlock()
	token, err := s.IssueCIToken(aud, ttl)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "signing failed"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": 1, "value": token})
}

// clientKeys are the demo clients' public keys (private_key_jwt), parsed once.
var clientKeys = sync.OnceValue(func() map[string]crypto.PublicKey {
	out := map[string]crypto.PublicKey{}
	for _, c := range demoClients() {
		if c.PrivateKeyPEM == "" {
			continue
		}
		block, _ := pem.Decode([]byte(c.PrivateKeyPEM))
		var (
			key any
			err error
		)
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		}
		if err != nil {
			panic(fmt.Sprintf("fakeprovider: demo key of %s: %v", c.ID, err))
		}
		out[c.ID] = key.(crypto.Signer).Public()
	}
	return out
})

// ClientKeyID is the kid of a private_key_jwt demo client's registered key: its RFC 7638
// thumbprint, computed by go-jose.
func ClientKeyID(clientID string) string {
	sum, err := (&jose.JSONWebKey{Key: clientKeys()[clientID]}).Thumbprint(crypto.SHA256)
	if err != nil {
		return ""
	}
	return b64(sum)
}

// algorithmsFor lists what a client's assertions may be signed with.
func algorithmsFor(c Client) []jose.SignatureAlgorithm {
	if c.AuthMethod == AuthMethodSecretJWT {
		return []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512}
	}
	switch c.ID {
	case OIDCKeyRSAClientID:
		return []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512}
	case OIDCKeyP256ClientID:
		return []jose.SignatureAlgorithm{jose.ES256}
	case OIDCKeyP384ClientID:
		return []jose.SignatureAlgorithm{jose.ES384}
	case OIDCKeyEd25519ClientID:
		return []jose.SignatureAlgorithm{jose.EdDSA}
	}
	return []jose.SignatureAlgorithm{jose.RS256}
}

// assertionClaims are what the fake reads of an assertion.
type assertionClaims struct {
	Iss   string          `json:"iss"`
	Sub   string          `json:"sub"`
	Aud   json.RawMessage `json:"aud"`
	Jti   string          `json:"jti"`
	Exp   *float64        `json:"exp"`
	Nbf   *float64        `json:"nbf"`
	Iat   *float64        `json:"iat"`
	Scope string          `json:"scope"`
}

func (a assertionClaims) audience() []string {
	var one string
	if json.Unmarshal(a.Aud, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(a.Aud, &many)
	return many
}

func invalidClient(format string, args ...any) *rfcFailure {
	return &rfcFailure{status: http.StatusUnauthorized, code: "invalid_client", desc: "client assertion: " + fmt.Sprintf(format, args...)}
}

// assertionClient authenticates a request that carries client_assertion.
func (s *Server) assertionClient(r *http.Request, f fields) (Client, *rfcFailure) {
	if len(r.Header.Values("Authorization")) > 0 || f.has("client_secret") {
		return Client{}, badRequest("use one client authentication method: a client assertion, not a secret as well")
	}
	if f["client_assertion_type"] != clientAssertionType {
		return Client{}, badRequest("client_assertion_type must be " + clientAssertionType)
	}
	raw := f["client_assertion"]
	if raw == "" {
		return Client{}, badRequest("client_assertion is missing")
	}
	s.remember(raw)
	id := f["client_id"]
	delete(f, "client_id")
	delete(f, "client_assertion")
	delete(f, "client_assertion_type")
	if id == "" {
		id = unverifiedSubject(raw)
	}
	c, known := findClient("oidc", id)
	if !known {
		return Client{}, invalidClient("unknown client")
	}
	switch c.AuthMethod {
	case AuthMethodPrivateKeyJWT, AuthMethodSecretJWT:
		claims, fail := s.verifyAssertion(raw, c)
		if fail != nil {
			return Client{}, fail
		}
		if claims.Iss != c.ID || claims.Sub != c.ID {
			return Client{}, invalidClient("iss and sub must both be the client id")
		}
		if fail := s.spendJTI(claims.Jti); fail != nil {
			return Client{}, fail
		}
	case AuthMethodFederated:
		if fail := s.verifyCIToken(raw); fail != nil {
			return Client{}, fail
		}
	default:
		return Client{}, badRequest("client " + id + " must authenticate with " + c.AuthMethod)
	}
	return c, nil
}

// verifyAssertion checks an assertion tokctl signed for c: signature, kid, aud, exp.
func (s *Server) verifyAssertion(raw string, c Client) (assertionClaims, *rfcFailure) {
	var claims assertionClaims
	jws, err := jose.ParseSigned(raw, algorithmsFor(c))
	if err != nil || len(jws.Signatures) != 1 {
		return claims, invalidClient("not a JWS signed with an algorithm the client is registered for")
	}
	var key any = []byte(c.Secret)
	if c.AuthMethod == AuthMethodPrivateKeyJWT {
		key = clientKeys()[c.ID]
		if kid := jws.Signatures[0].Header.KeyID; kid != "" && kid != ClientKeyID(c.ID) {
			return claims, invalidClient("unknown kid %q", kid)
		}
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return claims, invalidClient("signature verification failed")
	}
	if json.Unmarshal(payload, &claims) != nil {
		return claims, invalidClient("claims are not a JSON object")
	}
	token := s.OIDCIssuer() + "/token"
	aud := claims.audience()
	if !contains(aud, token) && !contains(aud, s.OIDCIssuer()) {
		return claims, invalidClient("aud must be the token endpoint %s", token)
	}
	now := s.now()
	switch {
	case claims.Exp == nil:
		return claims, invalidClient("no exp")
	case float64(now.Unix()) >= *claims.Exp:
		return claims, invalidClient("expired")
	case *claims.Exp > float64(now.Add(maxAssertionLifetime).Unix()):
		return claims, invalidClient("exp is more than 5 minutes ahead")
	case claims.Nbf != nil && *claims.Nbf > float64(now.Add(time.Minute).Unix()):
		return claims, invalidClient("not valid yet (nbf)")
	case claims.Jti == "":
		return claims, invalidClient("no jti")
	}
	return claims, nil
}

// Assertions lists every client assertion and JWT-bearer grant assertion the fake
// received, good or bad, so that tests can look for them where they must not be.
func (s *Server) Assertions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.st.assertions...)
}

func (s *Server) remember(assertion string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.assertions = append(s.st.assertions, assertion)
}

// spendJTI refuses a jti seen before.
func (s *Server) spendJTI(jti string) *rfcFailure {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.jtis[jti] {
		return invalidClient("jti %q was already used (replay)", jti)
	}
	s.st.jtis[jti] = true
	return nil
}

// verifyCIToken checks a CI token the fake's GitHub endpoint issued, as a federated
// credential does: issuer, signature, audience, subject, expiry.
func (s *Server) verifyCIToken(raw string) *rfcFailure {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return invalidClient("not a JWS")
	}
	payload, err := jws.Verify(&s.key.PublicKey)
	if err != nil {
		return invalidClient("signature verification failed: not a token of %s", s.GitHubIssuer())
	}
	var claims assertionClaims
	if json.Unmarshal(payload, &claims) != nil {
		return invalidClient("claims are not a JSON object")
	}
	switch {
	case claims.Iss != s.GitHubIssuer():
		return invalidClient("issuer %q is not trusted", claims.Iss)
	case !contains(claims.audience(), FederatedAudience):
		return invalidClient("aud must be %s", FederatedAudience)
	case claims.Sub != FederatedSubject:
		return invalidClient("subject %q is not trusted", claims.Sub)
	case claims.Exp == nil || float64(s.now().Unix()) >= *claims.Exp:
		return invalidClient("the CI token has expired")
	}
	return nil
}

// jwtBearer serves the JWT-bearer grant (RFC 7523 §2.1): the assertion, signed by a
// private_key_jwt client's key, is the grant; the client may authenticate as well.
func (s *Server) jwtBearer(w http.ResponseWriter, r *http.Request, f fields) {
	id := f["client_id"]
	if len(r.Header.Values("Authorization")) > 0 || f.has("client_secret") || f.has("client_assertion") {
		c, fail := s.oidcClient(r, f)
		if fail != nil {
			fail.write(w)
			return
		}
		id = c.ID
	}
	delete(f, "client_id")
	if err := f.only([]string{"grant_type", "assertion"}, []string{"scope"}); err != nil {
		badRequest(err.Error()).write(w)
		return
	}
	raw := f["assertion"]
	s.remember(raw)
	iss := unverifiedIssuer(raw)
	if id != "" && iss != id {
		writeRFCError(w, http.StatusBadRequest, "invalid_grant", "the assertion's iss is not the client", false)
		return
	}
	c, known := findClient("oidc", iss)
	if !known || c.AuthMethod != AuthMethodPrivateKeyJWT {
		writeRFCError(w, http.StatusBadRequest, "invalid_grant", "the assertion's issuer has no registered key", false)
		return
	}
	claims, fail := s.verifyAssertion(raw, c)
	if fail == nil {
		fail = s.spendJTI(claims.Jti)
	}
	if fail == nil && claims.Sub == "" {
		fail = invalidClient("no sub")
	}
	if fail != nil {
		// RFC 7523 §3.1: a bad grant assertion is invalid_grant.
		writeRFCError(w, http.StatusBadRequest, "invalid_grant", strings.TrimPrefix(fail.desc, "client assertion: "), false)
		return
	}
	scopes, ok := oauth2Scopes(f["scope"])
	if !ok {
		writeRFCError(w, http.StatusBadRequest, "invalid_scope", "scope must be space-separated scope tokens", false)
		return
	}
	s.oidcIssue(w, c, issuance{grant: s.newGrant("oidc", c.ID, scopes, oidcLifetime), sub: claims.Sub})
}

func unverifiedClaims(raw string) assertionClaims {
	var c assertionClaims
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return c
	}
	if b, err := decodeB64(parts[1]); err == nil {
		_ = json.Unmarshal(b, &c)
	}
	return c
}

func unverifiedSubject(raw string) string { return unverifiedClaims(raw).Sub }
func unverifiedIssuer(raw string) string  { return unverifiedClaims(raw).Iss }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var errNotB64 = errors.New("not base64url")

func decodeB64(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errNotB64
	}
	return b, nil
}
