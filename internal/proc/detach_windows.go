//go:build windows

package proc

import (
	"os/exec"
	"syscall"
)

// detach starts cmd without a console and in a process group of its own, so
// that Ctrl-C in the caller's console does not reach it.
func detach(cmd *exec.Cmd) {
	const detachedProcess = 0x00000008 // DETACHED_PROCESS
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP | detachedProcess}
}
