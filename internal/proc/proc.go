package proc

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
)

// Exit codes of a command that could not be run, as POSIX shells report them.
const (
	ExitCannotRun = 126 // found, but not executable
	ExitNotFound  = 127 // not found
)

// NotRunnableError says why a command cannot be run, without os/exec's
// quoting of its name; Code is the exit code a shell would report.
type NotRunnableError struct {
	Reason string
	Code   int
}

func (e *NotRunnableError) Error() string { return e.Reason }

// LookPath finds the program name as a shell would (exec.LookPath), or says
// why it cannot be run.
func LookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	code := ExitNotFound
	if errors.Is(err, fs.ErrPermission) {
		code = ExitCannotRun
	}
	return "", &NotRunnableError{Reason: lookPathReason(name, err), Code: code}
}

func lookPathReason(name string, err error) string {
	switch {
	case errors.Is(err, exec.ErrDot):
		return "it is in the current directory, which is not searched; name it ./" + name
	case errors.Is(err, exec.ErrNotFound):
		return "not found in $PATH; tokctl exec runs CMD without a shell (for shell syntax: -- sh -c '...')"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied (not executable)"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// StartDetached runs this program again with args (without the program
// name), in a session of its own and with no stdin, stdout or stderr, so
// that neither a terminal's Ctrl-C nor a caller waiting for this process's
// output (`$(tokctl token get …)`) waits for it. It does not wait either;
// the child is reaped if this process outlives it.
func StartDetached(args []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, args...)
	cmd.Args[0] = os.Args[0] // what the program was called, as a shell would pass it
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// ValidEnvName reports whether name is a portable environment variable name
// (POSIX: letters, digits and underscore, not starting with a digit).
func ValidEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
