package cli

import (
	"errors"
	"testing"

	"github.com/tokctl/tokctl/internal/failure"
)

// Cobra's untyped argument errors are usage errors; everything else is
// classified by failure.ExitCode.
func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"usage", usageErrorf("bad"), 2},
		{"cobra unknown flag", errors.New("unknown flag: --x"), 2},
		{"cobra unknown command", errors.New(`unknown command "x" for "tokctl"`), 2},
		{"cobra flag value", errors.New(`invalid argument "x" for "--timeout" flag`), 2},
		{"login required", &failure.LoginRequiredError{Provider: "ils"}, 3},
		{"silent", &failure.SilentError{Code: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
