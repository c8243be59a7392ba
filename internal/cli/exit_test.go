package cli

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tokctl/tokctl/internal/failure"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"usage", usageErrorf("bad"), 2},
		{"config", &failure.ConfigError{Provider: "tiki", Msg: "no url"}, 2},
		{"cobra unknown flag", errors.New("unknown flag: --x"), 2},
		{"cobra unknown command", errors.New(`unknown command "x" for "tokctl"`), 2},
		{"login required", &failure.LoginRequiredError{Provider: "ils"}, 3},
		{"credentials", &failure.CredentialsRejectedError{Provider: "ils", Status: 401}, 4},
		{"unavailable", &failure.UnavailableError{Provider: "ils", Status: 503}, 5},
		{"wrapped unavailable", fmt.Errorf("x: %w", &failure.UnavailableError{Provider: "ils"}), 5},
		{"provider refused", &failure.ProviderError{Provider: "ils", Status: 400}, 1},
		{"silent", &silentError{code: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
