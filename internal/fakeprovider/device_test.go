package fakeprovider

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDeviceFlow asks /oidc/device for a code as clientID and checks the response's shape.
func startDeviceFlow(t *testing.T, s *Server, clientID, scope string) reply {
	t.Helper()
	var kv []string
	if scope != "" {
		kv = []string{"scope", scope}
	}
	r := asClient(t, s, clientID, "/oidc/device", kv...)
	wantStatus(t, r, http.StatusOK)
	wantTokenHeaders(t, r)
	verify := s.URL() + "/oidc/device/verify"
	code := r.str("user_code")
	if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(code) ||
		len(r.str("device_code")) < 32 || r.str("verification_uri") != verify ||
		r.str("verification_uri_complete") != verify+"?user_code="+code || r.body["interval"] != 1.0 {
		t.Fatalf("device authorization reply %s", r.raw)
	}
	return r
}

func pollDevice(t *testing.T, s *Server, clientID, deviceCode string) reply {
	t.Helper()
	return asClient(t, s, clientID, "/oidc/token", "grant_type", deviceGrantType, "device_code", deviceCode)
}

func verifyDevice(t *testing.T, s *Server, userCode, action string) reply {
	t.Helper()
	q := url.Values{"user_code": {userCode}}
	if action != "" {
		q.Set("action", action)
	}
	return do(t, s, req{method: http.MethodGet, path: "/oidc/device/verify?" + q.Encode()})
}

// deviceStep is one thing a device-flow test does: wait on the fake clock, then
// approve, deny or poll. want is the poll's error code, or "tokens"; for a decision
// it is empty when the page accepts it and "refused" when it answers 400.
type deviceStep struct {
	wait   time.Duration
	decide string // "approve" or "deny": open the verification page instead of polling
	want   string
}

func TestDeviceFlow(t *testing.T) {
	tests := []struct {
		name      string
		client    string
		expiresIn float64
		steps     []deviceStep
	}{
		{name: "pending, approved, spent", client: OIDCPublicClientID, expiresIn: 600, steps: []deviceStep{
			{want: "authorization_pending"},
			{wait: time.Second, want: "authorization_pending"},
			{decide: "approve"},
			{wait: time.Second, want: "tokens"},
			{wait: time.Second, want: "invalid_grant"},
		}},
		{name: "approved before the first poll", client: OIDCClientID, expiresIn: 600, steps: []deviceStep{
			{decide: "approve"},
			{want: "tokens"},
		}},
		{name: "slow_down adds 5 s each time", client: OIDCPublicClientID, expiresIn: 600, steps: []deviceStep{
			{want: "authorization_pending"},
			{wait: 500 * time.Millisecond, want: "slow_down"},  // interval now 6 s
			{wait: 5900 * time.Millisecond, want: "slow_down"}, // interval now 11 s
			{wait: 11 * time.Second, want: "authorization_pending"},
			{decide: "approve"},
			{wait: 10 * time.Second, want: "slow_down"}, // interval now 16 s
			{wait: 16 * time.Second, want: "tokens"},
		}},
		{name: "oidc-slow: first poll slow_down", client: OIDCSlowClientID, expiresIn: 600, steps: []deviceStep{
			{decide: "approve"},
			{wait: time.Second, want: "slow_down"},
			{wait: 6 * time.Second, want: "tokens"},
		}},
		{name: "denied", client: OIDCPublicClientID, expiresIn: 600, steps: []deviceStep{
			{want: "authorization_pending"},
			{decide: "deny"},
			{wait: time.Second, want: "access_denied"},
			{wait: time.Second, want: "access_denied"},
		}},
		{name: "oidc-short: expires after 2 s", client: OIDCShortClientID, expiresIn: 2, steps: []deviceStep{
			{wait: time.Second, want: "authorization_pending"},
			{wait: time.Second, want: "expired_token"},
			{wait: time.Second, want: "expired_token"},
		}},
		{name: "approved too late", client: OIDCShortClientID, expiresIn: 2, steps: []deviceStep{
			{wait: 2 * time.Second, decide: "approve", want: "refused"},
			{want: "expired_token"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			s := startOIDC(t, clk.Now)
			d := startDeviceFlow(t, s, tc.client, "openid offline_access")
			if d.body["expires_in"] != tc.expiresIn {
				t.Errorf("expires_in = %v, want %v", d.body["expires_in"], tc.expiresIn)
			}
			for i, st := range tc.steps {
				clk.advance(st.wait)
				if st.decide != "" {
					r := verifyDevice(t, s, d.str("user_code"), st.decide)
					if (r.status == http.StatusOK) != (st.want == "") {
						t.Fatalf("step %d: %s: %d %s", i, st.decide, r.status, r.raw)
					}
					continue
				}
				r := pollDevice(t, s, tc.client, d.str("device_code"))
				if st.want == "tokens" {
					wantStatus(t, r, http.StatusOK)
					wantDeviceTokens(t, s, r, tc.client)
					continue
				}
				if r.status != http.StatusBadRequest || r.str("error") != st.want {
					t.Fatalf("step %d: %d %s, want %s", i, r.status, r.raw, st.want)
				}
			}
		})
	}
}

func wantDeviceTokens(t *testing.T, s *Server, r reply, clientID string) {
	t.Helper()
	wantTokenHeaders(t, r)
	if r.str("refresh_token") == "" || r.str("scope") != "openid offline_access" || r.str("token_type") != "Bearer" {
		t.Errorf("reply %s", r.raw)
	}
	_, id, err := verifyWithJWKS(t, s, r.str("id_token"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := id["nonce"]; ok || id["aud"] != clientID || id["sub"] != OIDCSubject || id["iss"] != s.OIDCIssuer() {
		t.Errorf("ID token claims %v", id)
	}
	wantStatus(t, whoami(t, s, r.str("access_token")), http.StatusOK)
}

func TestDeviceFlowRealClock(t *testing.T) {
	s := startOIDC(t, nil)
	d := startDeviceFlow(t, s, OIDCPublicClientID, "openid")
	wantStatus(t, verifyDevice(t, s, strings.ToLower(strings.ReplaceAll(d.str("user_code"), "-", "")), ""), http.StatusOK)
	if r := pollDevice(t, s, OIDCPublicClientID, d.str("device_code")); r.status != http.StatusOK {
		t.Fatalf("first poll: %s", r.raw)
	}
}

func TestDeviceAuthorizationRefusals(t *testing.T) {
	s := startOIDC(t, nil)
	confBasic := []string{"Authorization", basic(OIDCClientID, OIDCClientSecret)}
	tests := []struct {
		name, method, ctype, body string
		header                    []string
		status                    int
		wantError                 string
	}{
		{name: "confidential with post", body: form("client_id", OIDCClientID, "client_secret", OIDCClientSecret), status: 200},
		{name: "public without scope", body: form("client_id", OIDCPublicClientID), status: 200},
		{name: "confidential without secret", body: form("client_id", OIDCClientID, "scope", "openid"), status: 401, wantError: "invalid_client"},
		{name: "public with secret", body: form("client_id", OIDCPublicClientID, "client_secret", "x"), status: 400, wantError: "invalid_request"},
		{name: "no client", body: form("scope", "openid"), status: 401, wantError: "invalid_client"},
		{name: "unexpected parameter", header: confBasic, body: form("scope", "openid", "grant_type", deviceGrantType), status: 400, wantError: "invalid_request"},
		{name: "bad scope", header: confBasic, body: form("scope", " openid"), status: 400, wantError: "invalid_scope"},
		{name: "JSON body", header: confBasic, ctype: jsonType, body: `{"scope":"openid"}`, status: 400, wantError: "invalid_request"},
		{name: "GET", method: http.MethodGet, header: confBasic, status: 400, wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Count("oidc.device")
			method := http.MethodPost
			if tc.method != "" {
				method = tc.method
			}
			ctype := formType
			if tc.ctype != "" {
				ctype = tc.ctype
			}
			r := do(t, s, req{method: method, path: "/oidc/device", contentType: ctype, body: tc.body, header: tc.header})
			wantStatus(t, r, tc.status)
			if s.Count("oidc.device") != before+1 {
				t.Error("Count did not increase")
			}
			if tc.status != 200 && r.str("error") != tc.wantError {
				t.Errorf("body %s, want error %s", r.raw, tc.wantError)
			}
		})
	}
	t.Run("another client's device code", func(t *testing.T) {
		d := startDeviceFlow(t, s, OIDCPublicClientID, "")
		wantStatus(t, verifyDevice(t, s, d.str("user_code"), ""), 200)
		r := pollDevice(t, s, OIDCJWEClientID, d.str("device_code"))
		if r.str("error") != "invalid_grant" {
			t.Errorf("body %s", r.raw)
		}
	})
}

func TestDeviceVerifyPage(t *testing.T) {
	s := startOIDC(t, nil)
	d := startDeviceFlow(t, s, OIDCPublicClientID, "openid")
	code := d.str("user_code")
	tests := []struct {
		name   string
		rq     req
		status int
	}{
		{"unknown code", req{method: http.MethodGet, path: "/oidc/device/verify?user_code=BBBB-BBBB"}, 400},
		{"no code", req{method: http.MethodGet, path: "/oidc/device/verify"}, 400},
		{"bad action", req{method: http.MethodGet, path: "/oidc/device/verify?user_code=" + code + "&action=maybe"}, 400},
		{"extra parameter", req{method: http.MethodGet, path: "/oidc/device/verify?user_code=" + code + "&x=1"}, 400},
		{"POST", req{method: http.MethodPost, path: "/oidc/device/verify", contentType: formType, body: "user_code=" + code}, 400},
		{"approve", req{method: http.MethodGet, path: "/oidc/device/verify?user_code=" + code + "&action=approve"}, 200},
		{"decided already", req{method: http.MethodGet, path: "/oidc/device/verify?user_code=" + code + "&action=deny"}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Count("oidc.device.verify")
			r := do(t, s, tc.rq)
			wantStatus(t, r, tc.status)
			if ct := r.header.Get("Content-Type"); tc.status == 200 && ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if s.Count("oidc.device.verify") != before+1 {
				t.Error("Count did not increase")
			}
		})
	}
}
