package provider

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tokctl/tokctl/internal/oauth"
)

// Documented and observed error bodies (providers/*.txt, facts.md).
const (
	tiliaEnvelope     = `{"status":"Failure","message":["Unauthorized client or scope"],"codes":["UNAUTHORIZED"]}`
	tiliaInputError   = `{"status":"Failure","message":["scope is required","grant_type must be client_credentials"],"codes":["INPUT_ERROR"],"payload":{"errors":{"scope":"required"}}}`
	ilsStatusInfo     = `{"errors":[{"location":"clientSecret","reason":"invalid","message":"invalid client credentials"}],"statusCode":"401","statusInfoSet":{"ils_codeMajor":"failure","ils_codeMinor":"unauthorized","ils_codeSeverity":"error","ils_description":"invalid client credentials"}}`
	ilsTwoErrors      = `{"errors":[{"location":"clientId","reason":"invalid","message":"is required"},{"location":"","reason":"invalid","message":"body malformed"}],"statusCode":"400","statusInfoSet":{"ils_codeMajor":"failure","ils_codeMinor":"invalid data","ils_codeSeverity":"error","ils_description":"Bad request"}}`
	tikiErrorSchema   = `{"code":403,"errortitle":"Forbidden","message":"Client authentication failed"}`
	tikiLeagueRefresh = `{"error":"invalid_grant","error_description":"The refresh token is invalid.","hint":"Token has been revoked","message":"The refresh token is invalid."}`
)

func TestParseTiliaError(t *testing.T) {
	tests := []struct {
		name, body string
		want       oauth.ErrorInfo
	}{
		{"documented envelope", tiliaEnvelope, oauth.ErrorInfo{Description: "Unauthorized client or scope [UNAUTHORIZED]"}},
		{"several messages and a payload", tiliaInputError, oauth.ErrorInfo{Description: "scope is required; grant_type must be client_credentials [INPUT_ERROR]"}},
		{"message as a string", `{"status":"Failure","message":"invalid client","codes":["INPUT_ERROR"]}`, oauth.ErrorInfo{Description: "invalid client [INPUT_ERROR]"}},
		{"no codes", `{"status":"Failure","message":["boom"]}`, oauth.ErrorInfo{Description: "boom"}},
		{"empty message list", `{"status":"Failure","message":[],"codes":["X"]}`, oauth.ErrorInfo{Description: "[X]"}},
		{"message of another type", `{"status":"Failure","message":42,"codes":["X"]}`, oauth.ErrorInfo{Description: "[X]"}},
		{"rfc 6749 body", `{"error":"invalid_client","error_description":"bad"}`, oauth.ErrorInfo{Code: "invalid_client", Description: "bad"}},
		{"not json", `<html>Service Unavailable</html>`, oauth.ErrorInfo{}},
		{"empty", ``, oauth.ErrorInfo{}},
		{"control characters", `{"message":["a\u001b[2Jb\nc"]}`, oauth.ErrorInfo{Description: `a\x1b[2Jb c`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseTiliaError(400, []byte(tt.body)); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseILSError(t *testing.T) {
	tests := []struct {
		name, body string
		want       oauth.ErrorInfo
	}{
		{"documented status info, duplicate message once", ilsStatusInfo, oauth.ErrorInfo{Code: "unauthorized", Description: "invalid client credentials"}},
		{"two errors with and without location", ilsTwoErrors, oauth.ErrorInfo{Code: "invalid data", Description: "Bad request; clientId: is required; body malformed"}},
		{"errors only", `{"errors":[{"message":"too many requests"}],"statusCode":"429"}`, oauth.ErrorInfo{Description: "too many requests"}},
		{"description only", `{"errors":[],"statusInfoSet":{"ils_codeMinor":"server_busy","ils_description":"try later"}}`, oauth.ErrorInfo{Code: "server_busy", Description: "try later"}},
		{"empty errors list and no description", `{"errors":[],"statusCode":"500","statusInfoSet":{"ils_codeMinor":"server_busy"}}`, oauth.ErrorInfo{}},
		{"empty messages skipped", `{"errors":[{"location":"x","message":""}],"statusInfoSet":{"ils_description":"d"}}`, oauth.ErrorInfo{Description: "d"}},
		{"errors of the wrong type falls back to rfc 6749", `{"errors":"broken","error":"invalid_request"}`, oauth.ErrorInfo{Code: "invalid_request"}},
		{"rfc 6749 body", `{"error":"invalid_client","error_description":"bad"}`, oauth.ErrorInfo{Code: "invalid_client", Description: "bad"}},
		{"not json", `Too Many Requests`, oauth.ErrorInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseILSError(401, []byte(tt.body)); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseTikiError(t *testing.T) {
	tests := []struct {
		name, body string
		want       oauth.ErrorInfo
	}{
		{"documented error schema", tikiErrorSchema, oauth.ErrorInfo{Description: "Forbidden: Client authentication failed"}},
		{"title without message", `{"code":500,"errortitle":"Internal Server Error"}`, oauth.ErrorInfo{Description: "Internal Server Error"}},
		{"league refresh error", tikiLeagueRefresh, oauth.ErrorInfo{Code: "invalid_grant", Description: "The refresh token is invalid."}},
		{"league message only", `{"error":"invalid_client","message":"Client authentication failed"}`, oauth.ErrorInfo{Code: "invalid_client", Description: "Client authentication failed"}},
		{"code as a string", `{"code":"403","errortitle":"Forbidden","message":"no"}`, oauth.ErrorInfo{Description: "Forbidden: no"}},
		{"empty title falls back", `{"errortitle":"","message":"only a message"}`, oauth.ErrorInfo{Description: "only a message"}},
		{"not json", `<!DOCTYPE html>`, oauth.ErrorInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseTikiError(403, []byte(tt.body)); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestILSRateLimitReset(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		remaining string
		value     string
		want      time.Duration
		ok        bool
	}{
		{"429 seconds", 429, "", "60", time.Minute, true},
		{"429 zero", 429, "", "0", 0, true},
		{"429 spaces", 429, "", " 5 ", 5 * time.Second, true},
		{"429 unix time in the past", 429, "", "1000000001", 0, true},
		{"429 absent", 429, "", "", 0, false},
		{"429 negative", 429, "", "-5", 0, false},
		{"429 not a number", 429, "", "soon", 0, false},
		{"500 with quota spent", 500, "0", "60", time.Minute, true},
		{"503 with quota spent, spaces", 503, " 0 ", "7", 7 * time.Second, true},
		// The quota window is sent on every answer: with quota left it is
		// no reason to wait, whatever the status.
		{"500 with quota left", 500, "99", "60", 0, false},
		{"502 with quota left", 502, "1", "60", 0, false},
		{"500 without Remaining", 500, "", "60", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("X-Rate-Limit-Reset", tt.value)
			}
			if tt.remaining != "" {
				h.Set("X-Rate-Limit-Remaining", tt.remaining)
			}
			got, ok := ilsRateLimitReset(tt.status, h)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ilsRateLimitReset(%d, remaining %q, reset %q) = %v, %v; want %v, %v", tt.status, tt.remaining, tt.value, got, ok, tt.want, tt.ok)
			}
		})
	}
	t.Run("unix time in the future", func(t *testing.T) {
		h := http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10)}}
		got, ok := ilsRateLimitReset(429, h)
		if !ok || got < 28*time.Second || got > 30*time.Second {
			t.Errorf("got %v, %v; want about 30s", got, ok)
		}
	})
}

// maxText is clean's 300-byte limit plus the "…" it appends.
const maxText = 300 + len("…")

// FuzzErrorParsers feeds each provider's error parser arbitrary bodies: no
// panic, and what they return is one clean, bounded line.
func FuzzErrorParsers(f *testing.F) {
	for _, seed := range []string{
		tiliaEnvelope, tiliaInputError, ilsStatusInfo, ilsTwoErrors, tikiErrorSchema, tikiLeagueRefresh,
		`{"status":"Failure","message":"one string","codes":["X"]}`,
		`{"errors":[],"statusInfoSet":{}}`,
		`{"error":"invalid_client","error_description":"bad"}`,
		`{"message":["` + strings.Repeat("é", 200) + `"],"codes":["` + strings.Repeat("x", 200) + `"]}`,
		`{"errortitle":"\u009b31m","message":"\u001b[2J"}`,
		`<html></html>`, ``, `null`, `[]`,
	} {
		f.Add([]byte(seed), 400)
	}
	parsers := map[string]func(int, []byte) oauth.ErrorInfo{
		"tilia": parseTiliaError, "ils": parseILSError, "tiki": parseTikiError, "rfc6749": oauth.ParseRFC6749Error,
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		for name, parse := range parsers {
			info := parse(status, body)
			for field, s := range map[string]string{"code": info.Code, "description": info.Description} {
				if len(s) > maxText {
					t.Errorf("%s: %s is %d bytes, want at most %d", name, field, len(s), maxText)
				}
				if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
					t.Errorf("%s: %s %q has control or invisible format characters", name, field, s)
				}
				if !utf8.ValidString(s) {
					t.Errorf("%s: %s %q is not valid UTF-8", name, field, s)
				}
			}
		}
	})
}
