package failure

import (
	"errors"
	"testing"
	"time"
)

func TestMessages(t *testing.T) {
	cause := errors.New("connection refused")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"config", &ConfigError{Provider: "tiki", Msg: "no client_id"}, "tiki: no client_id"},
		{"login required, default next step", &LoginRequiredError{Provider: "tiki", Reason: "no stored token"},
			"tiki: no stored token; run `tokctl login tiki`"},
		{"login required, own hint", &LoginRequiredError{Provider: "tilia", Reason: "no client secret", Hint: "set TOKCTL_TILIA_CLIENT_SECRET"},
			"tilia: no client secret; set TOKCTL_TILIA_CLIENT_SECRET"},
		{"credentials rejected", &CredentialsRejectedError{Provider: "ils", Status: 401, Detail: "invalid_client", Hint: "check the secret"},
			"ils: the provider rejected the client credentials: invalid_client (HTTP 401 Unauthorized); check the secret"},
		{"unavailable, default summary", &UnavailableError{Provider: "tiki", Status: 503},
			"tiki: token endpoint unavailable (HTTP 503 Service Unavailable); try again later, or check the endpoint with `tokctl providers`"},
		{"unavailable, cause and retry", &UnavailableError{Provider: "tiki", Detail: "gave up", Err: cause, RetryIn: 1500 * time.Millisecond},
			"tiki: token endpoint unavailable: gave up: connection refused; the provider asks to wait 2s before trying again"},
		{"unavailable, short retry rounds up", &UnavailableError{Provider: "tiki", Status: 429, RetryIn: time.Millisecond},
			"tiki: token endpoint unavailable (HTTP 429 Too Many Requests); the provider asks to wait 1s before trying again"},
		{"unavailable, summary and hint", &UnavailableError{Provider: "acme", Summary: "cannot reach issuer https://idp.example.com", Hint: "check issuer"},
			"acme: cannot reach issuer https://idp.example.com; check issuer"},
		{"provider refusal", &ProviderError{Provider: "acme", Status: 400, Code: "invalid_scope", Detail: "invalid_scope"},
			"acme: the provider refused the token request: invalid_scope (HTTP 400 Bad Request); check the provider's settings with `tokctl providers`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	if !errors.Is(&UnavailableError{Provider: "tiki", Err: cause}, cause) {
		t.Error("UnavailableError does not unwrap to its cause")
	}
}
