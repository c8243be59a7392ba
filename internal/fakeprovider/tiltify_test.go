package fakeprovider

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"
)

var opaqueToken = regexp.MustCompile(`^[0-9a-f]{64}$`)

func tiltifyJSON(kv ...string) string {
	m := map[string]string{"client_id": TiltifyClientID, "client_secret": TiltifyClientSecret}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestTiltifyToken(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		contentType string
		method      string
		header      []string
		status      int
		wantError   string
		wantScope   string
	}{
		{name: "client credentials default scope", body: tiltifyJSON("grant_type", "client_credentials"), status: 200, wantScope: "public"},
		{name: "client credentials two scopes", body: tiltifyJSON("grant_type", "client_credentials", "scope", "public webhooks:write"), status: 200, wantScope: "public webhooks:write"},
		{name: "form body", contentType: formType, body: form("grant_type", "client_credentials", "client_id", TiltifyClientID, "client_secret", TiltifyClientSecret), status: 400, wantError: "invalid_request"},
		{name: "GET", method: http.MethodGet, status: 400, wantError: "invalid_request"},
		{name: "Basic header", body: tiltifyJSON("grant_type", "client_credentials"), header: []string{"Authorization", basic(TiltifyClientID, TiltifyClientSecret)}, status: 400, wantError: "invalid_request"},
		{name: "unknown field", body: tiltifyJSON("grant_type", "client_credentials", "audience", "x"), status: 400, wantError: "invalid_request"},
		{name: "unsupported grant", body: tiltifyJSON("grant_type", "password"), status: 400, wantError: "unsupported_grant_type"},
		{name: "unknown scope", body: tiltifyJSON("grant_type", "client_credentials", "scope", "public admin"), status: 400, wantError: "invalid_scope"},
		{name: "comma scope", body: tiltifyJSON("grant_type", "client_credentials", "scope", "public,cause"), status: 400, wantError: "invalid_scope"},
		{name: "wrong secret", body: tiltifyJSON("grant_type", "client_credentials", "client_secret", "nope"), status: 401, wantError: "invalid_client"},
		{name: "bad code", body: tiltifyJSON("grant_type", "authorization_code", "code", "nope", "redirect_uri", "http://127.0.0.1/cb"), status: 400, wantError: "invalid_grant"},
		{name: "bad refresh token", body: tiltifyJSON("grant_type", "refresh_token", "refresh_token", "nope"), status: 400, wantError: "invalid_grant"},
	}
	s := StartTest(t, Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Count("tiltify.token")
			r := do(t, s, req{method: cmp.Or(tc.method, http.MethodPost), path: "/tiltify/oauth/token",
				contentType: cmp.Or(tc.contentType, jsonType), body: tc.body, header: tc.header})
			wantStatus(t, r, tc.status)
			if s.Count("tiltify.token") != before+1 {
				t.Error("Count did not increase")
			}
			if tc.status != 200 {
				if r.str("error") != tc.wantError || r.str("error_description") == "" {
					t.Errorf("error body %s", r.raw)
				}
				return
			}
			wantTiltifyToken(t, r, tc.wantScope, false)
		})
	}
}

func wantTiltifyToken(t *testing.T, r reply, scope string, withRefresh bool) {
	t.Helper()
	wantTokenHeaders(t, r)
	created, err := time.Parse(time.RFC3339, r.str("created_at"))
	if err != nil || created.IsZero() {
		t.Errorf("created_at %#v is not an ISO-8601 string", r.body["created_at"])
	}
	if !opaqueToken.MatchString(r.str("access_token")) || r.body["expires_in"] != 7200.0 ||
		r.str("token_type") != "bearer" || r.str("scope") != scope {
		t.Errorf("body %s", r.raw)
	}
	refresh, present := r.body["refresh_token"]
	if !present || (refresh == nil) == withRefresh {
		t.Errorf("refresh_token = %#v, want null: %v", refresh, !withRefresh)
	}
}

func TestTiltifyCodeFlow(t *testing.T) {
	s := StartTest(t, Options{})
	redirect := "http://localhost:9000/callback"
	q := url.Values{"response_type": {"code"}, "client_id": {TiltifyClientID}, "redirect_uri": {redirect},
		"state": {"x"}, "scope": {"public cause"}, "code_challenge": {challenge()}, "code_challenge_method": {"S256"}}
	exchange := func(code, v string) reply {
		return do(t, s, req{method: http.MethodPost, path: "/tiltify/oauth/token", contentType: jsonType,
			body: tiltifyJSON("grant_type", "authorization_code", "code", code, "redirect_uri", redirect, "code_verifier", v)})
	}
	r := exchange(authorizeCode(t, s, "/tiltify/oauth/authorize", q), "wrong-verifier-wrong-verifier-wrong-verifier")
	wantStatus(t, r, 400)
	if r.str("error") != "invalid_grant" {
		t.Errorf("PKCE mismatch body %s", r.raw)
	}
	r = exchange(authorizeCode(t, s, "/tiltify/oauth/authorize", q), verifier)
	wantStatus(t, r, 200)
	wantTiltifyToken(t, r, "public cause", true)

	refresh := func(token string) reply {
		return do(t, s, req{method: http.MethodPost, path: "/tiltify/oauth/token", contentType: jsonType,
			body: tiltifyJSON("grant_type", "refresh_token", "refresh_token", token)})
	}
	old := r.str("refresh_token")
	r = refresh(old)
	wantStatus(t, r, 200)
	wantTiltifyToken(t, r, "public cause", true)
	wantStatus(t, refresh(old), 400)
}
