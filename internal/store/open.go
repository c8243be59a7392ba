package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
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

// Open returns the backend named by kind: "keyring" (also ""), "file" or
// "none". The keyring backend falls back to the file store, with one warning,
// the first time the keyring turns out to be unreachable. Open does no I/O:
// the first real operation is the probe.
func Open(kind string, opts Options) (Backend, error) {
	switch kind {
	case "", "keyring":
		kr := Keyring{Timeout: opts.KeyringTimeout}
		if opts.Keyring != nil {
			kr = *opts.Keyring
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

func storeDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return DefaultDir()
}

// fallback uses the keyring until it is found unreachable, then the file
// store for the rest of the process.
type fallback struct {
	keyring Keyring
	dir     string // as given; resolved only if the fallback happens
	warn    io.Writer

	mu   sync.Mutex
	file *File // set once the keyring was unreachable
}

// Name reports the backend in use: "keyring", or "file" after a fallback.
func (f *fallback) Name() string {
	if f.fileStore() != nil {
		return "file"
	}
	return "keyring"
}

// Get returns the value stored under key, or ErrNotFound.
func (f *fallback) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := f.do(func(b Backend) (err error) {
		v, err = b.Get(ctx, key)
		return err
	})
	return v, err
}

// Set stores value under key.
func (f *fallback) Set(ctx context.Context, key string, value []byte) error {
	return f.do(func(b Backend) error { return b.Set(ctx, key, value) })
}

// Delete removes key.
func (f *fallback) Delete(ctx context.Context, key string) error {
	return f.do(func(b Backend) error { return b.Delete(ctx, key) })
}

func (f *fallback) do(op func(Backend) error) error {
	if fs := f.fileStore(); fs != nil {
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

func (f *fallback) fileStore() *File {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.file
}

// fallBack switches to the file store, warning exactly once however many
// operations found the keyring unreachable at the same time.
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
	f.file = &File{Dir: dir}
	fmt.Fprintf(f.warn, "tokctl: warning: OS keyring unreachable (%s); using the file store in %s\n",
		unreachableReason(cause), dir)
	return f.file, nil
}
