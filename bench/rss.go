//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Peak RSS. wait4's ru_maxrss cannot be used as is: Go starts children with
// vfork semantics (CLONE_VM), and at exec the kernel folds the high-water
// mark of the memory the child shared with its parent, the benchmark
// program's own, into the child's ru_maxrss, so every program would seem to
// use at least as much memory as the benchmark. Instead, the child is
// started under ptrace with PTRACE_O_TRACEEXIT: at its exit stop its memory
// still exists and /proc/PID/status's VmHWM is the peak RSS of the program
// itself. Where ptrace is not allowed, ru_maxrss is reported and marked.

// peakRSS runs bin once under ptrace and returns VmHWM in KiB at its exit.
func peakRSS(bin string, args, env []string, null *os.File) (int64, error) {
	runtime.LockOSThread() // every ptrace request must come from the tracing thread
	defer runtime.UnlockOSThread()
	pid, err := syscall.ForkExec(bin, append([]string{bin}, args...), &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{null.Fd(), null.Fd(), null.Fd()},
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		return 0, err
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		return 0, err
	}
	if !ws.Stopped() { // the stop at exec
		return 0, fmt.Errorf("no exec stop: %v", ws)
	}
	if err := syscall.PtraceSetOptions(pid, syscall.PTRACE_O_TRACEEXIT); err != nil {
		syscall.Kill(pid, syscall.SIGKILL)
		syscall.Wait4(pid, &ws, 0, nil)
		return 0, err
	}
	var hwm int64 = -1
	sig := 0
	for {
		if err := syscall.PtraceCont(pid, sig); err != nil {
			return 0, err
		}
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
			return 0, err
		}
		switch {
		case ws.Exited() || ws.Signaled():
			if hwm < 0 {
				return 0, errors.New("exited without an exit stop")
			}
			if ws.Signaled() || ws.ExitStatus() != 0 {
				return hwm, fmt.Errorf("exit status %v", ws)
			}
			return hwm, nil
		case ws.Stopped() && ws.TrapCause() == syscall.PTRACE_EVENT_EXIT:
			hwm, err = vmHWM(pid)
			if err != nil {
				return 0, err
			}
			sig = 0
		case ws.Stopped():
			// A signal for the child (Go's runtime sends itself SIGURG):
			// deliver it, except the traps ptrace itself causes.
			sig = int(ws.StopSignal())
			if sig == int(syscall.SIGTRAP) {
				sig = 0
			}
		}
	}
}

// vmHWM reads the peak resident set size of pid, in KiB.
func vmHWM(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc/PID/status")
}
