package cli

import (
	"strings"

	"github.com/tokctl/tokctl/internal/failure"
)

// usageErrorf is a mistake in the command line (exit 2).
func usageErrorf(format string, args ...any) error { return failure.Usagef(format, args...) }

// exitCode maps an error to the contract's exit code: cobra's own argument
// errors, which are untyped, are usage errors (exit 2).
func exitCode(err error) int {
	if err != nil && isCobraUsage(err) {
		return failure.ExitUsage
	}
	return failure.ExitCode(err)
}

// isCobraUsage recognises cobra's own argument errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "flag needs an argument", "accepts ", "requires at least", "required flag"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}
