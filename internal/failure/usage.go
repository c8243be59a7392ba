package failure

import "fmt"

// UsageError is a mistake in the command line or in a value given to tokctl
// (exit 2), found before anything is sent.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef is a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}
