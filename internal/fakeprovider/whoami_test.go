package fakeprovider

import (
	"net/http"
	"testing"
	"time"
)

// issueTokens gets one access token from each client-credentials route.
func issueTokens(t *testing.T, s *Server) map[string]string {
	t.Helper()
	rqs := map[string]req{
		"tilia": {method: http.MethodPost, path: "/tilia/token", contentType: formType, body: tiliaForm("user_info")},
		"ils": {method: http.MethodPost, path: "/ils/api/oauth/token", contentType: jsonType,
			body: `{"clientId":"` + ILSClientID + `","clientSecret":"` + ILSClientSecret + `"}`},
		"tiki":    {method: http.MethodGet, path: tikiQuery("grant_type", "client_credentials", "scope", "read")},
		"tiltify": {method: http.MethodPost, path: "/tiltify/oauth/token", contentType: jsonType, body: tiltifyJSON("grant_type", "client_credentials")},
		"oauth2": {method: http.MethodPost, path: "/oauth2/token", contentType: formType, body: form("grant_type", "client_credentials", "scope", "x"),
			header: []string{"Authorization", basic(OAuth2BasicClientID, OAuth2BasicClientSecret)}},
	}
	out := map[string]string{}
	for provider, rq := range rqs {
		r := do(t, s, rq)
		wantStatus(t, r, 200)
		out[provider] = r.str("access_token")
	}
	return out
}

func TestWhoami(t *testing.T) {
	c := newClock()
	s := StartTest(t, Options{Now: c.Now})
	tokens := issueTokens(t, s)
	wantClient := map[string]string{"tilia": TiliaClientID, "ils": ILSClientID, "tiki": TikiClientID,
		"tiltify": TiltifyClientID, "oauth2": OAuth2BasicClientID}
	for provider, token := range tokens {
		t.Run(provider, func(t *testing.T) {
			r := whoami(t, s, token)
			wantStatus(t, r, 200)
			if r.str("provider") != provider || r.str("client_id") != wantClient[provider] {
				t.Errorf("body %s", r.raw)
			}
			if _, ok := r.body["scopes"].([]any); !ok {
				t.Errorf("scopes is not an array: %s", r.raw)
			}
			if _, err := time.Parse(time.RFC3339, r.str("expires_at")); err != nil {
				t.Errorf("expires_at: %v", err)
			}
		})
	}
	refused := []struct{ name, header string }{
		{"garbage token", "Bearer not-a-token"},
		{"no header", ""},
		{"Basic scheme", basic("a", "b")},
		{"empty bearer", "Bearer "},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, s, req{method: http.MethodGet, path: "/api/whoami", header: []string{"Authorization", tc.header}})
			wantStatus(t, r, 401)
			if r.str("error") != "invalid_token" {
				t.Errorf("body %s", r.raw)
			}
		})
	}
	t.Run("expired by clock", func(t *testing.T) {
		c.advance(time.Hour) // Tilia, Tiki and oauth2 tokens live one hour; ILS and Tiltify two
		wantStatus(t, whoami(t, s, tokens["tilia"]), 401)
		wantStatus(t, whoami(t, s, tokens["ils"]), 200)
		c.advance(time.Hour)
		wantStatus(t, whoami(t, s, tokens["ils"]), 401)
	})
	t.Run("POST refused", func(t *testing.T) {
		wantStatus(t, do(t, s, req{method: http.MethodPost, path: "/api/whoami"}), 400)
	})
}

func TestTTLOverride(t *testing.T) {
	c := newClock()
	s := StartTest(t, Options{Now: c.Now, TTL: 30 * time.Second})
	r := do(t, s, req{method: http.MethodPost, path: "/tilia/token", contentType: formType, body: tiliaForm("user_info")})
	wantStatus(t, r, 200)
	if r.body["expires_in"] != "30" {
		t.Errorf("expires_in = %#v, want \"30\"", r.body["expires_in"])
	}
	tokens := issueTokens(t, s)
	c.advance(29 * time.Second)
	for _, token := range tokens {
		wantStatus(t, whoami(t, s, token), 200)
	}
	c.advance(time.Second)
	for provider, token := range tokens {
		if r := whoami(t, s, token); r.status != 401 {
			t.Errorf("%s token still valid after TTL", provider)
		}
	}
}
