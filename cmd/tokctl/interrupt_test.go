package main

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
)

// interruptRun starts `tokctl token get tilia` (plus args) against a token
// endpoint that never answers and sends sig: right away when early, else
// as soon as tokctl says it catches signals (100 ms into its wait, see
// Factory.Interruptible), its request having reached the fake.
func interruptRun(t *testing.T, h *harness, sig syscall.Signal, early bool, args ...string) (result, *exec.ExitError) {
	t.Helper()
	p := provider("tilia")
	if err := h.fake.InjectFault(p.route, fakeprovider.Fault{Action: fakeprovider.FaultHang}); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"--timeout", "30s", "token", "get", p.name}, args...)
	cmd, stdout, _ := h.command(context.Background(), append(p.env(h.fake.URL()), signalsCaughtEnv+"=1"), "", args...)
	stderr := newCaughtWriter()
	cmd.Stderr = stderr
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if !early {
		select {
		case <-stderr.caught:
		case err := <-done:
			t.Fatalf("tokctl ended before it caught signals: %v\n%s", err, stderr)
		case <-time.After(20 * time.Second):
			t.Fatalf("tokctl did not catch signals within 20s\n%s", stderr)
		}
		for h.fake.Count(p.route) == 0 { // and waits on the token endpoint
			select {
			case err := <-done:
				t.Fatalf("tokctl ended before its request reached the fake: %v\n%s", err, stderr)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("tokctl did not stop within 10s of %v", sig)
	}
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), took: time.Since(begin)}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("tokctl exited 0 after %v: %v\n%s", sig, err, r)
	}
	r.code = ee.ExitCode()
	return r, ee
}

// TestInterruptWhileWaiting: Ctrl-C or SIGTERM while tokctl waits on a token
// endpoint ends it at once with one line naming the provider, exit 130 or
// 143 (the shell's 128+signal), nothing on stdout, the store as it was, and
// no temporary file left behind.
func TestInterruptWhileWaiting(t *testing.T) {
	for _, tt := range []struct {
		name string
		sig  syscall.Signal
		code int
		args []string
	}{
		{"SIGINT, store miss", syscall.SIGINT, 130, nil},
		{"SIGTERM, store miss", syscall.SIGTERM, 143, nil},
		{"SIGINT, --no-cache", syscall.SIGINT, 130, []string{"--no-cache"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			before := h.snapshot()
			r, _ := interruptRun(t, h, tt.sig, false, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r)
			}
			oneLine(t, r, "tilia")
			if !strings.Contains(r.stderr, "interrupted") {
				t.Errorf("stderr does not say it was interrupted\n%s", r)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			if after := h.snapshot(); !maps.Equal(before, after) {
				t.Errorf("the store changed\nbefore: %v\nafter:  %v", before, after)
			}
			if tmp := h.tempFiles(); len(tmp) > 0 {
				t.Errorf("left behind: %v", tmp)
			}
		})
	}
}

// TestInterruptAtStart: a signal that arrives before tokctl waits on
// anything ends it the default way (a fast command installs no handler);
// the store is untouched all the same.
func TestInterruptAtStart(t *testing.T) {
	h := newHarness(t)
	before := h.snapshot()
	r, ee := interruptRun(t, h, syscall.SIGINT, true)
	ws, _ := ee.Sys().(syscall.WaitStatus)
	if !(ws.Signaled() && ws.Signal() == syscall.SIGINT) && r.code != 130 {
		t.Errorf("neither killed by SIGINT nor exit 130\n%s", r)
	}
	if r.stdout != "" {
		t.Errorf("stdout: %q", r.stdout)
	}
	if after := h.snapshot(); !maps.Equal(before, after) {
		t.Errorf("the store changed\nbefore: %v\nafter:  %v", before, after)
	}
}

// TestInterruptLogin: Ctrl-C while the login waits for the browser ends it
// with one line and exit 130; nothing is stored and the listener's port is
// free again.
func TestInterruptLogin(t *testing.T) {
	srv := fakeprovider.StartTest(t, fakeprovider.Options{})
	p := startLogin(t, srv, []string{signalsCaughtEnv + "=1"})
	if p.authURL == nil {
		t.Fatalf("login ended early:\n%s", p.stderr.String())
	}
	for !strings.Contains(p.stderr.String(), signalsCaughtLine) { // 100 ms into the wait
		select {
		case <-p.done:
			t.Fatalf("login ended before it caught signals:\n%s", p.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := p.exit(); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, p.stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(p.stderr.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; last != "tokctl: tiltify: interrupted" {
		t.Errorf("last line %q, want %q\n%s", last, "tokctl: tiltify: interrupted", p.stderr.String())
	}
	if p.stored() {
		t.Error("an interrupted login stored a token")
	}
	if code := p.callback(p.redirectURI()); code != 0 {
		t.Errorf("the listener still answers (%d) after the login ended", code)
	}
}

// caughtWriter is a run's stderr; caught is closed when tokctl says it
// catches signals, a line String leaves out.
type caughtWriter struct {
	mu     sync.Mutex
	b      bytes.Buffer
	caught chan struct{}
	once   sync.Once
}

func newCaughtWriter() *caughtWriter { return &caughtWriter{caught: make(chan struct{})} }

func (w *caughtWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if strings.Contains(w.b.String(), signalsCaughtLine+"\n") {
		w.once.Do(func() { close(w.caught) })
	}
	return len(p), nil
}

func (w *caughtWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Replace(w.b.String(), signalsCaughtLine+"\n", "", 1)
}
