//go:build unix

package proc

import (
	"os/exec"
	"syscall"
)

// detach makes cmd a session of its own: no terminal signal (Ctrl-C in the
// caller's shell) reaches it, and the caller does not wait for it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
