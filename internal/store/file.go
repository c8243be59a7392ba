package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/privdir"
)

// File stores each value in its own private file under Dir: the directory is
// 0700, the files 0600, and every write is atomic (temp file, fsync, rename,
// fsync of the directory), so a crash never leaves a torn or empty value.
// Nothing in Dir is trusted (see package privdir): a link, or a directory or
// file that is another user's or writable by group or others, is refused.
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

// Get returns the value stored under key, or ErrNotFound. A directory or file
// that is not the user's own, is writable by group or others, or is a
// symbolic link is a *privdir.UnsafeError: never read.
func (f File) Get(ctx context.Context, key string) ([]byte, error) {
	name, err := f.name(key)
	if err != nil {
		return nil, err
	}
	raw, err := privdir.ReadFile(f.Dir, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fileError(err)
	}
	return raw, nil
}

// Set stores value under key, replacing any old value atomically.
func (f File) Set(ctx context.Context, key string, value []byte) error {
	name, err := f.name(key)
	if err != nil {
		return err
	}
	if err := privdir.WriteFile(f.Dir, name, value); err != nil {
		return fileError(err)
	}
	_ = privdir.RemoveTemps(f.Dir, "", staleTemp)
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (f File) Delete(ctx context.Context, key string) error {
	name, err := f.name(key)
	if err != nil {
		return err
	}
	_ = privdir.RemoveTemps(f.Dir, "", staleTemp)
	if err := privdir.Remove(f.Dir, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fileError(err)
	}
	return nil
}

// RemoveTemps removes every temp file in the store, however recent: the
// leftovers of killed writes hold tokens, and `tokctl logout` removes them.
func (f File) RemoveTemps() error {
	if f.Dir == "" {
		return nil
	}
	if err := privdir.RemoveTemps(f.Dir, "", 0); err != nil {
		return fileError(err)
	}
	return nil
}

// fileError says which store failed; an unsafe path is reported as it is,
// since its message names the path and the fix.
func fileError(err error) error {
	var unsafe *privdir.UnsafeError
	if errors.As(err, &unsafe) {
		return err
	}
	return fmt.Errorf("file store: %w", err)
}

// valueSuffix keeps value files apart from the directories (locks/) and temp
// files that share Dir.
const valueSuffix = ".value"

func (f File) name(key string) (string, error) {
	if f.Dir == "" {
		return "", errors.New("file store: no directory configured")
	}
	name, err := fileName(key)
	if err != nil {
		return "", err
	}
	return name + valueSuffix, nil
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

// staleTemp is the age at which a temp file is the leftover of a write
// that was killed (a write takes milliseconds): Set and Delete sweep those.
const staleTemp = time.Minute
