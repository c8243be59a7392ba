package oauth

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
)

const jwtSample = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

func TestRedactJWTs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no token here", "no token here"},
		{"token " + jwtSample + " is revoked", "token eyJhbG…[redacted] is revoked"},
		{jwtSample + "," + jwtSample, "eyJhbG…[redacted],eyJhbG…[redacted]"},
		{"unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. end", "unsigned eyJhbG…[redacted] end"},
		{"eyJ alone and eyJabc.def are no JWTs", "eyJ alone and eyJabc.def are no JWTs"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := redactJWTs(tt.in); got != tt.want {
			t.Errorf("redactJWTs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSentSecrets(t *testing.T) {
	r := &Request{
		Form:  url.Values{"client_secret": {"form-secret-1"}, "scope": {"read write admin"}, "refresh_token": {"refresh-token-2"}, "code": {"short"}},
		Query: url.Values{"client_secret": {"query-secret-3"}, "client_id": {"public-client-id"}},
		JSON:  map[string]string{"clientSecret": "json-secret-4", "clientId": "public-client-id"},
		Basic: &BasicAuth{User: "public-client-id", Password: "basic secret/5"},
	}
	got := strings.Join(sentSecrets(r), " | ")
	for _, want := range []string{"form-secret-1", "refresh-token-2", "query-secret-3", "json-secret-4", "basic secret/5", "basic+secret%2F5"} {
		if !strings.Contains(got, want) {
			t.Errorf("sentSecrets lacks %q: %s", want, got)
		}
	}
	for _, not := range []string{"read write admin", "public-client-id", "short"} {
		if strings.Contains(got, not) {
			t.Errorf("sentSecrets holds %q: %s", not, got)
		}
	}
}

// A provider that quotes the secret it was sent, or a token, in its error
// text: the message and the verbose log show neither.
func TestProviderTextNeverEchoesSecrets(t *testing.T) {
	const secret, refresh = "s3cr3t-value-xyz", "refresh-abcdef-123456"
	srv := serve(t, answer{status: 400, body: `{"error":"invalid_grant","error_description":"refresh token ` + refresh +
		` for client secret ` + secret + ` was revoked; last access token ` + jwtSample + `","hint":["` + jwtSample + `"]}`})
	var log bytes.Buffer
	c := fastClient()
	c.Verbose = &log
	ex := exchange(srv.srv.URL)
	ex.Form.Set("client_secret", secret)
	ex.Form.Set("refresh_token", refresh)
	_, err := c.Token(context.Background(), ex)
	if err == nil {
		t.Fatal("no error")
	}
	for name, out := range map[string]string{"error": err.Error(), "log": log.String()} {
		for _, s := range []string{secret, refresh, jwtSample, "c2lnbmF0dXJl"} {
			if strings.Contains(out, s) {
				t.Errorf("the %s shows %q: %s", name, s, out)
			}
		}
	}
	if !strings.Contains(err.Error(), "refresh token [redacted] for client secret [redacted] was revoked; last access token eyJhbG…[redacted]") {
		t.Errorf("error %q lost the provider's text", err)
	}
}

func TestScrubSentAtTruncation(t *testing.T) {
	secret := "0123456789abcdef-secret"
	tests := []struct{ in, want string }{
		{"before " + secret + " after", "before [redacted] after"},
		{"cut in " + secret[:10] + "…", "cut in [redacted]…"},
		{"cut in " + secret[:3] + "…", "cut in 012…"}, // too short to tell
		{"no secret…", "no secret…"},
	}
	for _, tt := range tests {
		if got := scrubSent(tt.in, []string{secret}); got != tt.want {
			t.Errorf("scrubSent(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Through clean's truncation at 300 bytes.
	desc := strings.Repeat("x", 280) + " " + secret
	info := ParseRFC6749Error(400, []byte(`{"error":"e","error_description":"`+desc+`"}`))
	if got := scrubSent(info.Description, []string{secret}); strings.Contains(got, secret[:8]) {
		t.Errorf("a truncated secret shows: %q", got)
	}
}
