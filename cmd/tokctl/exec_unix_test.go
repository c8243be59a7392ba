//go:build unix

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// execRun is one `tokctl exec … -- execchild MODE` in progress.
type execRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string // the child's stdout, line by line
	stderr *strings.Builder
	done   chan error
}

// startExec starts `tokctl exec ARGS…` with its stdin and stdout on pipes.
func (h *harness) startExec(env []string, args ...string) *execRun {
	h.t.Helper()
	cmd := exec.Command("tokctl", args...)
	cmd.Env = append(append([]string{}, h.env...), env...)
	cmd.Dir = h.home
	r := &execRun{t: h.t, cmd: cmd, lines: make(chan string, 16), stderr: &strings.Builder{}, done: make(chan error, 1)}
	cmd.Stderr = r.stderr
	var err error
	if r.stdin, err = cmd.StdinPipe(); err != nil {
		h.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
		r.done <- cmd.Wait()
	}()
	return r
}

// line waits for the child's next line of output.
func (r *execRun) line() string {
	r.t.Helper()
	select {
	case l, ok := <-r.lines:
		if !ok {
			r.t.Fatalf("the output ended; stderr: %s", r.stderr)
		}
		return l
	case <-time.After(30 * time.Second):
		r.t.Fatalf("no output within 30s; stderr: %s", r.stderr)
	}
	return ""
}

// ready waits for the child's "ready PID" line and returns PID.
func (r *execRun) ready() int {
	r.t.Helper()
	l := r.line()
	pid, err := strconv.Atoi(strings.TrimPrefix(l, "ready "))
	if err != nil {
		r.t.Fatalf("want %q, got %q", "ready PID", l)
	}
	return pid
}

// exit waits for tokctl to end and returns its exit code (-1: killed by a signal).
func (r *execRun) exit() int {
	r.t.Helper()
	var rest []string
	for l := range r.lines {
		rest = append(rest, l)
	}
	if len(rest) > 0 {
		r.t.Errorf("more output: %q", rest)
	}
	var err error
	select {
	case err = <-r.done:
	case <-time.After(30 * time.Second):
		r.t.Fatalf("tokctl did not end within 30s; stderr: %s", r.stderr)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return 0
}

// TestExecForwardsSignals: a signal sent to tokctl (kill, a CI runner's
// SIGTERM, a supervisor) reaches CMD, which can shut down as it likes;
// tokctl waits for it and exits with CMD's code. The child exits 100+N on
// signal N, so tokctl's code proves it waited; "got …" proves the child saw
// the signal that was sent to tokctl's pid only.
func TestExecForwardsSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			p := provider("tilia")
			r := h.startExec(p.env(h.fake.URL()), "exec", p.name, "--", "execchild", "wait-signal")
			r.ready()
			if err := r.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if l := r.line(); l != fmt.Sprintf("got %v", sig) {
				t.Errorf("the child said %q, want %q", l, fmt.Sprintf("got %v", sig))
			}
			if code := r.exit(); code != 100+int(sig) {
				t.Errorf("exit %d, want the child's %d; stderr: %s", code, 100+int(sig), r.stderr)
			}
			if r.stderr.Len() > 0 {
				t.Errorf("stderr: %s", r.stderr)
			}
		})
	}
}

// TestExecSignalKillsChild: a CMD that does not handle the forwarded signal
// dies of it, and tokctl exits 128+N as a shell reports it (143 for
// SIGTERM, 130 for SIGINT), not killed itself.
func TestExecSignalKillsChild(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			p := provider("tilia")
			r := h.startExec(p.env(h.fake.URL()), "exec", p.name, "--", "execchild", "wait-stdin")
			r.ready()
			if err := r.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := r.exit(); code != 128+int(sig) {
				t.Errorf("exit %d, want %d; stderr: %s", code, 128+int(sig), r.stderr)
			}
		})
	}
}

// TestExecWaitsForStdin: stdin is CMD's own to the end; CMD ends when it
// does, and so does tokctl, with CMD's code.
func TestExecWaitsForStdin(t *testing.T) {
	h := newHarness(t)
	p := provider("tilia")
	r := h.startExec(p.env(h.fake.URL()), "exec", p.name, "--", "execchild", "wait-stdin")
	r.ready()
	if err := r.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	if code := r.exit(); code != 0 {
		t.Errorf("exit %d; stderr: %s", code, r.stderr)
	}
}
