// Package cli is tokctl's command layer: flags and arguments in, calls into
// tokens.Service (the token lifecycle) and authflow through small
// interfaces, output out. No protocol or storage logic lives here.
package cli

import (
	"context"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokctl/tokctl/internal/buildinfo"
	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/proc"
	"github.com/tokctl/tokctl/internal/tokens"
)

// BuildInfo is what `tokctl version` prints; set by the linker in releases.
type BuildInfo = buildinfo.Info

// Factory hands out the commands' dependencies, each built on first use so
// that a command pays only for what it touches (`--help` touches nothing).
type Factory struct {
	IO    *iostreams.IOStreams
	Build BuildInfo
	Now   func() time.Time
	// Args is the command line (without the program name) when tokctl runs
	// as a program, which a background refresh (refresh-ahead) needs: nil
	// in-process, which turns refresh-ahead off.
	Args []string

	// Global flags.
	ConfigFile string
	StoreKind  string
	Timeout    time.Duration
	Verbose    bool

	// SignalsCaught, when set, is called each time a wait starts catching
	// Ctrl-C and SIGTERM (Interruptible): tests wait for it rather than
	// for the clock.
	SignalsCaught func()

	svc *tokens.Service
	// interrupted is set when a signal stopped the command (Interruptible).
	interrupted atomic.Pointer[failure.InterruptedError]
}

// Service is the token lifecycle wired to the global flags; built on
// first use, after the flags are parsed.
func (f *Factory) Service() *tokens.Service {
	if f.svc == nil {
		f.svc = &tokens.Service{ConfigFile: f.ConfigFile, StoreKind: f.StoreKind, Verbose: f.Verbose,
			UserAgent: "tokctl/" + f.Build.Version, ErrOut: f.IO.ErrOut, Now: f.Now}
	}
	return f.svc
}

// interruptAfter is how long a wait lasts before the command catches Ctrl-C
// and SIGTERM itself (see proc.Interruptible).
const interruptAfter = 100 * time.Millisecond

// Interruptible makes ctx end on Ctrl-C or SIGTERM, for the work that waits
// (a lock, the network, the browser), so that the command stops with one
// line about provider and exit 128+signal, as a shell reports it (see Run).
// The hot path (a stored token) does not call it.
func (f *Factory) Interruptible(ctx context.Context, provider string) (context.Context, context.CancelFunc) {
	return proc.Interruptible(ctx, interruptAfter, func(s syscall.Signal) {
		f.interrupted.CompareAndSwap(nil, &failure.InterruptedError{Provider: provider, Signal: s})
	}, f.SignalsCaught)
}

// runE is the RunE of a command: prepare reads the arguments, checks the
// flags and gives the Options what the Factory builds at run time (the
// Service, the clock), after the flags are parsed, so that building the
// command tree stays free; then run (runF in tests) does the work within
// --timeout.
func runE[O any](f *Factory, opts *O, runF, run func(context.Context, *O) error, prepare func(args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := prepare(args); err != nil {
			return err
		}
		ctx, cancel := f.Context(cmd.Context())
		defer cancel()
		if runF != nil {
			return runF(ctx, opts)
		}
		return run(ctx, opts)
	}
}

// Context bounds a command by --timeout.
func (f *Factory) Context(parent context.Context) (context.Context, context.CancelFunc) {
	if f.Timeout <= 0 {
		return context.WithCancel(parent)
	}
	return context.WithTimeout(parent, f.Timeout)
}

func (f *Factory) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}
