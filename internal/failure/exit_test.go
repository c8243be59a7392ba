package failure

import (
	"errors"
	"fmt"
	"syscall"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"usage", Usagef("bad %s", "flag"), 2},
		{"config", &ConfigError{Provider: "tiki", Msg: "no url"}, 2},
		{"login required", &LoginRequiredError{Provider: "ils"}, 3},
		{"credentials", &CredentialsRejectedError{Provider: "ils", Status: 401}, 4},
		{"unavailable", &UnavailableError{Provider: "ils", Status: 503}, 5},
		{"wrapped unavailable", fmt.Errorf("x: %w", &UnavailableError{Provider: "ils"}), 5},
		{"provider refused", &ProviderError{Provider: "ils", Status: 400}, 1},
		{"silent", &SilentError{Code: 7}, 7},
		{"ctrl-c", &InterruptedError{Provider: "ils", Signal: syscall.SIGINT}, 130},
		{"sigterm wrapped", fmt.Errorf("x: %w", &InterruptedError{Provider: "ils", Signal: syscall.SIGTERM}), 143},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
