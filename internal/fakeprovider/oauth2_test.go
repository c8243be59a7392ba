package fakeprovider

import (
	"cmp"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
)

func TestOAuth2ClientCredentials(t *testing.T) {
	basicHdr := []string{"Authorization", basic(OAuth2BasicClientID, OAuth2BasicClientSecret)}
	postBody := func(kv ...string) string {
		return form(append([]string{"client_id", OAuth2PostClientID, "client_secret", OAuth2PostClientSecret}, kv...)...)
	}
	tests := []struct {
		name      string
		body      string
		header    []string
		ctype     string
		method    string
		status    int
		wantError string
		wantScope string
		wantAuthn bool // WWW-Authenticate expected
	}{
		{name: "basic client with Basic", header: basicHdr, body: form("grant_type", "client_credentials", "scope", "read:x write"), status: 200, wantScope: "read:x write"},
		{name: "basic client with matching body client_id", header: basicHdr, body: form("grant_type", "client_credentials", "client_id", OAuth2BasicClientID), status: 200},
		{name: "post client with body credentials", body: postBody("grant_type", "client_credentials", "scope", "a"), status: 200, wantScope: "a"},
		{name: "Basic for oauth2-post", header: []string{"Authorization", basic(OAuth2PostClientID, OAuth2PostClientSecret)}, body: form("grant_type", "client_credentials"), status: 400, wantError: "invalid_request"},
		{name: "body secret for oauth2-basic", body: form("grant_type", "client_credentials", "client_id", OAuth2BasicClientID, "client_secret", OAuth2BasicClientSecret), status: 400, wantError: "invalid_request"},
		{name: "Basic and body secret", header: basicHdr, body: form("grant_type", "client_credentials", "client_secret", OAuth2BasicClientSecret), status: 400, wantError: "invalid_request"},
		{name: "body client_id differs from Basic", header: basicHdr, body: form("grant_type", "client_credentials", "client_id", OAuth2PostClientID), status: 400, wantError: "invalid_request"},
		{name: "malformed Basic", header: []string{"Authorization", "Basic !!!"}, body: form("grant_type", "client_credentials"), status: 400, wantError: "invalid_request"},
		{name: "JSON body", header: basicHdr, ctype: jsonType, body: `{"grant_type":"client_credentials"}`, status: 400, wantError: "invalid_request"},
		{name: "GET", method: http.MethodGet, header: basicHdr, status: 400, wantError: "invalid_request"},
		{name: "unsupported grant", header: basicHdr, body: form("grant_type", "password"), status: 400, wantError: "unsupported_grant_type"},
		{name: "double space scope", header: basicHdr, body: form("grant_type", "client_credentials", "scope", "a  b"), status: 400, wantError: "invalid_scope"},
		{name: "unexpected parameter", header: basicHdr, body: form("grant_type", "client_credentials", "audience", "x"), status: 400, wantError: "invalid_request"},
		{name: "wrong Basic secret", header: []string{"Authorization", basic(OAuth2BasicClientID, "nope")}, body: form("grant_type", "client_credentials"), status: 401, wantError: "invalid_client", wantAuthn: true},
		{name: "wrong body secret", body: form("grant_type", "client_credentials", "client_id", OAuth2PostClientID, "client_secret", "nope"), status: 401, wantError: "invalid_client"},
		{name: "no client authentication", body: form("grant_type", "client_credentials"), status: 401, wantError: "invalid_client"},
	}
	s := StartTest(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Count("oauth2.token")
			r := do(t, s, req{method: cmp.Or(tc.method, http.MethodPost), path: "/oauth2/token",
				contentType: cmp.Or(tc.ctype, formType), body: tc.body, header: tc.header})
			wantStatus(t, r, tc.status)
			if s.Count("oauth2.token") != before+1 {
				t.Error("Count did not increase")
			}
			if got := r.header.Get("WWW-Authenticate") != ""; got != tc.wantAuthn {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tc.wantAuthn)
			}
			if tc.status != 200 {
				if r.str("error") != tc.wantError {
					t.Errorf("error body %s", r.raw)
				}
				return
			}
			wantOAuth2Token(t, s, r, tc.wantScope, false)
		})
	}
}

func wantOAuth2Token(t *testing.T, s *Server, r reply, scope string, withRefresh bool) {
	t.Helper()
	wantTokenHeaders(t, r)
	if r.str("token_type") != "Bearer" || r.body["expires_in"] != 3600.0 || r.str("scope") != scope {
		t.Errorf("body %s", r.raw)
	}
	if (r.str("refresh_token") != "") != withRefresh {
		t.Errorf("refresh_token present = %v, want %v", !withRefresh, withRefresh)
	}
	header, claims := verifyJWT(t, s.PublicKey(), r.str("access_token"))
	if header["alg"] != "RS256" || claims["iss"] != s.URL()+"/oauth2" || claims["jti"] == "" {
		t.Errorf("header %v claims %v", header, claims)
	}
}

func TestOAuth2CodeFlowAndRotation(t *testing.T) {
	s := StartTest(t, Options{})
	redirect := "http://[::1]:7777/cb"
	q := url.Values{"response_type": {"code"}, "client_id": {OAuth2PostClientID}, "redirect_uri": {redirect},
		"state": {"z"}, "scope": {"read write"}, "code_challenge": {challenge()}, "code_challenge_method": {"S256"}}
	token := func(kv ...string) reply {
		body := form(append([]string{"client_id", OAuth2PostClientID, "client_secret", OAuth2PostClientSecret}, kv...)...)
		return do(t, s, req{method: http.MethodPost, path: "/oauth2/token", contentType: formType, body: body})
	}
	r := token("grant_type", "authorization_code", "code", authorizeCode(t, s, "/oauth2/authorize", q), "redirect_uri", redirect)
	wantStatus(t, r, 400) // challenge sent, verifier missing
	r = token("grant_type", "authorization_code", "code", authorizeCode(t, s, "/oauth2/authorize", q), "redirect_uri", redirect, "code_verifier", verifier)
	wantStatus(t, r, 200)
	wantOAuth2Token(t, s, r, "read write", true)

	first := r.str("refresh_token")
	r = token("grant_type", "refresh_token", "refresh_token", first, "scope", "read admin")
	wantStatus(t, r, 400) // wider scope; the token survives
	if r.str("error") != "invalid_scope" {
		t.Errorf("body %s", r.raw)
	}
	r = token("grant_type", "refresh_token", "refresh_token", first, "scope", "read")
	wantStatus(t, r, 200)
	wantOAuth2Token(t, s, r, "read", true)
	r = token("grant_type", "refresh_token", "refresh_token", first)
	wantStatus(t, r, 400)
	if r.str("error") != "invalid_grant" {
		t.Errorf("reused refresh token body %s", r.raw)
	}
}

func TestBasicAuthFormURLEncoding(t *testing.T) {
	tests := []struct {
		name, header, id, secret string
		wantErr                  bool
	}{
		{name: "RFC 6749 App. B encoding", header: basic("my client", "p:w+d%"), id: "my client", secret: "p:w+d%"},
		{name: "plain", header: basic("a", "b"), id: "a", secret: "b"},
		{name: "lower-case scheme", header: "basic " + base64.StdEncoding.EncodeToString([]byte("a:b")), id: "a", secret: "b"},
		{name: "no colon", header: "Basic " + base64.StdEncoding.EncodeToString([]byte("ab")), wantErr: true},
		{name: "bad escape", header: "Basic " + base64.StdEncoding.EncodeToString([]byte("a:%zz")), wantErr: true},
		{name: "Bearer", header: "Bearer x", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
			r.Header.Set("Authorization", tc.header)
			id, secret, ok, err := basicAuth(r)
			if !ok || (err != nil) != tc.wantErr || id != tc.id || secret != tc.secret {
				t.Errorf("basicAuth = %q, %v, %v; want id %q err %v", id, ok, err, tc.id, tc.wantErr)
			}
		})
	}
}
