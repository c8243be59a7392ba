package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/tokctl/tokctl/internal/privdir"
)

// Options configures Open.
type Options struct {
	// Dir is the file store's directory; DefaultDir() when empty.
	Dir string
	// Warn receives the one-line warning when the keyring is unreachable;
	// os.Stderr when nil.
	Warn io.Writer
	// KeyringTimeout bounds each keyring call; 3s when zero.
	KeyringTimeout time.Duration
	// Keyring replaces the default keyring backend (tests).
	Keyring *Keyring
}

// Open returns the backend named by kind: "" (none chosen), "keyring",
// "file" or "none". With no store chosen, the keyring is used and falls back
// to the file store for the rest of the process the first time it turns out
// to be unreachable, with one warning when the fallback writes. A keyring
// chosen explicitly is strict: unreachable is an error, never a file.
// Open does no I/O: the first real operation is the probe.
func Open(kind string, opts Options) (Backend, error) {
	switch kind {
	case "", "keyring":
		kr := Keyring{Timeout: opts.KeyringTimeout}
		if opts.Keyring != nil {
			kr = *opts.Keyring
		}
		if kind == "keyring" {
			return &strictKeyring{keyring: kr, dir: opts.Dir}, nil
		}
		warn := opts.Warn
		if warn == nil {
			warn = os.Stderr
		}
		return &fallback{keyring: kr, dir: opts.Dir, warn: warn}, nil
	case "file":
		dir, err := storeDir(opts.Dir)
		if err != nil {
			return nil, err
		}
		return File{Dir: dir}, nil
	case "none":
		return None{}, nil
	}
	return nil, fmt.Errorf("unknown store %q (keyring, file, none)", kind)
}

// Forget removes key from b and from every other store that may hold a copy
// (`tokctl logout`): the keyring backends' Delete already removes the file
// store's copy a fallback left; for the file store, Forget also removes the
// keyring's copy when a keyring answers (the user may have switched stores).
func Forget(ctx context.Context, b Backend, key string) error {
	if err := b.Delete(ctx, key); err != nil {
		return err
	}
	if _, ok := b.(File); ok {
		_ = Keyring{}.Delete(ctx, key) // unreachable or failing: nothing to remove there
	}
	return nil
}

// RemoveTemps removes every temp file a killed write left in the file store
// that b writes to or falls back to, however recent (`tokctl logout`).
func RemoveTemps(b Backend) error {
	switch b := b.(type) {
	case File:
		return b.RemoveTemps()
	case *fallback:
		return b.fallbackFile().RemoveTemps()
	case *strictKeyring:
		return b.fallbackFile().RemoveTemps()
	}
	return nil
}

// Unusable reports whether err means the store cannot be used at all, which
// ends the command, as opposed to a missing or unreadable record, which
// counts as no record: a path in tokctl's directories that breaks the rules
// (*privdir.UnsafeError), or a keyring chosen explicitly that is unreachable.
func Unusable(err error) bool {
	var unsafe *privdir.UnsafeError
	return errors.As(err, &unsafe) || errors.Is(err, ErrUnreachable)
}

func storeDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return DefaultDir()
}

// fallbackFile is the file store a keyring backend falls back to, which
// may hold copies of its records; the zero File (no directory) when there is
// none.
func fallbackFile(dir string) File {
	dir, err := storeDir(dir)
	if err != nil {
		return File{}
	}
	return File{Dir: dir}
}

// deleteBoth removes key from the keyring and from the file store it falls
// back to: `tokctl logout` leaves no copy behind in either. An unreachable
// keyring is reported only when strict.
func deleteBoth(ctx context.Context, kr Keyring, fs File, key string, strict bool) error {
	if fs.Dir != "" {
		if err := fs.Delete(ctx, key); err != nil {
			return err
		}
	}
	err := kr.Delete(ctx, key)
	if errors.Is(err, ErrUnreachable) && !strict {
		return nil
	}
	return err
}

// strictKeyring is a keyring chosen explicitly: an unreachable keyring is an
// error that names the way out, and nothing is ever written to a file.
type strictKeyring struct {
	keyring Keyring
	dir     string
}

// Name reports "keyring".
func (s *strictKeyring) Name() string { return "keyring" }

// Get returns the value stored under key, or ErrNotFound.
func (s *strictKeyring) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.keyring.Get(ctx, key)
	return v, strictError(err)
}

// Set stores value under key.
func (s *strictKeyring) Set(ctx context.Context, key string, value []byte) error {
	return strictError(s.keyring.Set(ctx, key, value))
}

// Delete removes key from the keyring and any copy from the file store.
func (s *strictKeyring) Delete(ctx context.Context, key string) error {
	return strictError(deleteBoth(ctx, s.keyring, s.fallbackFile(), key, true))
}

func (s *strictKeyring) fallbackFile() File { return fallbackFile(s.dir) }

// strictError says, for an unreachable keyring chosen explicitly, why no file
// is used and how to use one.
func strictError(err error) error {
	if !errors.Is(err, ErrUnreachable) {
		return err
	}
	return &unreachableError{
		reason: unreachableReason(err) + "; the store `keyring` was chosen (--store, TOKCTL_STORE or `store:` in the config file), so nothing is kept in a file: start the keyring, or use `--store file`",
		err:    err,
	}
}

// fallback uses the keyring until it is found unreachable, then the file
// store for the rest of the process.
type fallback struct {
	keyring Keyring
	dir     string // as given; resolved only if the fallback happens
	warn    io.Writer

	mu     sync.Mutex
	file   *File  // set once the keyring was unreachable
	reason string // why
	warned bool
}

// Name reports the backend in use: "keyring", or "file" after a fallback.
func (f *fallback) Name() string {
	if fs, _ := f.fileStore(); fs != nil {
		return "file"
	}
	return "keyring"
}

// Get returns the value stored under key, or ErrNotFound. Reading from the
// file store after a fallback is silent.
func (f *fallback) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := f.do(func(b Backend) (err error) {
		v, err = b.Get(ctx, key)
		return err
	})
	return v, err
}

// Set stores value under key; the first write to the file store after a
// fallback prints the warning.
func (f *fallback) Set(ctx context.Context, key string, value []byte) error {
	return f.do(func(b Backend) error {
		if fs, ok := b.(File); ok {
			if err := fs.Set(ctx, key, value); err != nil {
				return err
			}
			f.warnOnce(fs.Dir)
			return nil
		}
		return b.Set(ctx, key, value)
	})
}

// Delete removes key from the keyring, when it answers, and from the file
// store.
func (f *fallback) Delete(ctx context.Context, key string) error {
	if fs, _ := f.fileStore(); fs != nil { // the keyring is known unreachable
		return fs.Delete(ctx, key)
	}
	return deleteBoth(ctx, f.keyring, f.fallbackFile(), key, false)
}

func (f *fallback) fallbackFile() File {
	if fs, _ := f.fileStore(); fs != nil {
		return *fs
	}
	return fallbackFile(f.dir)
}

func (f *fallback) do(op func(Backend) error) error {
	if fs, _ := f.fileStore(); fs != nil {
		return op(*fs)
	}
	err := op(f.keyring)
	if !errors.Is(err, ErrUnreachable) {
		return err
	}
	fs, ferr := f.fallBack(err)
	if ferr != nil {
		return ferr
	}
	return op(*fs)
}

func (f *fallback) fileStore() (*File, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.file, f.reason
}

// fallBack switches to the file store, however many operations found the
// keyring unreachable at the same time.
func (f *fallback) fallBack(cause error) (*File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.file != nil {
		return f.file, nil
	}
	dir, err := storeDir(f.dir)
	if err != nil {
		return nil, fmt.Errorf("%v, and no file store: %w", cause, err)
	}
	f.file, f.reason = &File{Dir: dir}, unreachableReason(cause)
	return f.file, nil
}

// warnOnce prints, the first time the fallback wrote something, the one
// warning line, which says how to silence it.
func (f *fallback) warnOnce(dir string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.warned {
		return
	}
	f.warned = true
	fmt.Fprintf(f.warn, "tokctl: warning: OS keyring unreachable (%s); stored in the file store in %s instead (set TOKCTL_STORE=file to use it without this warning)\n",
		f.reason, dir)
}
