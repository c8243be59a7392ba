package tokens

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/authflow"
	"github.com/tokctl/tokctl/internal/config"
	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
	"github.com/tokctl/tokctl/internal/termtext"
)

// Service is the token lifecycle wired to the config file, the environment,
// the store, the providers and the network: what tokctl's commands ask for.
// Each dependency is built on first use, so that a command pays only for
// what it touches; building a Service costs nothing.
type Service struct {
	// ConfigFile is --config; empty means TOKCTL_CONFIG, else the default.
	ConfigFile string
	// StoreKind is --store; empty means TOKCTL_STORE, else the config file's.
	StoreKind string
	// Verbose logs requests and responses, secrets redacted, to ErrOut.
	Verbose bool
	// UserAgent is sent with every request.
	UserAgent string
	// ErrOut receives warnings and the -v log.
	ErrOut io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	cfg      *config.Config
	backend  store.Backend
	stateDir string
	http     *oauth.Client
	manager  *Manager[provider.Provider]
}

// Config loads the config file once.
func (sv *Service) Config() (*config.Config, error) {
	if sv.cfg != nil {
		return sv.cfg, nil
	}
	path, err := config.Path(sv.ConfigFile)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path, sv.ConfigFile != "" || os.Getenv("TOKCTL_CONFIG") != "")
	if err == nil {
		err = cfg.Check(config.Schema{ProviderKeys: provider.Keys, ListKeys: provider.ListKeys,
			KindKeys: provider.KindKeys, KindEnv: func(name string) string { return provider.EnvVar(name, "kind") }})
	}
	if err != nil {
		return nil, configFileError(err, sv.ConfigFile)
	}
	sv.cfg = cfg
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
func (sv *Service) Store() (store.Backend, error) {
	if sv.backend != nil {
		return sv.backend, nil
	}
	kind := sv.StoreKind
	if kind == "" {
		cfg, err := sv.Config()
		if err != nil {
			return nil, err
		}
		kind = cfg.Store()
	}
	dir, err := sv.StateDir()
	if err != nil {
		return nil, err
	}
	b, err := store.Open(kind, store.Options{Dir: dir, Warn: sv.ErrOut})
	if err != nil {
		// The config file's value was checked with the file; name the other
		// two places the value can come from.
		from := "--store"
		if sv.StoreKind == "" {
			from = "TOKCTL_STORE"
		}
		return nil, failure.Usagef("%s: %v", from, err)
	}
	sv.backend = b
	return b, nil
}

// StateDir is the directory of the file store and the locks.
func (sv *Service) StateDir() (string, error) {
	if sv.stateDir == "" {
		dir, err := store.DefaultDir()
		if err != nil {
			return "", err
		}
		sv.stateDir = dir
	}
	return sv.stateDir, nil
}

// HTTP returns the client of every outbound request.
func (sv *Service) HTTP() *oauth.Client {
	if sv.http == nil {
		sv.http = &oauth.Client{UserAgent: sv.UserAgent}
		if sv.Verbose {
			sv.http.Verbose = sv.ErrOut
		}
	}
	return sv.http
}

// BuildProvider builds the provider of settings s with the outbound client:
// the Builder of token requests.
func (sv *Service) BuildProvider(s provider.Settings) (provider.Provider, error) {
	return provider.New(s, sv.HTTP())
}

// Manager returns the token lifecycle, wired to the state directory (the
// locks), the clock and stderr. Building it does no I/O, but it allocates:
// the hot path (a fresh stored token) does not call it.
func (sv *Service) Manager() *Manager[provider.Provider] {
	if sv.manager == nil {
		sv.manager = &Manager[provider.Provider]{
			Lock:  DirLocker{Dir: sv.StateDir},
			Clock: ClockFunc(sv.now),
			Warnf: sv.warnf,
			VerifyIDToken: func(ctx context.Context, p provider.Provider, clientID, idToken string) (bool, error) {
				return sv.IDTokenVerifier().Verify(ctx, p, "refresh", clientID, idToken, "")
			},
		}
	}
	return sv.manager
}

// IDTokenVerifier checks ID tokens with the outbound client; -v says when
// one stays unverified.
func (sv *Service) IDTokenVerifier() *authflow.Verifier {
	v := &authflow.Verifier{HTTP: sv.HTTP(), CacheDir: CacheDir(), Now: sv.now}
	if sv.Verbose {
		v.Verbose = sv.ErrOut
	}
	return v
}

// Settings resolves provider name's settings from the environment and the
// config file (the environment wins); flags are applied by the caller.
func (sv *Service) Settings(name string) (provider.Settings, error) {
	s := provider.Settings{Name: name}
	if !provider.ValidName(name) {
		return s, failure.Usagef("invalid provider name %q: use lower-case letters, digits, - and _", name)
	}
	cfg, err := sv.Config()
	if err != nil {
		return s, err
	}
	s.CacheDir = CacheDir()
	s.ConfigFile = cfg.File()
	s.Warnf = sv.warnf
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
func (sv *Service) CheckedProvider(name string, edit func(*provider.Settings)) (provider.Provider, provider.Settings, error) {
	s, err := sv.Settings(name)
	if err != nil {
		return nil, s, err
	}
	if edit != nil {
		edit(&s)
	}
	p, err := provider.New(s, sv.HTTP())
	if err != nil {
		return nil, s, err
	}
	return p, s, p.Check()
}

// KeepingStore is the store for a command whose point is to keep something
// (login, refresh): `none` is a usage error that says what to do instead.
func (sv *Service) KeepingStore(name, command, instead string) (store.Backend, error) {
	b, err := sv.Store()
	if err != nil {
		return nil, err
	}
	if b.Name() == "none" {
		return nil, failure.Usagef("%s: %s keeps tokens in a store, but the store is `none`; %s", name, command, instead)
	}
	return b, nil
}

// Provider builds provider name from its settings.
func (sv *Service) Provider(name string) (provider.Provider, error) {
	s, err := sv.Settings(name)
	if err != nil {
		return nil, err
	}
	return provider.New(s, sv.HTTP())
}

// ProviderNames lists built-in and configured providers, sorted, unique.
func (sv *Service) ProviderNames() ([]string, error) {
	cfg, err := sv.Config()
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

// CacheDir is where discovery documents are cached: $XDG_CACHE_HOME/tokctl,
// else ~/.cache/tokctl; empty (no cache) when neither can be found.
func CacheDir() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "tokctl")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache", "tokctl")
	}
	return ""
}

func (sv *Service) now() time.Time {
	if sv.Now != nil {
		return sv.Now()
	}
	return time.Now()
}

// warnf prints one warning line to ErrOut, escaped: it may quote an error,
// a stored record or a provider.
func (sv *Service) warnf(format string, args ...any) {
	fmt.Fprintf(sv.ErrOut, "tokctl: warning: %s\n", termtext.Escape(fmt.Sprintf(format, args...)))
}
