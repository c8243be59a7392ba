package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tokctl/tokctl/internal/failure"
)

// leakedToken appears in error bodies; no message may ever show it.
const leakedToken = "SECRET-ACCESS-TOKEN-5f2b9c"

func TestTokenClassification(t *testing.T) {
	type kind int
	const (
		unavailable kind = iota
		rejected
		loginRequired
		providerErr
	)
	tests := []struct {
		name   string
		status int
		body   string
		grant  string
		parse  func(int, []byte) ErrorInfo
		want   kind
		text   []string // the provider's own text, in the message
	}{
		{"500", 500, `{"error":"server_error","error_description":"database down"}`, "client_credentials", nil, unavailable, []string{"server_error: database down", "HTTP 500"}},
		{"502 html", 502, `<html><body>Bad Gateway</body></html>`, "client_credentials", nil, unavailable, []string{"HTML", "HTTP 502"}},
		{"429", 429, `{"error":"slow_down"}`, "client_credentials", nil, unavailable, []string{"slow_down", "HTTP 429"}},
		{"401 no body", 401, ``, "client_credentials", nil, rejected, []string{"HTTP 401"}},
		{"401 invalid_client", 401, `{"error":"invalid_client","error_description":"client authentication failed"}`, "client_credentials", nil, rejected,
			[]string{"invalid_client: client authentication failed"}},
		{"403", 403, `{"error":"access_denied","error_description":"nope"}`, "client_credentials", nil, rejected, []string{"access_denied: nope", "HTTP 403"}},
		{"400 invalid_client", 400, `{"error":"invalid_client"}`, "client_credentials", nil, rejected, []string{"invalid_client"}},
		{"400 unauthorized_client", 400, `{"error":"unauthorized_client","error_description":"grant not allowed"}`, "client_credentials", nil, rejected,
			[]string{"unauthorized_client: grant not allowed"}},
		{"invalid_grant on refresh", 400, `{"error":"invalid_grant","error_description":"The refresh token is invalid."}`, "refresh_token", nil, loginRequired,
			[]string{"invalid_grant: The refresh token is invalid.", "tokctl login acme"}},
		{"401 on refresh", 401, `{"error":"invalid_token"}`, "refresh_token", nil, loginRequired, []string{"invalid_token"}},
		{"invalid_grant on client credentials", 400, `{"error":"invalid_grant"}`, "client_credentials", nil, providerErr, []string{"invalid_grant"}},
		{"400 invalid_scope", 400, `{"error":"invalid_scope","error_description":"scope foo unknown"}`, "client_credentials", nil, providerErr,
			[]string{"invalid_scope: scope foo unknown", "HTTP 400"}},
		{"400 league message", 400, `{"error":"invalid_request","message":"The request is missing a parameter"}`, "client_credentials", nil, providerErr,
			[]string{"invalid_request: The request is missing a parameter"}},
		{"400 html", 400, `<!DOCTYPE html><p>bad</p>`, "client_credentials", nil, providerErr, []string{"HTML"}},
		{"400 plain text", 400, `bad request`, "client_credentials", nil, providerErr, []string{"not a JSON object"}},
		{"404", 404, `{"error":"not_found"}`, "client_credentials", nil, providerErr, []string{"not_found", "HTTP 404"}},
		{"custom parser", 400, `{"oops":"x"}`, "client_credentials",
			func(int, []byte) ErrorInfo { return ErrorInfo{Code: "invalid_client", Description: "from the parser"} }, rejected,
			[]string{"invalid_client: from the parser"}},
		{"4xx body with an access_token", 400, `{"error":"invalid_request","error_description":"bad","access_token":"` + leakedToken + `"}`, "client_credentials", nil, providerErr,
			[]string{"invalid_request: bad"}},
		{"401 body with an access_token only", 401, `{"access_token":"` + leakedToken + `","refresh_token":"` + leakedToken + `"}`, "client_credentials", nil, rejected, nil},
		{"control characters escaped", 400, `{"error":"invalid_request","error_description":"line1\nline2\u001b[31m\u009b"}`, "client_credentials", nil, providerErr,
			[]string{`line1 line2\x1b[31m\x9b (HTTP 400`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, answer{status: tt.status, body: tt.body, header: map[string]string{"Retry-After": "0"}})
			ex := exchange(s.srv.URL)
			ex.Grant = tt.grant
			ex.ParseError = tt.parse
			ex.CredentialsHint = "check ACME_CLIENT_SECRET"
			_, err := fastClient().Token(context.Background(), ex)
			if err == nil {
				t.Fatal("Token succeeded, want an error")
			}
			var (
				ue *failure.UnavailableError
				ce *failure.CredentialsRejectedError
				le *failure.LoginRequiredError
				pe *failure.ProviderError
			)
			got := map[kind]bool{
				unavailable:   errors.As(err, &ue),
				rejected:      errors.As(err, &ce),
				loginRequired: errors.As(err, &le),
				providerErr:   errors.As(err, &pe),
			}
			if !got[tt.want] {
				t.Fatalf("err = %T %v, want kind %d", err, err, tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "acme: ") {
				t.Errorf("message %q does not name the provider", msg)
			}
			for _, text := range tt.text {
				if !strings.Contains(msg, text) {
					t.Errorf("message %q does not contain %q", msg, text)
				}
			}
			if tt.want == rejected && !strings.Contains(msg, "check ACME_CLIENT_SECRET") {
				t.Errorf("message %q lacks the credentials hint", msg)
			}
			if strings.Contains(msg, leakedToken) {
				t.Errorf("message %q contains the body's token", msg)
			}
			if strings.ContainsFunc(msg, unicode.IsControl) {
				t.Errorf("message %q contains control characters", msg)
			}
		})
	}
}

func TestParseRFC6749Error(t *testing.T) {
	tests := []struct {
		name, body string
		want       ErrorInfo
	}{
		{"code and description", `{"error":"invalid_client","error_description":"bad secret"}`, ErrorInfo{"invalid_client", "bad secret"}},
		{"code only", `{"error":"invalid_grant"}`, ErrorInfo{Code: "invalid_grant"}},
		{"league message fallback", `{"error":"invalid_grant","message":"The refresh token is invalid."}`, ErrorInfo{"invalid_grant", "The refresh token is invalid."}},
		{"error not a string", `{"error":{"code":1},"error_description":"x"}`, ErrorInfo{Description: "x"}},
		{"not json", `<html>`, ErrorInfo{}},
		{"empty", ``, ErrorInfo{}},
		{"long description truncated", `{"error":"e","error_description":"` + strings.Repeat("é", 400) + `"}`,
			ErrorInfo{"e", strings.Repeat("é", 150) + "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseRFC6749Error(400, []byte(tt.body)); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestErrorInfoText(t *testing.T) {
	tests := []struct {
		name string
		in   ErrorInfo
		want string
	}{
		{"both", ErrorInfo{"c", "d"}, "c: d"},
		{"code", ErrorInfo{Code: "c"}, "c"},
		{"description", ErrorInfo{Description: "d"}, "d"},
		{"none", ErrorInfo{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Text(); got != tt.want {
				t.Errorf("Text() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"config", &failure.ConfigError{Provider: "tiki", Msg: "no url"}, "tiki: no url"},
		{"login required default hint", &failure.LoginRequiredError{Provider: "tiki", Reason: "nothing stored"}, "tiki: nothing stored; run `tokctl login tiki`"},
		{"login required own hint", &failure.LoginRequiredError{Provider: "ils", Reason: "no secret", Hint: "set X"}, "ils: no secret; set X"},
		{"rejected", &failure.CredentialsRejectedError{Provider: "ils", Status: 401, Detail: "bad", Hint: "check Y"},
			"ils: the provider rejected the client credentials: bad (HTTP 401 Unauthorized); check Y"},
		{"unavailable wraps", &failure.UnavailableError{Provider: "p", Detail: "gave up", Err: errors.New("timed out")},
			"p: token endpoint unavailable: gave up: timed out; try again later, or check the endpoint with `tokctl providers`"},
		{"unavailable status only", &failure.UnavailableError{Provider: "p", Status: 503},
			"p: token endpoint unavailable (HTTP 503 Service Unavailable); try again later, or check the endpoint with `tokctl providers`"},
		{"provider default hint", &failure.ProviderError{Provider: "p", Status: 400, Detail: "invalid_scope"},
			"p: the provider refused the token request: invalid_scope (HTTP 400 Bad Request); check the provider's settings with `tokctl providers`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q\nwant       %q", got, tt.want)
			}
		})
	}
}

func TestParseRFC6749ErrorOddTypes(t *testing.T) {
	got := ParseRFC6749Error(400, []byte(`{"error":"invalid_client","error_description":42,"message":"bad client"}`))
	if got.Code != "invalid_client" || got.Description != "bad client" {
		t.Errorf("got %+v, want code invalid_client, description from message", got)
	}
}

// A 429 or 5xx whose wait is beyond the retry budget ends the request at
// once, and the message says how long the provider asked to wait.
func TestUnavailableSaysHowLongToWait(t *testing.T) {
	xReset := func(_ int, h http.Header) (time.Duration, bool) {
		d, err := time.ParseDuration(h.Get("X-Reset"))
		return d, err == nil
	}
	tests := []struct {
		name   string
		answer answer
		hook   func(int, http.Header) (time.Duration, bool)
		want   time.Duration
		msg    string
	}{
		{"429 Retry-After in seconds", answer{status: 429, body: `{"error":"slow_down"}`, header: map[string]string{"Retry-After": "3600"}}, nil,
			time.Hour, "(HTTP 429 Too Many Requests); the provider asks to wait 1h0m0s before trying again"},
		{"503 with the provider's own header", answer{status: 503, header: map[string]string{"X-Reset": "90s"}}, xReset,
			90 * time.Second, "(HTTP 503 Service Unavailable); the provider asks to wait 1m30s before trying again"},
		{"429 without a hint, retries spent", answer{status: 429, header: map[string]string{"Retry-After": "0"}}, nil,
			0, "(HTTP 429 Too Many Requests); try again later, or check the endpoint with `tokctl providers`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, tt.answer)
			ex := exchange(s.srv.URL)
			ex.RetryAfter = tt.hook
			_, err := fastClient().Token(context.Background(), ex)
			var ue *failure.UnavailableError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want an failure.UnavailableError", err)
			}
			if ue.RetryIn != tt.want {
				t.Errorf("RetryIn = %v, want %v", ue.RetryIn, tt.want)
			}
			if !strings.HasSuffix(err.Error(), tt.msg) {
				t.Errorf("message %q does not end with %q", err.Error(), tt.msg)
			}
			if tt.want > 0 && s.hits.Load() != 1 {
				t.Errorf("%d requests, want 1: a wait beyond the budget is not waited", s.hits.Load())
			}
		})
	}
}

// A provider's BadRequestHint replaces the generic next step after a 400
// only: other refusals keep it.
func TestBadRequestHint(t *testing.T) {
	const hint = "this provider answers 400 to unknown credentials too: check ACME_CLIENT_ID"
	const generic = "check the provider's settings with `tokctl providers`"
	tests := []struct {
		name   string
		status int
		hint   string
		want   string
	}{
		{"400 with a hint", 400, hint, hint},
		{"400 without", 400, "", generic},
		{"404 with a hint", 404, hint, generic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, answer{status: tt.status, body: `{"error":"invalid_request"}`})
			ex := exchange(s.srv.URL)
			ex.BadRequestHint = tt.hint
			_, err := fastClient().Token(context.Background(), ex)
			var pe *failure.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a failure.ProviderError", err)
			}
			if !strings.HasSuffix(err.Error(), "; "+tt.want) {
				t.Errorf("message %q does not end with %q", err.Error(), tt.want)
			}
		})
	}
}
