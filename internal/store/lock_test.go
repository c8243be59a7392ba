package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tryLock reports whether Lock gets the lock within d.
func tryLock(t *testing.T, dir string, d time.Duration) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	unlock, err := Lock(ctx, dir, "tiki")
	if errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	return true
}

func TestLockWaitsForHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	unlock, err := Lock(context.Background(), dir, "tiki")
	if err != nil {
		t.Fatal(err)
	}
	assertMode(t, filepath.Join(dir, "locks"), os.ModeDir|0o700)
	assertMode(t, filepath.Join(dir, "locks", "tiki.lock"), 0o600)

	h := startHelper(t, "lock-wait", "TEST_DIR="+dir)
	if l := h.next(t, 10*time.Second); l != "waiting" {
		t.Fatalf("helper said %q", l)
	}
	select {
	case l := <-h.lines:
		t.Fatalf("second process got past a held lock: %q", l)
	case <-time.After(300 * time.Millisecond):
	}
	released := time.Now()
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if l := h.next(t, 5*time.Second); l != "acquired" {
		t.Fatalf("helper said %q", l)
	}
	t.Logf("waiter acquired %v after release", time.Since(released))
	h.wait(t)
}

func TestLockOtherKeyIndependent(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(context.Background(), dir, "tiki")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	unlock2, err := Lock(ctx, dir, "tilia")
	if err != nil {
		t.Fatalf("lock on another key: %v", err)
	}
	unlock2()
}

func TestLockReleasedWhenHolderKilled(t *testing.T) {
	dir := t.TempDir()
	h := startHelper(t, "lock-hold", "TEST_DIR="+dir)
	if l := h.next(t, 10*time.Second); l != "locked" {
		t.Fatalf("helper said %q", l)
	}
	if tryLock(t, dir, 200*time.Millisecond) {
		t.Fatal("got the lock while another process holds it")
	}
	if err := h.cmd.Process.Kill(); err != nil { // SIGKILL: no chance to unlock
		t.Fatal(err)
	}
	h.cmd.Wait()
	start := time.Now()
	if !tryLock(t, dir, 2*time.Second) {
		t.Fatal("lock still held after its holder was killed")
	}
	t.Logf("acquired %v after the holder was killed", time.Since(start))
}

func TestLockContextCancelled(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(context.Background(), dir, "tiki")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = Lock(ctx, dir, "tiki")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned %v after cancellation", d)
	}
}
