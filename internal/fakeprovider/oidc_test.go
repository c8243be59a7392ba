package fakeprovider

import (
	"cmp"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// testKey is shared by the oidc tests' servers, so that each skips key generation.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

const oidcRedirect = "http://127.0.0.1:53682/callback"

func startOIDC(t *testing.T, now func() time.Time) *Server {
	t.Helper()
	return StartTest(t, Options{Key: testKey(), Now: now})
}

// post sends a form to an oidc endpoint; header is optional key, value pairs.
func post(t *testing.T, s *Server, path string, header []string, kv ...string) reply {
	t.Helper()
	return do(t, s, req{method: http.MethodPost, path: path, contentType: formType, body: form(kv...), header: header})
}

// asClient posts a form with the client's authentication: Basic for OIDCClientID,
// client_id in the body for public clients.
func asClient(t *testing.T, s *Server, clientID, path string, kv ...string) reply {
	t.Helper()
	if clientID == OIDCClientID {
		return post(t, s, path, []string{"Authorization", basic(OIDCClientID, OIDCClientSecret)}, kv...)
	}
	return post(t, s, path, nil, append([]string{"client_id", clientID}, kv...)...)
}

// oidcLogin runs the code flow for clientID with a nonce and PKCE and returns the token reply.
func oidcLogin(t *testing.T, s *Server, clientID, scope, nonce string) reply {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {oidcRedirect},
		"state": {"st"}, "scope": {scope}, "nonce": {nonce}, "code_challenge": {challenge()}, "code_challenge_method": {"S256"}}
	code := authorizeCode(t, s, "/oidc/authorize", q)
	r := asClient(t, s, clientID, "/oidc/token", "grant_type", "authorization_code", "code", code,
		"redirect_uri", oidcRedirect, "code_verifier", verifier)
	wantStatus(t, r, http.StatusOK)
	wantTokenHeaders(t, r)
	return r
}

// verifyWithJWKS checks a JWS against the server's published JWKS, picking the key by kid,
// as a relying party does, and returns its header and claims.
func verifyWithJWKS(t *testing.T, s *Server, token string) (jose.Header, map[string]any, error) {
	t.Helper()
	r := do(t, s, req{method: http.MethodGet, path: "/oidc/jwks"})
	wantStatus(t, r, http.StatusOK)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(r.raw), &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("not an RS256 JWS: %v", err)
	}
	h := jws.Signatures[0].Header
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q names %d keys in the JWKS", h.KeyID, len(keys))
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return h, nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return h, claims, nil
}

func TestOIDCDiscovery(t *testing.T) {
	s := startOIDC(t, nil)
	iss := s.URL() + "/oidc"
	tests := []struct {
		name, method, path, route string
		status                    int
		issuer                    string
	}{
		{name: "openid-configuration", path: "/oidc/.well-known/openid-configuration", route: "oidc.discovery", status: 200, issuer: iss},
		{name: "wrong issuer", path: "/oidc-wrong/.well-known/openid-configuration", route: "oidc-wrong.discovery", status: 200, issuer: WrongIssuer},
		{name: "RFC 8414 appended", path: "/oauth-as/.well-known/oauth-authorization-server", route: "oauth-as.discovery", status: 200, issuer: s.URL() + "/oauth-as"},
		{name: "RFC 8414 §3.1 inserted", path: "/.well-known/oauth-authorization-server/oauth-as", route: "oauth-as.discovery", status: 200, issuer: s.URL() + "/oauth-as"},
		{name: "no openid-configuration for oauth-as", path: "/oauth-as/.well-known/openid-configuration", status: 404},
		{name: "no RFC 8414 document for oidc", path: "/oidc/.well-known/oauth-authorization-server", status: 404},
		{name: "POST", method: http.MethodPost, path: "/oidc/.well-known/openid-configuration", route: "oidc.discovery", status: 400},
		{name: "query", path: "/oidc/.well-known/openid-configuration?x=1", route: "oidc.discovery", status: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Count(tc.route)
			r := do(t, s, req{method: cmp.Or(tc.method, http.MethodGet), path: tc.path})
			wantStatus(t, r, tc.status)
			if tc.route != "" && s.Count(tc.route) != before+1 {
				t.Errorf("Count(%q) did not increase", tc.route)
			}
			if tc.status != 200 {
				return
			}
			var got discoveryDoc
			if err := json.Unmarshal([]byte(r.raw), &got); err != nil {
				t.Fatal(err)
			}
			want := discoveryDoc{
				Issuer: tc.issuer, AuthorizationEndpoint: iss + "/authorize", TokenEndpoint: iss + "/token",
				DeviceAuthorizationEndpoint: iss + "/device", JWKSURI: iss + "/jwks", RevocationEndpoint: iss + "/revoke",
				ResponseTypes: []string{"code"}, SubjectTypes: []string{"public"}, CodeChallengeMethods: []string{"S256"},
				GrantTypes:            []string{"authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
				TokenAuthMethods:      []string{"client_secret_basic", "client_secret_post", "none", "private_key_jwt", "client_secret_jwt"},
				RevocationAuthMethods: []string{"client_secret_basic", "client_secret_post", "none", "private_key_jwt", "client_secret_jwt"},
				IDTokenSigningAlgs:    []string{"RS256"}, Scopes: []string{"openid", "profile", "email", "offline_access"},
				IssParameter: tc.issuer == iss, // only the issuer /oidc/authorize names (RFC 9207)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("document %s", r.raw)
			}
			if strings.Contains(r.raw, "userinfo_endpoint") {
				t.Error("userinfo_endpoint must be absent")
			}
		})
	}
}

func TestOIDCJWKS(t *testing.T) {
	s := startOIDC(t, nil)
	r := do(t, s, req{method: http.MethodGet, path: "/oidc/jwks"})
	wantStatus(t, r, http.StatusOK)
	keys, _ := r.body["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("jwks %s", r.raw)
	}
	k := keys[0].(map[string]any)
	if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["kid"] != s.KeyID() || k["d"] != nil {
		t.Errorf("key %v", k)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(r.raw), &set); err != nil || !set.Keys[0].Key.(*rsa.PublicKey).Equal(s.PublicKey()) {
		t.Errorf("JWKS key is not the server's public key (%v)", err)
	}
	wantStatus(t, do(t, s, req{method: http.MethodPost, path: "/oidc/jwks"}), 400)
}

func TestOIDCCodeFlow(t *testing.T) {
	clk := newClock()
	s := startOIDC(t, clk.Now)
	tests := []struct {
		client, scope string
		wantID        bool
	}{
		{client: OIDCClientID, scope: "openid profile", wantID: true},
		{client: OIDCPublicClientID, scope: "openid email offline_access", wantID: true},
		{client: OIDCPublicClientID, scope: "api.read", wantID: false},
	}
	for _, tc := range tests {
		t.Run(tc.client+"/"+tc.scope, func(t *testing.T) {
			r := oidcLogin(t, s, tc.client, tc.scope, "n-0S6_WzA2Mj")
			if r.str("token_type") != "Bearer" || r.body["expires_in"] != 3600.0 || r.str("scope") != tc.scope || r.str("refresh_token") == "" {
				t.Errorf("reply %s", r.raw)
			}
			h, access, err := verifyWithJWKS(t, s, r.str("access_token"))
			if err != nil || h.KeyID != s.KeyID() {
				t.Fatalf("access token: kid %q, %v", h.KeyID, err)
			}
			now := clk.Now().Unix()
			wantClaims(t, access, map[string]any{"iss": s.OIDCIssuer(), "sub": OIDCSubject, "aud": s.URL() + "/api",
				"client_id": tc.client, "scope": tc.scope, "iat": float64(now), "exp": float64(now + 3600)})
			if access["jti"] == "" {
				t.Error("no jti")
			}
			if (r.str("id_token") != "") != tc.wantID {
				t.Fatalf("id_token present = %v, want %v", !tc.wantID, tc.wantID)
			}
			if !tc.wantID {
				return
			}
			h, id, err := verifyWithJWKS(t, s, r.str("id_token"))
			if err != nil || h.KeyID != s.KeyID() {
				t.Fatalf("ID token: kid %q, %v", h.KeyID, err)
			}
			wantClaims(t, id, map[string]any{"iss": s.OIDCIssuer(), "sub": OIDCSubject, "aud": tc.client, "azp": tc.client,
				"nonce": "n-0S6_WzA2Mj", "iat": float64(now), "exp": float64(now + 3600), "auth_time": float64(now)})
			wantStatus(t, whoami(t, s, r.str("access_token")), 200)
		})
	}
}

func wantClaims(t *testing.T, claims, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
}

func TestOIDCAuthorizeRefusals(t *testing.T) {
	tests := []struct {
		name      string
		client    string
		edit      func(q url.Values)
		wantError string // on the redirect; empty means a code
	}{
		{name: "public client without PKCE", client: OIDCPublicClientID, edit: func(q url.Values) {
			q.Del("code_challenge")
			q.Del("code_challenge_method")
		}, wantError: "invalid_request"},
		{name: "confidential client without PKCE", client: OIDCClientID, edit: func(q url.Values) {
			q.Del("code_challenge")
			q.Del("code_challenge_method")
		}},
		{name: "without nonce", client: OIDCPublicClientID, edit: func(q url.Values) { q.Del("nonce") }},
		{name: "plain PKCE", client: OIDCPublicClientID, edit: func(q url.Values) { q.Set("code_challenge_method", "plain") }, wantError: "invalid_request"},
		{name: "empty nonce", client: OIDCPublicClientID, edit: func(q url.Values) { q.Set("nonce", "") }, wantError: "invalid_request"},
		{name: "unknown parameter", client: OIDCPublicClientID, edit: func(q url.Values) { q.Set("display", "page") }, wantError: "invalid_request"},
		{name: "prompt consent", client: OIDCPublicClientID, edit: func(q url.Values) { q.Set("prompt", "consent") }},
		{name: "unknown prompt", client: OIDCPublicClientID, edit: func(q url.Values) { q.Set("prompt", "consent always") }, wantError: "invalid_request"},
		{name: "prompt none and more", client: OIDCPublicClientID, edit: func(q url.Values) { q.Set("prompt", "none login") }, wantError: "invalid_request"},
		{name: "unknown client", client: "nobody", edit: func(url.Values) {}, wantError: "unauthorized_client"},
		{name: "oauth2 client", client: OAuth2BasicClientID, edit: func(url.Values) {}, wantError: "unauthorized_client"},
		{name: "implicit", client: OIDCPublicClientID, edit: func(q url.Values) { q.Set("response_type", "id_token") }, wantError: "unsupported_response_type"},
	}
	s := startOIDC(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"response_type": {"code"}, "client_id": {tc.client}, "redirect_uri": {oidcRedirect}, "state": {"st"},
				"scope": {"openid"}, "nonce": {"n"}, "code_challenge": {challenge()}, "code_challenge_method": {"S256"}}
			tc.edit(q)
			before := s.Count("oidc.authorize")
			checkAuthorizeReply(t, do(t, s, req{method: http.MethodGet, path: "/oidc/authorize?" + q.Encode()}), q, 0, tc.wantError)
			if s.Count("oidc.authorize") != before+1 {
				t.Error("Count did not increase")
			}
		})
	}
	r := do(t, s, req{method: http.MethodGet, path: "/oidc/authorize?" + url.Values{"client_id": {OIDCPublicClientID}, "redirect_uri": {"http://evil.example.com/cb"}}.Encode()})
	wantStatus(t, r, 400)
}

func TestOIDCTokenRequestShapes(t *testing.T) {
	s := startOIDC(t, nil)
	rawBasic := "Basic " + b64std(OIDCClientID+":"+OIDCClientSecret) // + and / not form-encoded
	confBasic := []string{"Authorization", basic(OIDCClientID, OIDCClientSecret)}
	cc := []string{"grant_type", "client_credentials"}
	tests := []struct {
		name, method, ctype, path, body string
		header                          []string
		status                          int
		wantError                       string
		wantAuthn                       bool // WWW-Authenticate
	}{
		{name: "client_secret_basic", header: confBasic, body: form(cc...), status: 200},
		{name: "client_secret_post", body: form("grant_type", "client_credentials", "client_id", OIDCClientID, "client_secret", OIDCClientSecret, "scope", "api.read"), status: 200},
		{name: "Basic without form-encoding", header: []string{"Authorization", rawBasic}, body: form(cc...), status: 401, wantError: "invalid_client", wantAuthn: true},
		{name: "Basic and body secret", header: confBasic, body: form("grant_type", "client_credentials", "client_secret", OIDCClientSecret), status: 400, wantError: "invalid_request"},
		{name: "body client_id differs from Basic", header: confBasic, body: form("grant_type", "client_credentials", "client_id", OIDCPublicClientID), status: 400, wantError: "invalid_request"},
		{name: "wrong Basic secret", header: []string{"Authorization", basic(OIDCClientID, "nope")}, body: form(cc...), status: 401, wantError: "invalid_client", wantAuthn: true},
		{name: "wrong body secret", body: form("grant_type", "client_credentials", "client_id", OIDCClientID, "client_secret", "nope"), status: 401, wantError: "invalid_client"},
		{name: "confidential client without secret", body: form("grant_type", "client_credentials", "client_id", OIDCClientID), status: 401, wantError: "invalid_client"},
		{name: "no client at all", body: form(cc...), status: 401, wantError: "invalid_client"},
		{name: "unknown client", body: form("grant_type", "client_credentials", "client_id", "nobody"), status: 401, wantError: "invalid_client"},
		{name: "oauth2 client", header: []string{"Authorization", basic(OAuth2BasicClientID, OAuth2BasicClientSecret)}, body: form(cc...), status: 401, wantError: "invalid_client", wantAuthn: true},
		{name: "public client, client_credentials", body: form("grant_type", "client_credentials", "client_id", OIDCPublicClientID), status: 400, wantError: "unauthorized_client"},
		{name: "public client with a secret", body: form("grant_type", "client_credentials", "client_id", OIDCPublicClientID, "client_secret", "x"), status: 400, wantError: "invalid_request"},
		{name: "public client with an empty secret", body: form("grant_type", "client_credentials", "client_id", OIDCPublicClientID, "client_secret", ""), status: 400, wantError: "invalid_request"},
		{name: "public client with Basic", header: []string{"Authorization", basic(OIDCPublicClientID, "")}, body: form(cc...), status: 400, wantError: "invalid_request"},
		{name: "JSON body", header: confBasic, ctype: jsonType, body: `{"grant_type":"client_credentials"}`, status: 400, wantError: "invalid_request"},
		{name: "GET", method: http.MethodGet, header: confBasic, status: 400, wantError: "invalid_request"},
		{name: "query string", header: confBasic, path: "/oidc/token?grant_type=client_credentials", status: 400, wantError: "invalid_request"},
		{name: "unknown grant", header: confBasic, body: form("grant_type", "password", "username", "u", "password", "p"), status: 400, wantError: "unsupported_grant_type"},
		{name: "no grant_type", header: confBasic, body: form("scope", "openid"), status: 400, wantError: "unsupported_grant_type"},
		{name: "device grant without device_code", body: form("grant_type", deviceGrantType, "client_id", OIDCPublicClientID), status: 400, wantError: "invalid_request"},
		{name: "unknown device_code", body: form("grant_type", deviceGrantType, "client_id", OIDCPublicClientID, "device_code", "nope"), status: 400, wantError: "invalid_grant"},
		{name: "code grant without redirect_uri", body: form("grant_type", "authorization_code", "client_id", OIDCPublicClientID, "code", "c"), status: 400, wantError: "invalid_request"},
		{name: "unknown code", body: form("grant_type", "authorization_code", "client_id", OIDCPublicClientID, "code", "c", "redirect_uri", oidcRedirect), status: 400, wantError: "invalid_grant"},
		{name: "unexpected parameter", header: confBasic, body: form("grant_type", "client_credentials", "audience", "x"), status: 400, wantError: "invalid_request"},
		{name: "repeated parameter", header: confBasic, body: form("grant_type", "client_credentials", "grant_type", "client_credentials"), status: 400, wantError: "invalid_request"},
		{name: "bad scope", header: confBasic, body: form("grant_type", "client_credentials", "scope", "a  b"), status: 400, wantError: "invalid_scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Count("oidc.token")
			r := do(t, s, req{method: cmp.Or(tc.method, http.MethodPost), path: cmp.Or(tc.path, "/oidc/token"),
				contentType: cmp.Or(tc.ctype, formType), body: tc.body, header: tc.header})
			wantStatus(t, r, tc.status)
			if s.Count("oidc.token") != before+1 {
				t.Error("Count did not increase")
			}
			if got := r.header.Get("WWW-Authenticate") != ""; got != tc.wantAuthn {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tc.wantAuthn)
			}
			if tc.status != 200 {
				if r.str("error") != tc.wantError {
					t.Errorf("body %s, want error %s", r.raw, tc.wantError)
				}
				return
			}
			_, claims, err := verifyWithJWKS(t, s, r.str("access_token"))
			if err != nil || claims["sub"] != OIDCClientID || r.str("refresh_token") != "" || r.str("id_token") != "" {
				t.Errorf("client_credentials reply %s (%v)", r.raw, err)
			}
		})
	}
}

func TestOIDCCodeExchangeRefusals(t *testing.T) {
	s := startOIDC(t, nil)
	code := func(client string) string {
		q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {oidcRedirect}, "state": {"st"},
			"code_challenge": {challenge()}, "code_challenge_method": {"S256"}}
		return authorizeCode(t, s, "/oidc/authorize", q)
	}
	other := strings.Repeat("x", 43)
	tests := []struct {
		name string
		kv   func(c string) []string
	}{
		{"wrong verifier", func(c string) []string {
			return []string{"code", c, "redirect_uri", oidcRedirect, "code_verifier", other}
		}},
		{"no verifier", func(c string) []string { return []string{"code", c, "redirect_uri", oidcRedirect} }},
		{"other redirect_uri", func(c string) []string {
			return []string{"code", c, "redirect_uri", "http://127.0.0.1:1/cb", "code_verifier", verifier}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := code(OIDCPublicClientID)
			r := asClient(t, s, OIDCPublicClientID, "/oidc/token", append([]string{"grant_type", "authorization_code"}, tc.kv(c)...)...)
			wantStatus(t, r, 400)
			if r.str("error") != "invalid_grant" {
				t.Errorf("body %s", r.raw)
			}
			// Any attempt burns the code.
			r = asClient(t, s, OIDCPublicClientID, "/oidc/token", "grant_type", "authorization_code", "code", c, "redirect_uri", oidcRedirect, "code_verifier", verifier)
			wantStatus(t, r, 400)
		})
	}
	t.Run("another client's code", func(t *testing.T) {
		r := asClient(t, s, OIDCJWEClientID, "/oidc/token", "grant_type", "authorization_code", "code", code(OIDCPublicClientID),
			"redirect_uri", oidcRedirect, "code_verifier", verifier)
		wantStatus(t, r, 400)
	})
}

func TestOIDCRefreshRotation(t *testing.T) {
	clk := newClock()
	s := startOIDC(t, clk.Now)
	login := oidcLogin(t, s, OIDCPublicClientID, "openid offline_access", "nonce-1")
	authTime := clk.Now().Unix()
	clk.advance(time.Hour)
	refresh := func(client, token string, kv ...string) reply {
		return asClient(t, s, client, "/oidc/token", append([]string{"grant_type", "refresh_token", "refresh_token", token}, kv...)...)
	}
	first := login.str("refresh_token")

	r := refresh(OIDCJWEClientID, first)
	wantStatus(t, r, 400) // another client's token; it survives
	r = refresh(OIDCPublicClientID, first, "scope", "openid profile")
	wantStatus(t, r, 400) // wider scope; it survives
	if r.str("error") != "invalid_scope" {
		t.Errorf("body %s", r.raw)
	}

	r = refresh(OIDCPublicClientID, first)
	wantStatus(t, r, 200)
	second := r.str("refresh_token")
	if second == "" || second == first || r.str("scope") != "openid offline_access" {
		t.Fatalf("refresh reply %s", r.raw)
	}
	_, id, err := verifyWithJWKS(t, s, r.str("id_token"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := id["nonce"]; ok || id["auth_time"] != float64(authTime) || id["iat"] != float64(clk.Now().Unix()) {
		t.Errorf("refreshed ID token claims %v", id)
	}

	r = refresh(OIDCPublicClientID, first)
	wantStatus(t, r, 400)
	if r.str("error") != "invalid_grant" {
		t.Errorf("spent refresh token: body %s", r.raw)
	}
	r = refresh(OIDCPublicClientID, second, "scope", "offline_access")
	wantStatus(t, r, 200)
	if r.str("id_token") != "" || r.str("scope") != "offline_access" || r.str("refresh_token") == "" {
		t.Errorf("narrowed refresh reply %s", r.raw)
	}
}

func TestOIDCBadClients(t *testing.T) {
	s := startOIDC(t, nil)
	t.Run("badsig", func(t *testing.T) {
		r := oidcLogin(t, s, OIDCBadSigClientID, "openid", "n1")
		h, _, err := verifyWithJWKS(t, s, r.str("id_token"))
		if err == nil || h.KeyID != s.KeyID() {
			t.Errorf("ID token verified (%v) or has kid %q", err, h.KeyID)
		}
		if _, _, err := verifyWithJWKS(t, s, r.str("access_token")); err != nil {
			t.Errorf("access token: %v", err)
		}
	})
	t.Run("badnonce", func(t *testing.T) {
		r := oidcLogin(t, s, OIDCBadNonceClientID, "openid", "n1")
		_, id, err := verifyWithJWKS(t, s, r.str("id_token"))
		if err != nil || id["nonce"] == "n1" || id["nonce"] == nil || id["aud"] != OIDCBadNonceClientID {
			t.Errorf("ID token claims %v, %v", id, err)
		}
	})
	t.Run("jwe", func(t *testing.T) {
		r := oidcLogin(t, s, OIDCJWEClientID, "openid", "n1")
		token := r.str("access_token")
		if n := strings.Count(token, ".") + 1; n != 5 {
			t.Fatalf("access token has %d segments, want 5", n)
		}
		jwe, err := jose.ParseEncrypted(token, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
		if err != nil {
			t.Fatal(err)
		}
		h := jwe.Header
		if h.KeyID == "" || h.KeyID == s.KeyID() || h.ExtraHeaders["cty"] != "JWT" || h.ExtraHeaders["enc"] != "A256GCM" || h.Algorithm != "RSA-OAEP-256" {
			t.Errorf("JWE header %+v", h)
		}
		inner, err := jwe.Decrypt(s.EncryptionKey())
		if err != nil {
			t.Fatal(err)
		}
		_, claims, err := verifyWithJWKS(t, s, string(inner))
		if err != nil || claims["client_id"] != OIDCJWEClientID {
			t.Errorf("inner JWT claims %v, %v", claims, err)
		}
		if _, _, err := verifyWithJWKS(t, s, r.str("id_token")); err != nil {
			t.Errorf("ID token: %v", err)
		}
		wantStatus(t, whoami(t, s, token), 200)
		if _, err := jwe.Decrypt(testKey()); err == nil {
			t.Error("decrypts with the signing key")
		}
	})
}

func TestOIDCCountsAndClients(t *testing.T) {
	s := startOIDC(t, nil)
	counts := s.Counts()
	for _, route := range []string{"oidc.discovery", "oidc-wrong.discovery", "oauth-as.discovery", "oidc.jwks", "oidc.authorize",
		"oidc.token", "oidc.device", "oidc.device.verify", "oidc.revoke"} {
		if n, ok := counts[route]; !ok || n != 0 {
			t.Errorf("Counts()[%q] = %d, %v", route, n, ok)
		}
	}
	ids := map[string]string{}
	for _, c := range s.Clients() {
		if c.Provider == "oidc" {
			ids[c.ID] = c.Secret
		}
	}
	want := map[string]string{OIDCClientID: OIDCClientSecret, OIDCPublicClientID: "", OIDCSlowClientID: "", OIDCShortClientID: "",
		OIDCBadSigClientID: "", OIDCBadNonceClientID: "", OIDCJWEClientID: "",
		OIDCKeyRSAClientID: "", OIDCKeyP256ClientID: "", OIDCKeyP384ClientID: "", OIDCKeyEd25519ClientID: "",
		OIDCSecretJWTClientID: OIDCSecretJWTClientSecret, OIDCFederatedClientID: ""}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("oidc clients %v", ids)
	}
}

func b64std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestOIDCHostility checks the hostile mode: claims changed in signed ID tokens,
// unsigned ID tokens on one grant only, and the redirect's iss.
func TestOIDCHostility(t *testing.T) {
	s := StartTest(t, Options{})
	if err := s.SetOIDCHostility(OIDCHostility{Grant: "implicit"}); err == nil {
		t.Error("an unknown grant was accepted")
	}
	if err := s.SetOIDCHostility(OIDCHostility{Claims: map[string]any{"iss": "https://evil.example.com", "azp": nil}, CallbackIss: "https://evil.example.com"}); err != nil {
		t.Fatal(err)
	}
	g := s.newGrant("oidc", OIDCPublicClientID, []string{"openid"}, oidcLifetime)
	c, _ := findClient("oidc", OIDCPublicClientID)
	tok, err := s.idToken(c, g, "authorization_code", "n")
	if err != nil {
		t.Fatal(err)
	}
	claims := jwtClaims(t, tok)
	if claims["iss"] != "https://evil.example.com" || claims["nonce"] != "n" {
		t.Errorf("claims %v: want the evil iss and the nonce", claims)
	}
	if _, ok := claims["azp"]; ok {
		t.Error("azp was not removed")
	}
	if iss, ok := s.oidcHostility().callbackIss(s.OIDCIssuer()); !ok || iss != "https://evil.example.com" {
		t.Errorf("callback iss %q, %v", iss, ok)
	}
	if err := s.SetOIDCHostility(OIDCHostility{Unsigned: true, Grant: "refresh_token", CallbackIss: "-"}); err != nil {
		t.Fatal(err)
	}
	if tok, _ := s.idToken(c, g, "authorization_code", ""); strings.HasSuffix(tok, ".") {
		t.Error("the code grant's ID token is unsigned")
	}
	if tok, _ := s.idToken(c, g, "refresh_token", ""); !strings.HasSuffix(tok, ".") {
		t.Error("the refresh grant's ID token is signed")
	}
	if _, ok := s.oidcHostility().callbackIss(s.OIDCIssuer()); ok {
		t.Error(`callback iss "-" still sends one`)
	}
	s.Reset()
	if iss, ok := s.oidcHostility().callbackIss(s.OIDCIssuer()); !ok || iss != s.OIDCIssuer() {
		t.Errorf("after Reset the redirect names %q", iss)
	}
}

// jwtClaims decodes a JWT's payload without checking it.
func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
