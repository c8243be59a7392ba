package fakeprovider

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "nonsense"} {
		t.Run(addr, func(t *testing.T) {
			if s, err := Start(Options{Addr: addr}); err == nil {
				_ = s.Close()
				t.Fatalf("Start(%q) succeeded", addr)
			}
		})
	}
}

func TestURLAndControlEndpoints(t *testing.T) {
	s := StartTest(t, Options{})
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(s.URL()) {
		t.Errorf("URL() = %q", s.URL())
	}
	tests := []struct {
		name   string
		rq     req
		status int
	}{
		{"unknown path", req{method: http.MethodGet, path: "/nope"}, 404},
		{"token path with trailing slash", req{method: http.MethodPost, path: "/tilia/token/"}, 404},
		{"stats", req{method: http.MethodGet, path: "/_fake/stats"}, 200},
		{"stats by POST", req{method: http.MethodPost, path: "/_fake/stats"}, 400},
		{"reset by GET", req{method: http.MethodGet, path: "/_fake/reset"}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, do(t, s, tc.rq), tc.status)
		})
	}
	r := do(t, s, req{method: http.MethodGet, path: "/_fake/stats"})
	if len(r.body) != 21 || r.body["tilia.token"] != 0.0 {
		t.Errorf("stats %s", r.raw)
	}
}

func TestCountsAndReset(t *testing.T) {
	s := StartTest(t, Options{})
	tokens := issueTokens(t, s)
	wantStatus(t, whoami(t, s, tokens["tiki"]), 200)
	counts := s.Counts()
	for _, route := range []string{"tilia.token", "ils.token", "tiki.token", "tiltify.token", "oauth2.token", "api.whoami"} {
		if counts[route] != 1 {
			t.Errorf("Counts()[%q] = %d, want 1", route, counts[route])
		}
	}
	if len(counts) != 21 {
		t.Errorf("Counts() has %d routes, want 21", len(counts))
	}
	r := do(t, s, req{method: http.MethodPost, path: "/_fake/reset"})
	wantStatus(t, r, http.StatusNoContent)
	if s.Count("tilia.token") != 0 {
		t.Error("reset kept counts")
	}
	wantStatus(t, whoami(t, s, tokens["tiki"]), 401)
	s.Reset()
	if s.Count("api.whoami") != 0 {
		t.Error("Reset kept counts")
	}
}

func TestClients(t *testing.T) {
	s := StartTest(t, Options{})
	got := map[string]int{}
	for _, c := range s.Clients() {
		got[c.Provider]++
		if (c.Provider == "oauth2" || c.Provider == "oidc") != (c.AuthMethod != "") {
			t.Errorf("client %s/%s AuthMethod %q", c.Provider, c.ID, c.AuthMethod)
		}
	}
	want := map[string]int{"tilia": 1, "ils": 1, "tiki": 1, "tiltify": 1, "tiltify-v3": 1, "oauth2": 3, "oidc": 13}
	for p, n := range want {
		if got[p] != n {
			t.Errorf("%d %s clients, want %d", got[p], p, n)
		}
	}
	if len(TikiClientID) != 32 || len(TikiClientSecret) != 64 {
		t.Error("Tiki id and secret must be 32 and 64 characters")
	}
}

// TestNoServerErrorsOnJunk throws odd requests at every route: none may fail with a 5xx.
func TestNoServerErrorsOnJunk(t *testing.T) {
	s := StartTest(t, Options{})
	bodies := []string{"", "{", `{"a":{"b":[1,2]}}`, `"str"`, "null", `{"clientId":"\ud800"}`, "%zz=1", "a=1;b=2",
		strings.Repeat("x", maxBody+10), `{"grant_type":["client_credentials"]}`}
	types := []string{"", formType, jsonType, "multipart/form-data; boundary=x", "application/json; charset=latin1", "text/plain; ;"}
	paths := []string{"/tilia/token", "/ils/api/oauth/token", "/tiki/api/oauth/access_token?grant_type=refresh_token&client_id=" + TikiClientID,
		"/tiki/api/oauth/authorize?redirect_uri=http://127.0.0.1/%zz", "/tiltify/oauth/token", "/tiltify/oauth/authorize?redirect_uri=http:127.0.0.1",
		"/tiltify-v3/oauth/token", "/tiltify-v3/oauth/authorize", "/oauth2/token", "/oauth2/authorize?redirect_uri=http://[::1", "/api/whoami",
		"/oidc/.well-known/openid-configuration", "/oidc/jwks", "/oidc/authorize?redirect_uri=http://127.0.0.1/&client_id=oidc-public",
		"/oidc/token", "/oidc/device", "/oidc/device/verify?user_code=BCDF-GHJK", "/oidc/revoke"}
	for _, p := range paths {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
			for _, ct := range types {
				for _, b := range bodies {
					r := do(t, s, req{method: m, path: p, contentType: ct, body: b, header: []string{"Authorization", "Basic Og=="}})
					if r.status >= 500 {
						t.Errorf("%s %s %q: %d %s", m, p, ct, r.status, r.raw)
					}
				}
			}
		}
	}
}

func FuzzDecodeStringObject(f *testing.F) {
	for _, seed := range []string{`{"clientId":"a","clientSecret":"b"}`, `{}`, `{"a":1}`, `[`, `{"a":"b"}x`, `{"a":"\u0000"}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fields, err := decodeStringObject([]byte(body))
		if err == nil && fields == nil {
			t.Error("nil fields without error")
		}
	})
}
