package failure

import (
	"errors"
	"fmt"
	"syscall"
)

// Exit codes of the contract.
const (
	ExitOK            = 0
	ExitError         = 1
	ExitUsage         = 2
	ExitLoginRequired = 3
	ExitCredentials   = 4
	ExitUnavailable   = 5
)

// ExitCode maps an error to the contract's exit code.
func ExitCode(err error) int {
	var (
		usage  *UsageError
		cfg    *ConfigError
		login  *LoginRequiredError
		creds  *CredentialsRejectedError
		down   *UnavailableError
		silent *SilentError
		intr   *InterruptedError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &silent):
		return silent.Code
	case errors.As(err, &intr):
		return 128 + int(intr.Signal)
	case errors.As(err, &usage), errors.As(err, &cfg):
		return ExitUsage
	case errors.As(err, &login):
		return ExitLoginRequired
	case errors.As(err, &creds):
		return ExitCredentials
	case errors.As(err, &down):
		return ExitUnavailable
	}
	return ExitError
}

// InterruptedError ends a command that Ctrl-C or SIGTERM stopped while it
// waited: exit 128 + the signal's number, as a shell reports a process the
// signal killed (130 for Ctrl-C, 143 for SIGTERM).
type InterruptedError struct {
	Provider string
	Signal   syscall.Signal
}

func (e *InterruptedError) Error() string { return e.Provider + ": interrupted" }

// SilentError ends a command with Code after it printed its own message
// (or, for tokctl exec, after the command it ran ended with Code).
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }
