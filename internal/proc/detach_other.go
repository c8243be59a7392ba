//go:build !unix && !windows

package proc

import "os/exec"

// detach does nothing where the platform has no sessions: cmd has no
// stdin, stdout or stderr either way.
func detach(*exec.Cmd) {}
