//go:build unix

package proc

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// A SIGTERM while the wait is caught cancels the context and names the
// signal; the process lives on.
func TestInterruptibleCatchesSIGTERM(t *testing.T) {
	caught := make(chan struct{})
	got := make(chan syscall.Signal, 1)
	ctx, stop := Interruptible(context.Background(), time.Millisecond, func(s syscall.Signal) { got <- s }, func() { close(caught) })
	defer stop()
	<-caught
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	if s := <-got; s != syscall.SIGTERM {
		t.Errorf("signal = %v, want SIGTERM", s)
	}
}

// Stopping before the handler is due installs none: nothing is caught.
func TestInterruptibleStoppedEarlyInstallsNothing(t *testing.T) {
	ctx, stop := Interruptible(context.Background(), time.Hour, func(syscall.Signal) { t.Error("onSignal called") }, func() { t.Error("handler installed") })
	stop()
	if ctx.Err() == nil {
		t.Error("context still live after stop")
	}
}
