//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"
)

// testBusEnv reads the real environment but looks for a bus in runtimeDir
// instead of /run/user/<uid>.
func testBusEnv(runtimeDir string) busEnv { return busEnv{runtimeDir: runtimeDir} }

// listenUnix returns the path of a unix socket that accepts connections and
// never answers: a hung session bus.
func listenUnix(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "kr") // short: socket paths are limited to ~108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return path
}

func TestBusEnvMissing(t *testing.T) {
	sock := listenUnix(t)
	withBus := t.TempDir()
	if err := os.WriteFile(filepath.Join(withBus, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	withSession := func(content string) string {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, "dbus-session"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name       string
		env        string
		runtimeDir string
		found      bool
	}{
		{"nothing", "", t.TempDir(), false},
		{"autolaunch only", "autolaunch:", t.TempDir(), false},
		{"env socket exists", "unix:path=" + sock, t.TempDir(), true},
		{"env socket exists with guid", "unix:path=" + sock + ",guid=0123", t.TempDir(), true},
		{"env socket missing", "unix:path=/nonexistent/bus", t.TempDir(), false},
		// godbus never looks further once the variable is set.
		{"env socket missing, runtime bus exists", "unix:path=/nonexistent/bus", withBus, false},
		{"env second address usable", "unix:path=/nonexistent/bus;unix:path=" + sock, t.TempDir(), true},
		{"env abstract socket", "unix:abstract=/tmp/dbus-xyz", t.TempDir(), true},
		{"env tcp", "tcp:host=127.0.0.1,port=1", t.TempDir(), true},
		{"autolaunch, runtime bus exists", "autolaunch:", withBus, true},
		{"runtime bus exists", "", withBus, true},
		{"runtime dbus-session file", "", withSession("DBUS_SESSION_BUS_ADDRESS=unix:path=" + sock + "\n"), true},
		{"runtime dbus-session file, socket missing", "", withSession("DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent\n"), false},
		{"runtime dbus-session file without prefix", "", withSession("unix:path=" + sock + "\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := busEnv{
				getenv: func(k string) string {
					if k == "DBUS_SESSION_BUS_ADDRESS" {
						return tt.env
					}
					return ""
				},
				runtimeDir: tt.runtimeDir,
			}
			reason := b.missing()
			if found := reason == ""; found != tt.found {
				t.Errorf("missing() = %q, want found=%v", reason, tt.found)
			}
		})
	}
}

// TestFallbackNoBus runs tokctl's keyring store in a process with no session
// bus anywhere and a dbus-launch on PATH that records being run.
func TestFallbackNoBus(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	bin := t.TempDir()
	marker := filepath.Join(t.TempDir(), "dbus-launch-ran")
	script := "#!/bin/sh\n: >" + marker + "\nexit 1\n" // PATH has no touch
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	h := startHelper(t, "fallback",
		"PATH="+bin, "HOME="+t.TempDir(),
		"TEST_DIR="+dir, "TEST_RUNTIME_DIR="+t.TempDir())
	out := h.wait(t)

	checkFallback(t, h.stderr.String(), out, dir, "no D-Bus session bus")
	for _, l := range out {
		if name, d, ok := opTime(l); ok {
			if d > 500*time.Millisecond {
				t.Errorf("%s took %v without a bus, want immediate", name, d)
			}
			t.Logf("%s took %v", name, d)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("dbus-launch was run")
	}
}

// TestFallbackHungBus points the session bus at a socket that accepts
// connections and never answers.
func TestFallbackHungBus(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		reason  string
		min     time.Duration
		max     time.Duration
	}{
		// max allows for a loaded machine (the race detector, other test
		// binaries): a hung bus must cost the timeout, not forever.
		{"short timeout", 300 * time.Millisecond, "keyring did not answer within 300ms", 300 * time.Millisecond, 3 * time.Second},
		{"default timeout", 0, "keyring did not answer within 3s", 3 * time.Second, 6 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sock := listenUnix(t)
			dir := filepath.Join(t.TempDir(), "state")
			h := startHelper(t, "fallback",
				"PATH=", "HOME="+t.TempDir(),
				"DBUS_SESSION_BUS_ADDRESS=unix:path="+sock,
				"TEST_DIR="+dir, "TEST_RUNTIME_DIR="+t.TempDir(),
				"TEST_TIMEOUT="+tt.timeout.String())
			out := h.wait(t)

			checkFallback(t, h.stderr.String(), out, dir, tt.reason)
			name, first, _ := opTime(out[0])
			if first < tt.min || first > tt.max {
				t.Errorf("%s took %v, want between %v and %v", name, first, tt.min, tt.max)
			}
			// An operation that asked the hung keyring again would wait for
			// its whole timeout; a file-store write (two fsyncs) can take a
			// while on a loaded machine, but never that long.
			for _, l := range out[1:] {
				if name, d, ok := opTime(l); ok && d >= tt.min {
					t.Errorf("%s took %v after the fallback, want it not to wait for the keyring (%v)", name, d, tt.min)
				}
			}
			t.Logf("first operation gave up after %v", first)
		})
	}
}

// checkFallback checks the helper's one warning, its final backend name, and
// that its data is in the file store.
func checkFallback(t *testing.T, stderr string, out []string, dir, reason string) {
	t.Helper()
	want := "tokctl: warning: OS keyring unreachable (" + reason + "); stored in the file store in " + dir + " instead (set TOKCTL_STORE=file to use it without this warning)\n"
	if stderr != want {
		t.Errorf("stderr = %q, want exactly %q", stderr, want)
	}
	if len(out) == 0 || out[len(out)-1] != "name file" {
		t.Errorf("helper output %q, want it to end with %q", out, "name file")
	}
	got, err := File{Dir: dir}.Get(context.Background(), "a")
	if err != nil || string(got) != "value-a" {
		t.Errorf("file store has a = %q, %v; want %q", got, err, "value-a")
	}
	if _, err := (File{Dir: dir}).Get(context.Background(), "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("file store b: err = %v, want ErrNotFound (deleted)", err)
	}
}

func opTime(line string) (string, time.Duration, bool) {
	name, ds, ok := strings.Cut(line, " ")
	if !ok || name == "name" {
		return "", 0, false
	}
	d, err := time.ParseDuration(ds)
	return name, d, err == nil
}

// TestFallbackWarnsOnce has many goroutines find the keyring unreachable at
// once; no go-keyring call is made, so it runs in-process.
func TestFallbackWarnsOnce(t *testing.T) {
	dir := t.TempDir()
	kr := &Keyring{bus: busEnv{getenv: func(string) string { return "" }, runtimeDir: t.TempDir()}}
	var warn bytes.Buffer
	b, err := Open("", Options{Dir: dir, Warn: &warn, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	if b.Name() != "keyring" {
		t.Errorf("Name before any operation = %q, want keyring", b.Name())
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			key := "k" + string(rune('a'+i))
			if err := b.Set(ctx, key, []byte(key)); err != nil {
				t.Error(err)
			}
			if got, err := b.Get(ctx, key); err != nil || string(got) != key {
				t.Errorf("Get(%s) = %q, %v", key, got, err)
			}
		})
	}
	wg.Wait()
	if n := strings.Count(warn.String(), "\n"); n != 1 {
		t.Errorf("%d warning lines, want 1:\n%s", n, warn.String())
	}
	if b.Name() != "file" {
		t.Errorf("Name after fallback = %q, want file", b.Name())
	}
	if _, err := os.Stat(filepath.Join(dir, "ka.value")); err != nil {
		t.Errorf("data not in the file store: %v", err)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		notFound    bool
		unreachable bool
	}{
		{"not found", gokeyring.ErrNotFound, true, false},
		{"no secret service", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, false, true},
		{"no secret service (pointer)", &dbus.Error{Name: "org.freedesktop.DBus.Error.NameHasNoOwner"}, false, true},
		{"no reply", dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply"}, false, true},
		{"keyring locked", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, false, true},
		{"keyring refused", dbus.Error{Name: "org.freedesktop.Secret.Error.NoSuchObject"}, false, false},
		{"connection refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, false, true},
		{"connection lost", io.EOF, false, true},
		{"connection closed", dbus.ErrClosed, false, true},
		{"go-keyring could not unlock", errors.New("failed to unlock correct collection '/x'"), false, true},
		{"go-keyring error", errors.New("unexpected reply"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classify(tt.err)
			if got := errors.Is(err, ErrNotFound); got != tt.notFound {
				t.Errorf("classify(%v) = %v: ErrNotFound %v, want %v", tt.err, err, got, tt.notFound)
			}
			if got := errors.Is(err, ErrUnreachable); got != tt.unreachable {
				t.Errorf("classify(%v) = %v: ErrUnreachable %v, want %v", tt.err, err, got, tt.unreachable)
			}
		})
	}
}

// TestFallbackLockedKeyring is the desktop case of a locked keyring: the
// Secret Service asks its prompter to unlock, and nobody answers the prompt
// before the call's timeout. The fallback's warning says the keyring is
// locked, not that it is silent. It needs a Secret Service of its own
// (with-keyring.sh), since locking the shared one would disturb other tests.
func TestFallbackLockedKeyring(t *testing.T) {
	withKeyring, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "ci", "with-keyring.sh"))
	if _, err := os.Stat(withKeyring); err != nil {
		skipOrFail(t, err.Error())
	}
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, err.Error())
		}
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	cmd := exec.Command("bash", withKeyring, os.Args[0])
	cmd.Env = []string{
		helperEnv + "=locked-fallback",
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + os.TempDir(),
		"TEST_DIR=" + dir, "TEST_RUNTIME_DIR=" + t.TempDir(), "TEST_TIMEOUT=2s", // the prompt never answers: only the connection must be made in time
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	watchdog := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer watchdog.Stop()
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	// with-keyring.sh and the bus daemon write lines of their own.
	var warnings []string
	for _, l := range strings.SplitAfter(stderr.String(), "\n") {
		if strings.HasPrefix(l, "tokctl: ") {
			warnings = append(warnings, l)
		}
	}
	checkFallback(t, strings.Join(warnings, ""), strings.Split(strings.TrimSpace(stdout.String()), "\n"), dir,
		"the keyring is locked and was not unlocked within 2s")
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("TOKCTL_TEST_REQUIRE_KEYRING") == "1" {
		t.Fatalf("TOKCTL_TEST_REQUIRE_KEYRING=1 but %s", why)
	}
	t.Skip(why)
}

// lockWithSilentPrompter runs inside a private Secret Service: it takes the
// prompter's bus name with a connection that never answers a call (an unlock
// dialog nobody types into), then locks the login collection.
func lockWithSilentPrompter() error {
	prompter, err := dbus.ConnectSessionBus(dbus.WithHandler(silentHandler{}))
	if err != nil {
		return err
	}
	reply, err := prompter.RequestName("org.gnome.keyring.SystemPrompter", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("taking the prompter's name: reply %v, %v", reply, err)
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		return err
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err = conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{"/org/freedesktop/secrets/collection/login"}).
		Store(&locked, &prompt)
	if err != nil || len(locked) != 1 {
		return fmt.Errorf("locking the login collection: locked %v, %v", locked, err)
	}
	return nil
}

// silentHandler accepts every method call and never replies.
type silentHandler struct{}

func (silentHandler) LookupObject(dbus.ObjectPath) (dbus.ServerObject, bool) {
	return silentHandler{}, true
}
func (silentHandler) LookupInterface(string) (dbus.Interface, bool) { return silentHandler{}, true }
func (silentHandler) LookupMethod(string) (dbus.Method, bool)       { return silentHandler{}, true }
func (silentHandler) DecodeArguments(*dbus.Conn, string, *dbus.Message, []any) ([]any, error) {
	return nil, nil
}
func (silentHandler) Call(...any) ([]any, error) { select {} }
func (silentHandler) NumArguments() int          { return 0 }
func (silentHandler) NumReturns() int            { return 0 }
func (silentHandler) ArgumentValue(int) any      { return nil }
func (silentHandler) ReturnValue(int) any        { return nil }
