package oauth

import (
	"bytes"
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestVerboseLogRedacts(t *testing.T) {
	const (
		secret  = "client-secret-9bc00ca4-937e"
		access  = "eyJhbGciOiJSUzI1NiJ9.access-token-payload.signature"
		refresh = "refresh-token-def50200abcdef"
		idTok   = "eyJhbGciOiJSUzI1NiJ9.id-token-payload.signature"
		code    = "auth-code-1234567890abcdef"
		short   = "shortsecret"
	)
	tokenBody := `{"access_token":"` + access + `","refresh_token":"` + refresh + `","id_token":"` + idTok + `","token_type":"Bearer","expires_in":3600}`
	tests := []struct {
		name    string
		req     func(u string) Request
		answer  answer
		secrets []string
		keep    []string // what the log should still show, redaction marks included
	}{
		{"form client_secret (tilia)", func(u string) Request {
			return Request{Method: "POST", URL: u, Form: url.Values{"client_id": {"cid-1"}, "client_secret": {secret}, "grant_type": {"client_credentials"}}}
		}, ok200, []string{secret}, []string{"client_id=cid-1", "client_secret=[redacted]", "grant_type=client_credentials"}},
		{"json clientSecret (ils)", func(u string) Request {
			return Request{Method: "POST", URL: u, JSON: map[string]string{"clientId": "cid-2", "clientSecret": secret}}
		}, ok200, []string{secret}, []string{`"clientId":"cid-2"`, `"clientSecret":"[redacted]"`}},
		{"json client_secret (tiltify)", func(u string) Request {
			return Request{Method: "POST", URL: u, JSON: map[string]string{"client_id": "cid-3", "client_secret": secret, "grant_type": "client_credentials"}}
		}, ok200, []string{secret}, []string{`"client_secret":"[redacted]"`}},
		{"basic auth header", func(u string) Request {
			return Request{Method: "POST", URL: u, Form: url.Values{}, Basic: &BasicAuth{User: "cid-4", Password: secret, FormEncode: true}}
		}, ok200, []string{secret, "Y2lkLTQ6"}, []string{"Authorization: Basic [redacted]"}},
		{"query-string secret and code (tiki)", func(u string) Request {
			return Request{Method: "GET", URL: u, Query: url.Values{"client_id": {"cid-5"}, "client_secret": {secret}, "code": {code}, "grant_type": {"authorization_code"}}}
		}, ok200, []string{secret, code}, []string{"client_id=cid-5", "client_secret=[redacted]", "code=auth-c…[redacted]"}},
		{"short secret fully hidden", func(u string) Request {
			return Request{Method: "POST", URL: u, Form: url.Values{"password": {short}, "refresh_token": {short}}}
		}, ok200, []string{short}, []string{"password=[redacted]", "refresh_token=[redacted]"}},
		{"password in the url", func(u string) Request {
			pu, _ := url.Parse(u)
			pu.User = url.UserPassword("user", secret)
			return Request{Method: "POST", URL: pu.String(), Form: url.Values{}}
		}, ok200, []string{secret, "user:", "xxxxx"}, []string{"> POST http://127.0.0.1"}},
		{"tokens in the response", func(u string) Request {
			return Request{Method: "POST", URL: u, Form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}}
		}, answer{status: 200, body: tokenBody}, []string{access, refresh, idTok},
			[]string{`"access_token":"eyJhbG…[redacted]"`, `"refresh_token":"refres…[redacted]"`, `"id_token":"eyJhbG…[redacted]"`, `"token_type":"Bearer"`}},
		{"tokens in a 4xx response, nested", func(u string) Request {
			return Request{Method: "POST", URL: u, Form: url.Values{}}
		}, answer{status: 400, body: `{"error":"invalid_request","payload":{"token":"` + access + `","client_secret":"` + secret + `"}}`}, []string{access, secret},
			[]string{`"error":"invalid_request"`, "< 400 Bad Request", `"token":"eyJhbG…[redacted]"`, `"client_secret":"[redacted]"`}},
		{"non-json response described, not shown", func(u string) Request {
			return Request{Method: "POST", URL: u, Form: url.Values{}}
		}, answer{status: 200, body: "access_token=" + access}, []string{access}, []string{"not JSON"}},
	}
	prefixes := regexp.MustCompile(`"?([A-Za-z0-9_-]+)…\[redacted\]`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serve(t, tt.answer)
			var buf bytes.Buffer
			c := &Client{Verbose: &buf, MaxAttempts: 1}
			r := tt.req(s.srv.URL + "/token")
			r.Provider = "acme"
			if _, err := c.Do(context.Background(), &r); err != nil {
				t.Fatal(err)
			}
			log := buf.String()
			for _, sec := range tt.secrets {
				if strings.Contains(log, sec) || strings.Contains(log, url.QueryEscape(sec)) {
					t.Errorf("log shows %q:\n%s", sec, log)
				}
			}
			for _, k := range tt.keep {
				if !strings.Contains(log, k) {
					t.Errorf("log lacks %q:\n%s", k, log)
				}
			}
			for _, m := range prefixes.FindAllStringSubmatch(log, -1) {
				if len(m[1]) > 6 {
					t.Errorf("kept prefix %q is longer than 6 characters", m[1])
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "[redacted]"},
		{"short", "abc", "[redacted]"},
		{"twelve", "abcdefghijkl", "[redacted]"},
		{"long keeps six", "abcdefghijklm", "abcdef…[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
