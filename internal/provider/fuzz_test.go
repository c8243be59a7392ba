package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/oauth"
)

// The fuzz targets below feed each adapter arbitrary token-endpoint answers
// (status, body, Retry-After and X-Rate-Limit-Reset) through the whole path
// a real answer takes: oauth.Client (retry hints, size cap, log), the
// adapter's response and error parsers, and the classification into typed
// errors. FuzzParseToken (internal/oauth) and FuzzErrorParsers fuzz the
// parsers alone; these check what the user finally sees.

// The credentials every fuzzed request sends; no answer may make tokctl show them.
const (
	fuzzSecret  = "fuzz-client-secret-0123456789"
	fuzzRefresh = "fuzz-refresh-token-0123456789"
)

func FuzzTiliaResponse(f *testing.F) {
	fuzzAdapter(f, Settings{Name: "acme", Kind: "tilia", TokenURL: "https://auth.example.test/token", Scopes: []string{"user_info"}},
		`{"access_token":"eyJhbGciOiJSUzUxMiJ9.e30.c2ln","token_type":"Bearer","expires_in":"3600","scope":"user_info"}`,
		`{"access_token":"eyJhbGciOiJSUzUxMiJ9.e30.c2ln","token_type":"Bearer","expires_in":3600}`,
		tiliaEnvelope, tiliaInputError)
}

func FuzzILSResponse(f *testing.F) {
	fuzzAdapter(f, Settings{Name: "acme", Kind: "ils", TokenURL: "https://api.example.test/api/oauth/token"},
		`{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"bearer","expires_in":7200}`,
		ilsStatusInfo, ilsTwoErrors, `{"errors":[{"message":"too many requests"}],"statusCode":"429"}`)
}

func FuzzTikiResponse(f *testing.F) {
	fuzzAdapter(f, with(Settings{Name: "acme", Kind: "tiki"}, "url", "https://wiki.example.test"),
		`{"token_type":"Bearer","expires_in":3600,"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","refresh_token":"def50200abc"}`,
		tikiErrorSchema, tikiLeagueRefresh)
}

func FuzzTiltifyResponse(f *testing.F) {
	fuzzAdapter(f, Settings{Name: "acme", Kind: "tiltify", TokenURL: "https://v5api.example.test/oauth/token"},
		`{"access_token":"0dee4b6b7f801486a3b8ba16b1596732","created_at":"2026-01-01T00:00:00Z","expires_in":7200,"refresh_token":null,"scope":"public","token_type":"bearer"}`,
		`{"access_token":"abc","created_at":1767225600,"expires_in":null,"refresh_token":"r","scope":"public","token_type":"bearer"}`,
		`{"error":"invalid_client","error_description":"Client authentication failed"}`)
}

func FuzzOAuth2Response(f *testing.F) {
	fuzzAdapter(f, Settings{Name: "acme", Kind: "oauth2", TokenURL: "https://idp.example.test/oauth/token"},
		`{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}`,
		`{"error":"invalid_grant","error_description":"refresh token revoked"}`,
		`{"error":"invalid_client"}`)
}

// fuzzAdapter seeds f with each seed body at the statuses that matter and
// checks what the adapter built from s makes of any answer.
func fuzzAdapter(f *testing.F, s Settings, seeds ...string) {
	for _, body := range append(seeds,
		`<!DOCTYPE html><html><body>Sign in</body></html>`, ``, `null`, `[]`, `{"access_token":""}`,
		`{"access_token":"`+fuzzSecret+`","error_description":"`+fuzzSecret+` `+fuzzRefresh+`"}`,
		`{"error":"x","error_description":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}`,
	) {
		for _, status := range []int{200, 400, 401, 403, 429, 500, 503, 302} {
			f.Add(status, []byte(body), "1", false)
			f.Add(status, []byte(body), "", true)
		}
	}
	f.Add(429, []byte(`{}`), "Wed, 21 Oct 2015 07:28:00 GMT", false)
	f.Add(503, []byte(`{}`), "99999999999999999999", true)
	f.Add(429, []byte(`{}`), "-1", false)

	f.Fuzz(func(t *testing.T, status int, body []byte, wait string, refresh bool) {
		status = ((status-100)%900+900)%900 + 100 // 100-999
		hc := &oauth.Client{
			MaxAttempts:  2,
			MaxRetryWait: time.Millisecond, // parse the retry hints, never sleep on them
			Verbose:      io.Discard,
			HTTPClient: &http.Client{
				Transport:     answer{status: status, body: body, wait: wait},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			},
		}
		p, err := New(s, hc)
		if err != nil {
			t.Fatal(err)
		}
		var tok *oauth.Token
		creds := Credentials{ID: "fuzz-client", Secret: fuzzSecret}
		sent := []string{fuzzSecret}
		if refresh && Supports(p, GrantRefreshToken) {
			sent = append(sent, fuzzRefresh)
			tok, err = p.(Refresher).Refresh(context.Background(), creds, fuzzRefresh)
		} else {
			tok, err = p.(ClientCredentialsGrant).ClientCredentials(context.Background(), creds)
		}
		if err == nil {
			checkToken(t, status, body, tok)
			return
		}
		checkError(t, s.Name, status, body, sent, err)
	})
}

func checkToken(t *testing.T, status int, body []byte, tok *oauth.Token) {
	t.Helper()
	if status < 200 || status > 299 {
		t.Fatalf("a token from an HTTP %d answer %q", status, body)
	}
	if tok == nil || strings.TrimSpace(tok.AccessToken) == "" || strings.ContainsAny(tok.AccessToken, " \t\r\n") {
		t.Fatalf("unusable token %+v from %q", tok, body)
	}
	if !tok.Expiry.IsZero() && tok.Expiry.Before(time.Now().Add(-time.Minute)) {
		t.Fatalf("token expired on arrival (%v) from %q", tok.Expiry, body)
	}
}

// checkError: the error decides an exit code, names the provider, is one
// clean line, and shows neither what was sent nor the token in the answer.
func checkError(t *testing.T, name string, status int, body []byte, sent []string, err error) {
	t.Helper()
	var (
		down  *failure.UnavailableError
		creds *failure.CredentialsRejectedError
		login *failure.LoginRequiredError
		other *failure.ProviderError
	)
	if !errors.As(err, &down) && !errors.As(err, &creds) && !errors.As(err, &login) && !errors.As(err, &other) {
		t.Fatalf("untyped error %T %v from HTTP %d %q", err, err, status, body)
	}
	if (status == 429 || status >= 500) && down == nil {
		t.Fatalf("HTTP %d is not 'unavailable': %v", status, err)
	}
	msg := err.Error()
	switch {
	case !strings.HasPrefix(msg, name+": "):
		t.Fatalf("message does not name the provider: %q", msg)
	case !utf8.ValidString(msg):
		t.Fatalf("message is not UTF-8: %q", msg)
	case strings.ContainsFunc(msg, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
		t.Fatalf("message has control or invisible format characters: %q", msg)
	case len(msg) > 1500:
		t.Fatalf("message is %d bytes", len(msg))
	}
	for _, s := range sent {
		if strings.Contains(msg, s) {
			t.Fatalf("message shows a sent secret: %q", msg)
		}
	}
	var answered struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &answered) == nil && len(answered.AccessToken) >= 24 && strings.Contains(msg, answered.AccessToken) {
		t.Fatalf("message shows the answer's access token: %q", msg)
	}
}

// answer is a token endpoint that always gives the same answer, with no network.
type answer struct {
	status int
	body   []byte
	wait   string // Retry-After and X-Rate-Limit-Reset
}

func (a answer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if a.wait != "" {
		h.Set("Retry-After", a.wait)
		h.Set("X-Rate-Limit-Reset", a.wait)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(bytes.NewReader(a.body)), Request: r}, nil
}
