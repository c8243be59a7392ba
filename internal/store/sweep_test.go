package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A write killed between its temp file and the rename leaves the temp file,
// holding a token; the next Set or Delete removes it once it is stale, and
// leaves a fresh one (another process's write in progress) alone.
func TestFileSweepsStaleTempFiles(t *testing.T) {
	f := File{Dir: filepath.Join(t.TempDir(), "state")}
	ctx := context.Background()
	if err := f.Set(ctx, "ils", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(f.Dir, ".tmp-111")
	fresh := filepath.Join(f.Dir, ".tmp-222")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte(`{"access_token":"half`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	for name, op := range map[string]func() error{
		"Set":    func() error { return f.Set(ctx, "ils", []byte("v2")) },
		"Delete": func() error { return f.Delete(ctx, "gone") },
	} {
		if err := op(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("%s kept the stale temp file: %v", name, err)
		}
		if _, err := os.Stat(fresh); err != nil {
			t.Errorf("%s removed a fresh temp file: %v", name, err)
		}
		if err := os.WriteFile(stale, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(stale, old, old); err != nil {
			t.Fatal(err)
		}
	}
}
