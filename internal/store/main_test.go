package store

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// helperEnv selects a helper mode when the test binary re-executes itself,
// as os/exec's tests do: godbus caches the session bus process-wide, and
// locks must be held by another process to prove anything.
const helperEnv = "TOKCTL_STORE_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		if err := runHelper(mode); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runHelper(mode string) error {
	ctx := context.Background()
	switch mode {
	case "fallback":
		return helperFallback(ctx)
	case "locked-fallback":
		if err := lockWithSilentPrompter(); err != nil {
			return err
		}
		return helperFallback(ctx)
	case "lock-hold":
		unlock, err := Lock(ctx, os.Getenv("TEST_DIR"), "tiki")
		if err != nil {
			return err
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin) // hold until stdin closes (or SIGKILL)
		return unlock()
	case "lock-wait":
		fmt.Println("waiting")
		unlock, err := Lock(ctx, os.Getenv("TEST_DIR"), "tiki")
		if err != nil {
			return err
		}
		fmt.Println("acquired")
		return unlock()
	case "file-writer":
		return helperFileWriter(ctx)
	}
	return fmt.Errorf("unknown mode %q", mode)
}

// helperFallback opens the keyring store as tokctl does and reports, one line
// each, the elapsed time of every operation and the backend's final name.
func helperFallback(ctx context.Context) error {
	timeout, _ := time.ParseDuration(os.Getenv("TEST_TIMEOUT"))
	kr := &Keyring{Service: "tokctl-test-fallback", Timeout: timeout}
	kr.bus = testBusEnv(os.Getenv("TEST_RUNTIME_DIR"))
	b, err := Open("", Options{Dir: os.Getenv("TEST_DIR"), Warn: os.Stderr, Keyring: kr})
	if err != nil {
		return err
	}
	ops := []struct {
		name string
		run  func() error
	}{
		{"set-a", func() error { return b.Set(ctx, "a", []byte("value-a")) }},
		{"get-a", func() error { return expect(b.Get(ctx, "a"))("value-a") }},
		{"set-b", func() error { return b.Set(ctx, "b", []byte("value-b")) }},
		{"delete-b", func() error { return b.Delete(ctx, "b") }},
		{"get-a", func() error { return expect(b.Get(ctx, "a"))("value-a") }},
	}
	for _, op := range ops {
		start := time.Now()
		if err := op.run(); err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		fmt.Printf("%s %v\n", op.name, time.Since(start))
	}
	fmt.Printf("name %s\n", b.Name())
	return nil
}

func expect(got []byte, err error) func(string) error {
	return func(want string) error {
		if err != nil {
			return err
		}
		if string(got) != want {
			return fmt.Errorf("got %q, want %q", got, want)
		}
		return nil
	}
}

// helper starts the test binary in mode with only env (plus the mode) set.
type helper struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr strings.Builder
}

func startHelper(t *testing.T, mode string, env ...string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append([]string{helperEnv + "=" + mode}, env...)
	h := &helper{cmd: cmd, lines: make(chan string, 100)}
	cmd.Stderr = &h.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
		close(h.lines)
	}()
	// A helper that hangs (say, on a bus that never answers) fails the test
	// instead of blocking it until go test's own timeout.
	watchdog := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	t.Cleanup(func() {
		watchdog.Stop()
		h.cmd.Process.Kill()
		h.cmd.Wait()
	})
	return h
}

// next returns the helper's next stdout line, failing after d.
func (h *helper) next(t *testing.T, d time.Duration) string {
	t.Helper()
	select {
	case l, ok := <-h.lines:
		if !ok {
			h.cmd.Wait()
			t.Fatalf("helper exited early; stderr:\n%s", h.stderr.String())
		}
		return l
	case <-time.After(d):
		t.Fatalf("no output from helper within %v; stderr:\n%s", d, h.stderr.String())
	}
	return ""
}

// wait waits for the helper to exit and returns its stdout lines.
func (h *helper) wait(t *testing.T) []string {
	t.Helper()
	h.stdin.Close()
	var out []string
	for l := range h.lines {
		out = append(out, l)
	}
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("helper: %v; stderr:\n%s", err, h.stderr.String())
	}
	return out
}
