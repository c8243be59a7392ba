//go:build unix

package proc

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// Run runs cmd as a child of tokctl, passes on the signals
// tokctl receives until cmd ends, and returns cmd's exit status as a shell
// reports it: its exit code, or 128+N when signal N killed it.
//
// Why a child and not syscall.Exec (replacing tokctl by CMD, as aws-vault
// does by default)? Exec would hand signals to CMD for free, but the
// contract is that tokctl exits with CMD's code: a CMD killed by SIGTERM
// would leave tokctl's parent a process killed by a signal, not exit 143 as
// everywhere else in tokctl (Ctrl-C 130, SIGTERM 143); there is no exec on
// Windows, so it would be a second code path; and exec discards the Go
// runtime without running tokctl's deferred work. A child in tokctl's own
// process group costs one fork and keeps job control intact: a terminal's
// Ctrl-C, Ctrl-\ and Ctrl-Z reach the whole foreground group, CMD included,
// and the shell sees the job stop and continue as one.
//
// That same group membership is why a keyboard signal is not passed on: the
// terminal has delivered it to CMD already, and a second SIGINT makes many
// programs (terraform, docker compose) abort at once instead of shutting
// down cleanly. Go does not tell a handler who sent a signal, so tokctl
// infers it: SIGINT, SIGQUIT and SIGHUP while one of its standard streams is
// a terminal whose foreground process group is tokctl's own came from that
// terminal. Everything else — kill(1), a CI runner's SIGTERM, a supervisor,
// any signal while tokctl runs without a terminal — is passed on. The one
// case this gets wrong: a SIGINT, SIGQUIT or SIGHUP sent with kill to
// tokctl's pid while tokctl is the foreground job of a terminal is not
// passed on (SIGTERM, the signal for that, always is).
func Run(cmd *exec.Cmd) (int, error) {
	sigs := make(chan os.Signal, 8)
	// Before Start: a signal between Start and Notify would kill tokctl and
	// orphan CMD. One that arrives before CMD exists waits in the channel.
	// The signals that ask a program to stop or to reload, which would
	// otherwise end tokctl and leave CMD running on its own.
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan struct{})
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		for {
			select {
			case sig := <-sigs:
				if !fromTerminal(sig) {
					_ = cmd.Process.Signal(sig) // fails only once CMD has ended
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	<-forwarded
	if cmd.ProcessState == nil {
		return 0, err
	}
	return exitStatus(cmd.ProcessState), nil
}

// fromTerminal reports whether sig is one a terminal sends to its whole
// foreground process group while tokctl is in that group: CMD, in the same
// group, has had it already.
func fromTerminal(sig os.Signal) bool {
	switch sig {
	case syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP:
	default:
		return false
	}
	own := unix.Getpgrp()
	for _, fd := range []int{0, 1, 2} {
		if fg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err == nil && fg == own {
			return true
		}
	}
	return false
}

// exitStatus is a finished process's status as a shell reports it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
