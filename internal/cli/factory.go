// Package cli wires tokctl's commands: flags and arguments in, calls into
// the tokens (the token lifecycle), provider, store, config and jwt
// packages, output out. No protocol logic lives here.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/authflow"
	"github.com/tokctl/tokctl/internal/config"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
	"github.com/tokctl/tokctl/internal/tokens"
)

// BuildInfo is what `tokctl version` prints; set by the linker in releases.
type BuildInfo struct {
	Version, Commit, Date string
}

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

	cfg      *config.Config
	backend  store.Backend
	stateDir string
	http     *oauth.Client
	tokens   *tokens.Manager[provider.Provider]
	// interrupted is set when a signal stopped the command (Interruptible).
	interrupted atomic.Pointer[interruptedError]
}

// Config loads the config file once.
func (f *Factory) Config() (*config.Config, error) {
	if f.cfg != nil {
		return f.cfg, nil
	}
	path, err := config.Path(f.ConfigFile)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path, f.ConfigFile != "" || envSet("TOKCTL_CONFIG"))
	if err == nil {
		err = cfg.Check(config.Schema{ProviderKeys: provider.Keys, ListKeys: provider.ListKeys})
	}
	if err != nil {
		return nil, configFileError(err, f.ConfigFile)
	}
	f.cfg = cfg
	return cfg, nil
}

// configFileError is a config file's error as a configuration error (exit
// 2) of the provider whose entry is wrong, or of "config"; a file that does
// not exist says who named it.
func configFileError(err error, flag string) error {
	name := "config"
	var fe *config.FileError
	if errors.As(err, &fe) && fe.Provider != "" {
		name = fe.Provider
	}
	msg := err.Error()
	if errors.Is(err, config.ErrNotExist) {
		if flag != "" {
			msg += " (named by --config)"
		} else {
			msg += " (named by TOKCTL_CONFIG)"
		}
	}
	return &failure.ConfigError{Provider: name, Msg: msg}
}

// Store opens the configured store once: --store, else TOKCTL_STORE, else
// the config file's `store`, else the keyring (falling back to files).
func (f *Factory) Store() (store.Backend, error) {
	if f.backend != nil {
		return f.backend, nil
	}
	kind := f.StoreKind
	if kind == "" {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		kind = cfg.Store()
	}
	dir, err := f.StateDir()
	if err != nil {
		return nil, err
	}
	b, err := store.Open(kind, store.Options{Dir: dir, Warn: f.IO.ErrOut})
	if err != nil {
		// The config file's value was checked with the file; name the other
		// two places the value can come from.
		from := "--store"
		if f.StoreKind == "" {
			from = "TOKCTL_STORE"
		}
		return nil, usageErrorf("%s: %v", from, err)
	}
	f.backend = b
	return b, nil
}

// StateDir is the directory of the file store and the locks.
func (f *Factory) StateDir() (string, error) {
	if f.stateDir == "" {
		dir, err := store.DefaultDir()
		if err != nil {
			return "", err
		}
		f.stateDir = dir
	}
	return f.stateDir, nil
}

// HTTP returns the token-request client.
func (f *Factory) HTTP() *oauth.Client {
	if f.http == nil {
		f.http = &oauth.Client{UserAgent: "tokctl/" + f.Build.Version}
		if f.Verbose {
			f.http.Verbose = f.IO.ErrOut
		}
	}
	return f.http
}

// BuildProvider builds the provider of settings s with the token-request
// client: the tokens.Builder of token requests.
func (f *Factory) BuildProvider(s provider.Settings) (provider.Provider, error) {
	return provider.New(s, f.HTTP())
}

// Tokens returns the token lifecycle, wired to this factory's state
// directory (the locks), clock and stderr. Building it does no I/O, but it
// allocates: the hot path (a fresh stored token) does not call it.
func (f *Factory) Tokens() *tokens.Manager[provider.Provider] {
	if f.tokens == nil {
		f.tokens = &tokens.Manager[provider.Provider]{
			Lock:  tokens.DirLocker{Dir: f.StateDir},
			Clock: tokens.ClockFunc(f.now),
			Warnf: f.warnf,
			VerifyIDToken: func(ctx context.Context, p provider.Provider, clientID, idToken string) (bool, error) {
				return f.idTokenVerifier().Verify(ctx, p, "refresh", clientID, idToken, "")
			},
		}
	}
	return f.tokens
}

// idTokenVerifier checks ID tokens with the token-request client; -v says
// when one stays unverified.
func (f *Factory) idTokenVerifier() *authflow.Verifier {
	v := &authflow.Verifier{HTTP: f.HTTP(), CacheDir: cacheDir(), Now: f.now}
	if f.Verbose {
		v.Verbose = f.IO.ErrOut
	}
	return v
}

// authFlow is the login flows wired to this factory's streams, browser
// opener, --timeout and ID-token verifier.
func (f *Factory) authFlow() *authflow.Flow {
	return &authflow.Flow{Out: f.IO.ErrOut, In: f.IO.In, Open: f.openBrowser, CanOpen: canOpenBrowser,
		Timeout: f.Timeout, Verifier: f.idTokenVerifier()}
}

// interruptAfter is how long a wait lasts before the command catches Ctrl-C
// and SIGTERM itself.
const interruptAfter = 100 * time.Millisecond

// Interruptible makes ctx end on Ctrl-C or SIGTERM, for the work that waits
// (a lock, the network, the browser), so that the command stops with one
// line about provider and exit 128+signal, as a shell reports it (see Main).
// The handler is installed only once the wait has lasted interruptAfter:
// os/signal starts a thread and costs ≈ 0.3 ms, more than a whole token
// request to a nearby provider takes, and a signal before then ends the
// process the default way, which loses nothing: every store write is
// atomic, and locks and the loopback port go with the process. The hot path
// (a stored token) does not call it at all.
func (f *Factory) Interruptible(ctx context.Context, provider string) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	var (
		mu      sync.Mutex
		signals chan os.Signal
		stopped bool
	)
	timer := time.AfterFunc(interruptAfter, func() {
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
				f.interrupted.CompareAndSwap(nil, &interruptedError{provider: provider, signal: s})
				cancel()
			case <-ctx.Done():
			}
		}()
		if f.SignalsCaught != nil {
			f.SignalsCaught()
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

// Context bounds a command by --timeout.
func (f *Factory) Context(parent context.Context) (context.Context, context.CancelFunc) {
	if f.Timeout <= 0 {
		return context.WithCancel(parent)
	}
	return context.WithTimeout(parent, f.Timeout)
}

// Settings resolves provider name's settings from the environment and the
// config file (the environment wins); flags are applied by the caller.
func (f *Factory) Settings(name string) (provider.Settings, error) {
	s := provider.Settings{Name: name}
	if !provider.ValidName(name) {
		return s, usageErrorf("invalid provider name %q: use lower-case letters, digits, - and _", name)
	}
	cfg, err := f.Config()
	if err != nil {
		return s, err
	}
	s.CacheDir = cacheDir()
	s.ConfigFile = cfg.File()
	s.Warnf = f.warnf
	for _, key := range provider.Keys {
		if v, ok := cfg.Lookup(name, key, provider.EnvVar(name, key)); ok {
			s.Set(key, v)
		}
	}
	if s.Kind == "" && !provider.IsBuiltIn(name) {
		known := append(provider.BuiltIn(), cfg.ProviderNames()...)
		if near := config.Nearest(name, known); near != "" {
			return s, &failure.ConfigError{Provider: name, Msg: fmt.Sprintf("unknown provider; did you mean `%s`? (see `tokctl providers`)", near)}
		}
		return s, &failure.ConfigError{Provider: name, Msg: fmt.Sprintf(
			"unknown provider; built-in providers are %s, others need an entry with a `kind` under providers in %s",
			strings.Join(provider.BuiltIn(), ", "), cfg.File())}
	}
	return s, nil
}

// CheckedProvider resolves provider name's settings, lets the command apply
// its flags (edit may be nil), builds the provider and checks its settings,
// all before any request.
func (f *Factory) CheckedProvider(name string, edit func(*provider.Settings)) (provider.Provider, provider.Settings, error) {
	s, err := f.Settings(name)
	if err != nil {
		return nil, s, err
	}
	if edit != nil {
		edit(&s)
	}
	p, err := provider.New(s, f.HTTP())
	if err != nil {
		return nil, s, err
	}
	return p, s, p.Check()
}

// KeepingStore is the store for a command whose point is to keep something
// (login, refresh): `none` is a usage error that says what to do instead.
func (f *Factory) KeepingStore(name, command, instead string) (store.Backend, error) {
	b, err := f.Store()
	if err != nil {
		return nil, err
	}
	if b.Name() == "none" {
		return nil, usageErrorf("%s: %s keeps tokens in a store, but the store is `none`; %s", name, command, instead)
	}
	return b, nil
}

// Provider builds provider name from its settings.
func (f *Factory) Provider(name string) (provider.Provider, error) {
	s, err := f.Settings(name)
	if err != nil {
		return nil, err
	}
	return provider.New(s, f.HTTP())
}

// ProviderNames lists built-in and configured providers, sorted, unique.
func (f *Factory) ProviderNames() ([]string, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var names []string
	for _, n := range append(provider.BuiltIn(), cfg.ProviderNames()...) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names, nil
}

// cacheDir is where discovery documents are cached: $XDG_CACHE_HOME/tokctl,
// else ~/.cache/tokctl; empty (no cache) when neither can be found.
func cacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "tokctl")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache", "tokctl")
	}
	return ""
}

func (f *Factory) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// warnf prints one warning line to stderr.
func (f *Factory) warnf(format string, args ...any) {
	fmt.Fprintf(f.IO.ErrOut, "tokctl: warning: "+format+"\n", args...)
}

// infof prints one message line to stderr.
func (f *Factory) infof(format string, args ...any) {
	fmt.Fprintf(f.IO.ErrOut, "tokctl: "+format+"\n", args...)
}
