package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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
		{"eyJeyJ.a.b", "[redacted]"},
		{"xeyJa.eyJb.c.d", "x[redacted].d"},
	}
	for _, tt := range tests {
		if got := redactJWTs(tt.in); got != tt.want {
			t.Errorf("redactJWTs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A megabyte of near-JWTs is redacted in linear time.
func TestRedactJWTsLinear(t *testing.T) {
	s := strings.Repeat("eyJ", 1<<18) + " " + strings.Repeat("eyJa.", 1<<18)
	start := time.Now()
	redactJWTs(s)
	if took := time.Since(start); took > time.Second {
		t.Errorf("redactJWTs of %d bytes took %v", len(s), took)
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
	// Through Clean's truncation at 300 bytes.
	desc := strings.Repeat("x", 280) + " " + secret
	info := ParseRFC6749Error(400, []byte(`{"error":"e","error_description":"`+desc+`"}`))
	if got := scrubSent(info.Description, []string{secret}); strings.Contains(got, secret[:8]) {
		t.Errorf("a truncated secret shows: %q", got)
	}
}

// FuzzRedact: whatever a provider writes, what is shown of it holds no
// JWT-shaped string and no sent secret, and stays valid UTF-8.
func FuzzRedact(f *testing.F) {
	for _, seed := range []string{
		"token " + jwtSample + " revoked", jwtSample + jwtSample, "eyJeyJ.a.b.c", "eyJ", "a.eyJb.c..d", "é eyJ\u009b.x.y",
		"secret 0123456789abcdef-secret cut…", strings.Repeat("0123456789abcdef-secret", 3),
	} {
		f.Add(seed, "0123456789abcdef-secret")
	}
	f.Fuzz(func(t *testing.T, s, secret string) {
		var secrets []string
		if len(secret) >= minScrub && utf8.ValidString(secret) { // as sentSecrets passes them
			secrets = append(secrets, secret)
		}
		out := scrubSent(redactJWTs(s), secrets)
		for rest := out; ; { // no JWT left beyond the 6-byte prefix Redact keeps
			i := strings.Index(rest, "eyJ")
			if i < 0 {
				break
			}
			n, ok := jwtLen(rest[i:])
			if ok && n > 6 {
				t.Fatalf("%q still holds a JWT: %q", s, rest[i:i+n])
			}
			rest = rest[i+n:]
		}
		if len(secrets) > 0 && strings.Contains(out, secret) && !strings.Contains(secret, "[redacted]") {
			t.Fatalf("%q still holds the secret %q: %q", s, secret, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("%q became invalid UTF-8: %q", s, out)
		}
	})
}

// Every way a provider might quote a sent secret is scrubbed from its error
// text: raw, form-encoded, path-encoded, and the Basic credentials as base64
// (plain and RFC 6749 §2.3.1 form-encoded, padded or not, URL-safe alphabet).
func TestReadErrorScrubsEveryEncoding(t *testing.T) {
	const id, secret, refresh = "client:id", "s3cr:t+%/ &=é~", "refresh/token+1=="
	r := &Request{
		Form:  url.Values{"refresh_token": {refresh}},
		Basic: &BasicAuth{User: id, Password: secret, FormEncode: true},
	}
	b64 := func(enc *base64.Encoding, s string) string { return enc.EncodeToString([]byte(s)) }
	formPair := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	for name, echoed := range map[string]string{
		"raw secret":         secret,
		"form secret":        url.QueryEscape(secret),
		"path secret":        url.PathEscape(secret),
		"raw refresh":        refresh,
		"form refresh":       url.QueryEscape(refresh),
		"path refresh":       url.PathEscape(refresh),
		"basic":              b64(base64.StdEncoding, id+":"+secret),
		"basic form-encoded": b64(base64.StdEncoding, formPair),
		"basic header":       "Basic " + b64(base64.StdEncoding, formPair),
		"basic unpadded":     b64(base64.RawStdEncoding, formPair),
		"basic url alphabet": b64(base64.URLEncoding, formPair),
	} {
		body, _ := json.Marshal(map[string]string{"error": "invalid_client", "error_description": "you sent " + echoed + " here"})
		info := ReadError(r, &Response{Status: 401, Body: body}, nil)
		if strings.Contains(info.Text(), echoed) || strings.Contains(info.Text(), secret) || strings.Contains(info.Text(), refresh) {
			t.Errorf("%s: %q shows the secret", name, info.Text())
		}
		if !strings.HasPrefix(info.Description, "you sent ") || !strings.Contains(info.Description, "[redacted]") {
			t.Errorf("%s: %q lost the provider's text or the mark", name, info.Description)
		}
	}
}

func TestHideUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:hunter2@idp.example.com/token": "https://idp.example.com/token",
		"https://user@idp.example.com/token?a=b":     "https://idp.example.com/token?a=b",
		"https://idp.example.com/token":              "https://idp.example.com/token",
		"https://us er:hun%zz@idp.example.com/x y":   "https://idp.example.com/x y",
		"user:hunter2@idp.example.com/token":         "idp.example.com/token",
		"https://idp.example.com/path@not-userinfo":  "https://idp.example.com/path@not-userinfo",
		"": "",
	} {
		if got := HideUserinfo(in); got != want {
			t.Errorf("HideUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
	for _, raw := range []string{"http://user:hunter2@idp.example.com/token", "ftp://user:hunter2@idp.example.com/", "https://user:hun%zz2@idp/x"} {
		if err := CheckEndpoint("acme", raw); err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun%zz2") || strings.Contains(err.Error(), "user") {
			t.Errorf("CheckEndpoint(%q) = %v, want a refusal without the userinfo", raw, err)
		}
	}
}
