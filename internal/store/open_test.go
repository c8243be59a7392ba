package store

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		kind    string
		name    string
		wantErr string
	}{
		{"", "keyring", ""},
		{"keyring", "keyring", ""},
		{"file", "file", ""},
		{"none", "none", ""},
		{"vault", "", `unknown store "vault" (keyring, file, none)`},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			b, err := Open(tt.kind, Options{Dir: dir})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Name() != tt.name {
				t.Errorf("Name() = %q, want %q", b.Name(), tt.name)
			}
		})
	}
}

func TestOpenFileDefaultDir(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	b, err := Open("file", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.(File).Dir, filepath.Join(state, "tokctl"); got != want {
		t.Errorf("Dir = %q, want %q", got, want)
	}
}

func TestNone(t *testing.T) {
	ctx := t.Context()
	var n None
	if err := n.Set(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Get(ctx, "k"); err != ErrNotFound {
		t.Errorf("Get after Set: err = %v, want ErrNotFound", err)
	}
	if err := n.Delete(ctx, "k"); err != nil || !strings.EqualFold(n.Name(), "none") {
		t.Errorf("Delete = %v, Name = %q", err, n.Name())
	}
}
