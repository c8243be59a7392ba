package cli

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/tokctl/tokctl/internal/failure"
)

// Exit codes of the contract.
const (
	exitOK            = 0
	exitError         = 1
	exitUsage         = 2
	exitLoginRequired = 3
	exitCredentials   = 4
	exitUnavailable   = 5
)

// usageErrorf is a mistake in the command line (exit 2).
func usageErrorf(format string, args ...any) error { return failure.Usagef(format, args...) }

// exitCode maps an error to the contract's exit code.
func exitCode(err error) int {
	var (
		usage  *failure.UsageError
		cfg    *failure.ConfigError
		login  *failure.LoginRequiredError
		creds  *failure.CredentialsRejectedError
		down   *failure.UnavailableError
		silent *silentError
		intr   *interruptedError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &silent):
		return silent.code
	case errors.As(err, &intr):
		return 128 + int(intr.signal)
	case errors.As(err, &usage), errors.As(err, &cfg), isCobraUsage(err):
		return exitUsage
	case errors.As(err, &login):
		return exitLoginRequired
	case errors.As(err, &creds):
		return exitCredentials
	case errors.As(err, &down):
		return exitUnavailable
	}
	return exitError
}

// isCobraUsage recognises cobra's own argument errors, which are untyped.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument", "flag needs an argument", "accepts ", "requires at least", "required flag"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

// interruptedError ends a command that Ctrl-C or SIGTERM stopped while it
// waited: exit 128 + the signal's number, as a shell reports a process the
// signal killed (130 for Ctrl-C, 143 for SIGTERM).
type interruptedError struct {
	provider string
	signal   syscall.Signal
}

func (e *interruptedError) Error() string { return e.provider + ": interrupted" }

// silentError ends a command with a code after it printed its own message.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
