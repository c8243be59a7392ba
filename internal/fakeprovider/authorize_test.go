package fakeprovider

import (
	"net/http"
	"net/url"
	"testing"
)

func TestAuthorize(t *testing.T) {
	routes := []struct {
		route, path, clientID, scope string
	}{
		{"tiki.authorize", "/tiki/api/oauth/authorize", TikiClientID, "read write"},
		{"tiltify.authorize", "/tiltify/oauth/authorize", TiltifyClientID, "public cause"},
		{"tiltify-v3.authorize", "/tiltify-v3/oauth/authorize", TiltifyClientID, "public"},
		{"oauth2.authorize", "/oauth2/authorize", OAuth2BasicClientID, "openid profile"},
	}
	tests := []struct {
		name      string
		edit      func(q url.Values)
		method    string
		status    int    // 302 unless set
		wantError string // error parameter on the redirect; empty means a code
		skipFor   string
	}{
		{name: "approved", edit: func(url.Values) {}},
		{name: "IPv6 loopback redirect", edit: func(q url.Values) { q.Set("redirect_uri", "http://[::1]:8080/cb") }},
		{name: "localhost redirect keeps its query", edit: func(q url.Values) { q.Set("redirect_uri", "http://localhost:8080/cb?keep=1") }},
		{name: "no scope", edit: func(q url.Values) { q.Del("scope") }},
		{name: "non-loopback redirect", edit: func(q url.Values) { q.Set("redirect_uri", "http://example.com/cb") }, status: 400},
		{name: "https redirect", edit: func(q url.Values) { q.Set("redirect_uri", "https://127.0.0.1/cb") }, status: 400},
		{name: "missing redirect", edit: func(q url.Values) { q.Del("redirect_uri") }, status: 400},
		{name: "repeated parameter", edit: func(q url.Values) { q.Add("state", "again") }, status: 400},
		{name: "POST", edit: func(url.Values) {}, method: http.MethodPost, status: 400},
		{name: "unknown client", edit: func(q url.Values) { q.Set("client_id", "nobody") }, wantError: "unauthorized_client"},
		{name: "implicit flow", edit: func(q url.Values) { q.Set("response_type", "token") }, wantError: "unsupported_response_type"},
		{name: "missing state", edit: func(q url.Values) { q.Del("state") }, wantError: "invalid_request"},
		{name: "unknown parameter", edit: func(q url.Values) { q.Set("prompt", "none") }, wantError: "invalid_request"},
		{name: "bad scope", edit: func(q url.Values) { q.Set("scope", "a  b") }, wantError: "invalid_scope"},
		{name: "plain PKCE", skipFor: "tiltify-v3.authorize", edit: func(q url.Values) {
			q.Set("code_challenge", challenge())
			q.Set("code_challenge_method", "plain")
		}, wantError: "invalid_request"},
		{name: "PKCE without method", skipFor: "tiltify-v3.authorize", edit: func(q url.Values) { q.Set("code_challenge", challenge()) }, wantError: "invalid_request"},
		{name: "malformed challenge", skipFor: "tiltify-v3.authorize", edit: func(q url.Values) {
			q.Set("code_challenge", "short")
			q.Set("code_challenge_method", "S256")
		}, wantError: "invalid_request"},
	}
	s := StartTest(t, Options{})
	for _, rt := range routes {
		for _, tc := range tests {
			if tc.skipFor == rt.route {
				continue
			}
			t.Run(rt.route+"/"+tc.name, func(t *testing.T) {
				q := url.Values{"response_type": {"code"}, "client_id": {rt.clientID},
					"redirect_uri": {"http://127.0.0.1:9999/callback"}, "state": {"s-42"}, "scope": {rt.scope}}
				tc.edit(q)
				before := s.Count(rt.route)
				method := http.MethodGet
				if tc.method != "" {
					method = tc.method
				}
				r := do(t, s, req{method: method, path: rt.path + "?" + q.Encode()})
				if s.Count(rt.route) != before+1 {
					t.Errorf("Count did not increase")
				}
				checkAuthorizeReply(t, r, q, tc.status, tc.wantError)
			})
		}
	}
}

func TestTiltifyV3AuthorizeRefusesPKCE(t *testing.T) {
	s := StartTest(t, Options{})
	q := url.Values{"response_type": {"code"}, "client_id": {TiltifyClientID}, "redirect_uri": {"http://127.0.0.1:1/cb"},
		"state": {"s"}, "code_challenge": {challenge()}, "code_challenge_method": {"S256"}}
	r := do(t, s, req{method: http.MethodGet, path: "/tiltify-v3/oauth/authorize?" + q.Encode()})
	checkAuthorizeReply(t, r, q, 0, "invalid_request")
}

func checkAuthorizeReply(t *testing.T, r reply, q url.Values, status int, wantError string) {
	t.Helper()
	if status == 0 {
		status = http.StatusFound
	}
	wantStatus(t, r, status)
	if status != http.StatusFound {
		if r.str("error") != "invalid_request" {
			t.Errorf("body %s", r.raw)
		}
		return
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := url.Parse(q.Get("redirect_uri"))
	got := loc.Query()
	if loc.Host != want.Host || loc.Path != want.Path || got.Get("state") != q.Get("state") {
		t.Errorf("Location %s", loc)
	}
	for k := range want.Query() {
		if got.Get(k) != want.Query().Get(k) {
			t.Errorf("redirect dropped its own query parameter %q", k)
		}
	}
	if got.Get("error") != wantError || (wantError == "") == (got.Get("code") == "") {
		t.Errorf("Location %s, want error %q", loc, wantError)
	}
}
