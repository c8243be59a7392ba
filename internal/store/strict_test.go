//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// noBusKeyring is a keyring that finds no session bus: unreachable at once,
// without go-keyring being called.
func noBusKeyring(t *testing.T) *Keyring {
	return &Keyring{bus: busEnv{getenv: func(string) string { return "" }, runtimeDir: t.TempDir()}}
}

// A keyring chosen explicitly that is unreachable is an error naming
// `--store file`, for reads, writes and deletes, and nothing is written to
// a file.
func TestStrictKeyringUnreachable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	var warn bytes.Buffer
	b, err := Open("keyring", Options{Dir: dir, Warn: &warn, Keyring: noBusKeyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, getErr := b.Get(ctx, "tilia")
	for name, err := range map[string]error{
		"Get":    getErr,
		"Set":    b.Set(ctx, "tilia", []byte("secret")),
		"Delete": b.Delete(ctx, "tilia"),
	} {
		if !errors.Is(err, ErrUnreachable) || !Unusable(err) {
			t.Errorf("%s: %v, want an unreachable error", name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "`--store file`") || strings.Contains(msg, "\n") {
			t.Errorf("%s: %q, want one line naming `--store file`", name, msg)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the strict keyring made the file store: %v", err)
	}
	if warn.Len() != 0 {
		t.Errorf("warning %q, want none (it is an error)", warn.String())
	}
	if b.Name() != "keyring" {
		t.Errorf("Name = %q, want keyring", b.Name())
	}
}

// With no store chosen, falling back is silent while it only reads, and the
// first write warns, once, saying how to silence it.
func TestFallbackWarnsOnlyOnWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	var warn bytes.Buffer
	b, err := Open("", Options{Dir: dir, Warn: &warn, Keyring: noBusKeyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		if _, err := b.Get(ctx, "tilia"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get: %v, want ErrNotFound", err)
		}
	}
	if warn.Len() != 0 {
		t.Fatalf("warned on reads: %q", warn.String())
	}
	for range 2 {
		if err := b.Set(ctx, "tilia", []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if got := warn.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "TOKCTL_STORE=file") || !strings.Contains(got, dir) {
		t.Errorf("warning %q, want one line naming %s and TOKCTL_STORE=file", got, dir)
	}
}

// Delete on a keyring store, strict or not, also removes the copy a
// fallback left in the file store; RemoveTemps clears that store's temp files.
func TestKeyringDeleteRemovesFileCopy(t *testing.T) {
	for _, kind := range []string{"", "keyring"} {
		t.Run("kind="+kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			fs := File{Dir: dir}
			ctx := context.Background()
			if err := fs.Set(ctx, "tilia.client-secret", []byte("secret")); err != nil {
				t.Fatal(err)
			}
			tmp := filepath.Join(dir, ".tmp-123")
			if err := os.WriteFile(tmp, []byte("half"), 0o600); err != nil {
				t.Fatal(err)
			}
			b, err := Open(kind, Options{Dir: dir, Keyring: noBusKeyring(t)})
			if err != nil {
				t.Fatal(err)
			}
			err = b.Delete(ctx, "tilia.client-secret")
			if kind == "" && err != nil {
				t.Fatal(err)
			}
			if _, err := fs.Get(ctx, "tilia.client-secret"); !errors.Is(err, ErrNotFound) {
				t.Errorf("file copy after Delete: %v, want ErrNotFound", err)
			}
			if err := RemoveTemps(b); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(tmp); !os.IsNotExist(err) {
				t.Errorf("temp file kept: %v", err)
			}
		})
	}
}
