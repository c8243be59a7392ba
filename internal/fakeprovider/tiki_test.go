package fakeprovider

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const tikiTokenPath = "/tiki/api/oauth/access_token"

func tikiQuery(kv ...string) string {
	return tikiTokenPath + "?" + form(append([]string{"client_id", TikiClientID, "client_secret", TikiClientSecret}, kv...)...)
}

func TestTikiTokenShapes(t *testing.T) {
	cc := tikiQuery("grant_type", "client_credentials", "scope", "read write")
	tests := []struct {
		name   string
		rq     req
		status int
	}{
		{name: "client credentials", rq: req{method: http.MethodGet, path: cc}, status: 200},
		{name: "client credentials without scope", rq: req{method: http.MethodGet, path: tikiQuery("grant_type", "client_credentials")}, status: 200},
		{name: "POST with query", rq: req{method: http.MethodPost, path: cc}, status: 400},
		{name: "POST form body", rq: req{method: http.MethodPost, path: tikiTokenPath, contentType: formType, body: strings.TrimPrefix(cc, tikiTokenPath+"?")}, status: 400},
		{name: "GET with a body", rq: req{method: http.MethodGet, path: cc, contentType: formType, body: "x=1"}, status: 400},
		{name: "comma-separated scope", rq: req{method: http.MethodGet, path: tikiQuery("grant_type", "client_credentials", "scope", "read,write")}, status: 400},
		{name: "unknown scope", rq: req{method: http.MethodGet, path: tikiQuery("grant_type", "client_credentials", "scope", "read delete")}, status: 400},
		{name: "missing grant_type", rq: req{method: http.MethodGet, path: tikiQuery()}, status: 400},
		{name: "password grant", rq: req{method: http.MethodGet, path: tikiQuery("grant_type", "password")}, status: 400},
		{name: "missing client_secret", rq: req{method: http.MethodGet, path: tikiTokenPath + "?" + form("grant_type", "client_credentials", "client_id", TikiClientID)}, status: 400},
		{name: "unexpected parameter", rq: req{method: http.MethodGet, path: cc + "&audience=x"}, status: 400},
		{name: "scope on code grant", rq: req{method: http.MethodGet, path: tikiQuery("grant_type", "authorization_code", "code", "c", "redirect_uri", "http://127.0.0.1/cb", "scope", "read")}, status: 400},
		{name: "wrong secret", rq: req{method: http.MethodGet, path: tikiTokenPath + "?" + form("grant_type", "client_credentials", "client_id", TikiClientID, "client_secret", "nope")}, status: 403},
		{name: "unknown client", rq: req{method: http.MethodGet, path: tikiTokenPath + "?" + form("grant_type", "client_credentials", "client_id", "nobody", "client_secret", TikiClientSecret)}, status: 403},
	}
	s := StartTest(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Count("tiki.token")
			r := do(t, s, tc.rq)
			wantStatus(t, r, tc.status)
			if s.Count("tiki.token") != before+1 {
				t.Errorf("Count did not increase")
			}
			switch tc.status {
			case 200:
				wantTikiToken(t, s, r, false)
			case 400, 403:
				if r.body["code"] != float64(tc.status) || r.str("errortitle") != http.StatusText(tc.status) || r.str("message") == "" {
					t.Errorf("error body %s", r.raw)
				}
			}
			if tc.status == 403 && r.str("message") != "Client authentication failed" {
				t.Errorf("403 message %q", r.str("message"))
			}
		})
	}
}

func wantTikiToken(t *testing.T, s *Server, r reply, withRefresh bool) {
	t.Helper()
	wantTokenHeaders(t, r)
	if r.str("token_type") != "Bearer" || r.body["expires_in"] != 3600.0 {
		t.Errorf("body %s", r.raw)
	}
	if _, ok := r.body["refresh_token"]; ok != withRefresh {
		t.Errorf("refresh_token present = %v, want %v", ok, withRefresh)
	}
	_, claims := verifyJWT(t, s.PublicKey(), r.str("access_token"))
	if claims["client_id"] != TikiClientID || claims["aud"] != TikiClientID || claims["iss"] != s.URL()+"/tiki" {
		t.Errorf("claims %v", claims)
	}
}

func tikiAuthorizeQuery(redirect string) url.Values {
	return url.Values{
		"response_type": {"code"}, "client_id": {TikiClientID}, "redirect_uri": {redirect},
		"state": {"st-1"}, "scope": {"read"},
	}
}

func TestTikiCodeAndRefreshRotation(t *testing.T) {
	s := StartTest(t, Options{})
	redirect := "http://127.0.0.1:49152/callback"
	q := tikiAuthorizeQuery(redirect)
	q.Set("code_challenge", challenge())
	q.Set("code_challenge_method", "S256")
	code := authorizeCode(t, s, "/tiki/api/oauth/authorize", q)
	exchange := tikiQuery("grant_type", "authorization_code", "code", code, "redirect_uri", redirect, "code_verifier", verifier)
	r := do(t, s, req{method: http.MethodGet, path: exchange})
	wantStatus(t, r, 200)
	wantTikiToken(t, s, r, true)
	first := r.str("refresh_token")

	r = do(t, s, req{method: http.MethodGet, path: exchange})
	wantStatus(t, r, 400) // codes are single use
	if r.str("error") != "invalid_grant" {
		t.Errorf("reused code body %s", r.raw)
	}

	refresh := func(token string) reply {
		return do(t, s, req{method: http.MethodGet, path: tikiQuery("grant_type", "refresh_token", "refresh_token", token)})
	}
	r = refresh(first)
	wantStatus(t, r, 200)
	wantTikiToken(t, s, r, true)
	second := r.str("refresh_token")
	if second == first {
		t.Fatal("refresh token did not rotate")
	}
	r = refresh(first)
	wantStatus(t, r, 400)
	want := map[string]any{"error": "invalid_grant", "error_description": "The refresh token is invalid.",
		"hint": "Token has been revoked", "message": "The refresh token is invalid."}
	for k, v := range want {
		if r.body[k] != v {
			t.Errorf("reused refresh token: %s = %v, want %v", k, r.body[k], v)
		}
	}
	wantStatus(t, refresh(second), 200)
	wantStatus(t, refresh("garbage"), 400)
}

func TestTikiCodeExchangeRefusals(t *testing.T) {
	redirect := "http://127.0.0.1:50000/cb"
	tests := []struct {
		name      string
		pkce      bool
		exchange  []string
		wantError string
	}{
		{name: "PKCE verifier mismatch", pkce: true, exchange: []string{"redirect_uri", redirect, "code_verifier", strings.Repeat("a", 43)}},
		{name: "PKCE verifier missing", pkce: true, exchange: []string{"redirect_uri", redirect}},
		{name: "verifier without challenge", exchange: []string{"redirect_uri", redirect, "code_verifier", verifier}},
		{name: "redirect_uri mismatch", exchange: []string{"redirect_uri", "http://127.0.0.1:50001/cb"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := StartTest(t, Options{})
			q := tikiAuthorizeQuery(redirect)
			if tc.pkce {
				q.Set("code_challenge", challenge())
				q.Set("code_challenge_method", "S256")
			}
			code := authorizeCode(t, s, "/tiki/api/oauth/authorize", q)
			r := do(t, s, req{method: http.MethodGet, path: tikiQuery(append([]string{"grant_type", "authorization_code", "code", code}, tc.exchange...)...)})
			wantStatus(t, r, 400)
			if r.str("error") != "invalid_grant" {
				t.Errorf("body %s", r.raw)
			}
		})
	}
}

func TestTikiCodeExpires(t *testing.T) {
	c := newClock()
	s := StartTest(t, Options{Now: c.Now})
	redirect := "http://127.0.0.1:50000/cb"
	code := authorizeCode(t, s, "/tiki/api/oauth/authorize", tikiAuthorizeQuery(redirect))
	c.advance(codeLifetime)
	r := do(t, s, req{method: http.MethodGet, path: tikiQuery("grant_type", "authorization_code", "code", code, "redirect_uri", redirect)})
	wantStatus(t, r, 400)
}
