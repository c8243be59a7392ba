// Package proc is tokctl's process plumbing: signals while a command waits,
// and the processes it starts (tokctl exec's command, the background
// refresh of refresh-ahead).
package proc

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Interruptible makes ctx end on Ctrl-C or SIGTERM, for work that waits (a
// lock, the network, the browser): onSignal is told which signal came, then
// ctx is cancelled. The handler is installed only once the wait has lasted
// after: os/signal starts a thread and costs ≈ 0.3 ms, more than a whole
// token request to a nearby provider takes, and a signal before then ends
// the process the default way, which loses nothing: every store write is
// atomic, and locks and the loopback port go with the process. caught, when
// not nil, is called once the handler is installed (tests wait for it
// rather than for the clock).
func Interruptible(ctx context.Context, after time.Duration, onSignal func(syscall.Signal), caught func()) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	var (
		mu      sync.Mutex
		signals chan os.Signal
		stopped bool
	)
	timer := time.AfterFunc(after, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		signals = make(chan os.Signal, 1)
		signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
		go func() {
			select {
			case sig := <-signals:
				s, _ := sig.(syscall.Signal)
				onSignal(s)
				cancel()
			case <-ctx.Done():
			}
		}()
		if caught != nil {
			caught()
		}
	})
	return ctx, func() {
		timer.Stop()
		mu.Lock()
		stopped = true
		if signals != nil {
			signal.Stop(signals)
		}
		mu.Unlock()
		cancel()
	}
}
