package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// File stores each value in its own private file under Dir: the directory is
// 0700, the files 0600, and every write is atomic (temp file, fsync, rename,
// fsync of the directory), so a crash never leaves a torn or empty value.
type File struct {
	// Dir holds the files; see DefaultDir.
	Dir string
}

// DefaultDir is where the file store lives: $XDG_STATE_HOME/tokctl, else
// ~/.local/state/tokctl.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "tokctl"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the file store directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "tokctl"), nil
}

// Name reports "file".
func (f File) Name() string { return "file" }

// Get returns the value stored under key, or ErrNotFound.
func (f File) Get(ctx context.Context, key string) ([]byte, error) {
	path, err := f.path(key)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return raw, nil
}

// Set stores value under key, replacing any old value atomically.
func (f File) Set(ctx context.Context, key string, value []byte) error {
	path, err := f.path(key)
	if err != nil {
		return err
	}
	if err := privateDir(f.Dir); err != nil {
		return err
	}
	if err := writeAtomic(path, value); err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	sweepTemp(f.Dir)
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (f File) Delete(ctx context.Context, key string) error {
	path, err := f.path(key)
	if err != nil {
		return err
	}
	sweepTemp(f.Dir)
	err = os.Remove(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("file store: %w", err)
	}
	if err == nil {
		if err := syncDir(f.Dir); err != nil {
			return fmt.Errorf("file store: %w", err)
		}
	}
	return nil
}

// valueSuffix keeps value files apart from the directories (locks/) and temp
// files that share Dir.
const valueSuffix = ".value"

func (f File) path(key string) (string, error) {
	if f.Dir == "" {
		return "", errors.New("file store: no directory configured")
	}
	name, err := fileName(key)
	if err != nil {
		return "", err
	}
	return filepath.Join(f.Dir, name+valueSuffix), nil
}

// maxName leaves room for suffixes within the usual 255-byte name limit.
const maxName = 200

// fileName encodes key as a file name, reversibly: lower-case letters,
// digits, '-', '_' and (not leading) '.' stay; every other byte, upper-case
// letters included, becomes %XX. Escaping upper case keeps distinct keys
// distinct on case-insensitive file systems; a leading '.' is escaped so no
// name is hidden, "." or "..".
func fileName(key string) (string, error) {
	if key == "" {
		return "", errors.New("store: empty key")
	}
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.' && i > 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	if b.Len() > maxName {
		return "", fmt.Errorf("store: key too long (%d bytes)", len(key))
	}
	return b.String(), nil
}

// privateDir creates dir 0700, or tightens an existing one to 0700: it holds
// tokens.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("file store: %s is not a directory", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("file store: %w", err)
		}
	}
	return nil
}

// writeAtomic replaces path with value so that readers see either the old
// or the new content, never a mix, even across a crash.
func writeAtomic(path string, value []byte) (err error) {
	dir := filepath.Dir(path)
	// The leading '.' means no key's file name can match a temp file.
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = tmp.Write(value); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// staleTemp is the age at which a temp file is the leftover of a write
// that was killed (a write takes milliseconds).
const staleTemp = time.Minute

// sweepTemp removes what killed writes left behind: their temp files hold
// tokens or secrets that `tokctl logout` would otherwise never remove.
func sweepTemp(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	for _, name := range names {
		if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTemp {
			_ = os.Remove(name)
		}
	}
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
