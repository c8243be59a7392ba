package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// A panic anywhere under Main ends in exit 1 and one line that names only
// the panic's type, never its value (which could hold a secret or token).
func TestRecoverPanicHidesTheValue(t *testing.T) {
	const secret = "client-secret-9bc00ca4"
	for name, value := range map[string]any{
		"string": "token " + secret,
		"error":  errors.New("refresh_token=" + secret),
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("TOKCTL_DEBUG", "")
			var stderr bytes.Buffer
			code := 0
			func() {
				defer recoverPanic(&stderr, &code)
				panic(value)
			}()
			if code != exitError {
				t.Errorf("code = %d, want %d", code, exitError)
			}
			out := stderr.String()
			if strings.Contains(out, secret) || !strings.HasPrefix(out, "tokctl: internal error (") || strings.Count(out, "\n") != 1 {
				t.Errorf("stderr = %q", out)
			}
		})
	}
	code := 0
	func() { defer recoverPanic(&bytes.Buffer{}, &code) }()
	if code != 0 {
		t.Errorf("no panic changed the code to %d", code)
	}
}
