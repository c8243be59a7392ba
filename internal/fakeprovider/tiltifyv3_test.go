package fakeprovider

import (
	"cmp"
	"net/http"
	"net/url"
	"testing"
)

func TestTiltifyV3Token(t *testing.T) {
	redirect := "http://127.0.0.1:8765/redirect"
	goodAuth := []string{"Authorization", basic(TiltifyClientID, TiltifyClientSecret)}
	tests := []struct {
		name      string
		body      func(code string) string
		header    []string
		ctype     string
		status    int
		wantError string
	}{
		{name: "documented exchange", header: goodAuth, status: 200},
		{name: "without Basic", status: 400, wantError: "invalid_request"},
		{name: "secret in body instead of Basic", body: func(code string) string {
			return form("client_id", TiltifyClientID, "client_secret", TiltifyClientSecret, "redirect_uri", redirect, "code", code, "grant_type", "authorization_code")
		}, status: 400, wantError: "invalid_request"},
		{name: "secret in body and Basic", header: goodAuth, body: func(code string) string {
			return form("client_id", TiltifyClientID, "client_secret", TiltifyClientSecret, "redirect_uri", redirect, "code", code, "grant_type", "authorization_code")
		}, status: 400, wantError: "invalid_request"},
		{name: "JSON body", header: goodAuth, ctype: jsonType, body: func(string) string { return `{}` }, status: 400, wantError: "invalid_request"},
		{name: "missing redirect_uri", header: goodAuth, body: func(code string) string {
			return form("client_id", TiltifyClientID, "code", code, "grant_type", "authorization_code")
		}, status: 400, wantError: "invalid_request"},
		{name: "client_credentials grant", header: goodAuth, body: func(code string) string {
			return form("client_id", TiltifyClientID, "redirect_uri", redirect, "code", code, "grant_type", "client_credentials")
		}, status: 400, wantError: "invalid_request"},
		{name: "wrong secret", header: []string{"Authorization", basic(TiltifyClientID, "nope")}, status: 401, wantError: "invalid_client"},
		{name: "redirect mismatch", header: goodAuth, body: func(code string) string {
			return form("client_id", TiltifyClientID, "redirect_uri", redirect+"x", "code", code, "grant_type", "authorization_code")
		}, status: 400, wantError: "invalid_grant"},
	}
	s := StartTest(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := authorizeCode(t, s, "/tiltify-v3/oauth/authorize", url.Values{"response_type": {"code"},
				"client_id": {TiltifyClientID}, "redirect_uri": {redirect}, "state": {"54321"}})
			body := form("client_id", TiltifyClientID, "redirect_uri", redirect, "code", code, "grant_type", "authorization_code")
			if tc.body != nil {
				body = tc.body(code)
			}
			before := s.Count("tiltify-v3.token")
			r := do(t, s, req{method: http.MethodPost, path: "/tiltify-v3/oauth/token", contentType: cmp.Or(tc.ctype, formType), body: body, header: tc.header})
			wantStatus(t, r, tc.status)
			if s.Count("tiltify-v3.token") != before+1 {
				t.Error("Count did not increase")
			}
			if tc.status != 200 {
				if r.str("error") != tc.wantError {
					t.Errorf("error body %s", r.raw)
				}
				if tc.status == 401 && r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 after Basic lacks WWW-Authenticate")
				}
				return
			}
			wantTiltifyV3Token(t, s, r)
		})
	}
}

func wantTiltifyV3Token(t *testing.T, s *Server, r reply) {
	t.Helper()
	wantTokenHeaders(t, r)
	if _, ok := r.body["created_at"].(float64); !ok {
		t.Errorf("created_at %#v is not a number", r.body["created_at"])
	}
	if _, ok := r.body["expires_in"]; ok {
		t.Error("v3 reply has expires_in")
	}
	if _, ok := r.body["refresh_token"]; ok {
		t.Error("v3 reply has refresh_token")
	}
	if !opaqueToken.MatchString(r.str("access_token")) || r.str("token_type") != "Bearer" || r.str("scope") != "public" {
		t.Errorf("body %s", r.raw)
	}
	w := whoami(t, s, r.str("access_token"))
	wantStatus(t, w, 200)
	if w.body["expires_at"] != nil || w.str("provider") != "tiltify-v3" {
		t.Errorf("whoami %s", w.raw)
	}
}
