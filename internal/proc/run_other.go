//go:build !unix

package proc

import (
	"os"
	"os/exec"
	"os/signal"
)

// Run runs cmd as a child of tokctl and returns its exit
// code. There is nothing to pass on here: on Windows a console's Ctrl-C and
// Ctrl-Break go to every process attached to it, CMD included, and a
// process cannot be sent os.Interrupt. tokctl only keeps Ctrl-C from ending
// itself before CMD, so that it can still report CMD's exit code.
func Run(cmd *exec.Cmd) (int, error) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	err := cmd.Wait()
	if cmd.ProcessState == nil {
		return 0, err
	}
	return cmd.ProcessState.ExitCode(), nil
}
