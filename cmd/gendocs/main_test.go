package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGeneratedFilesAreCurrent fails when completions/ or docs/ differ from
// what the command tree generates: run `go run ./cmd/gendocs` and commit.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	fresh := t.TempDir()
	if err := generate(fresh); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join("..", "..")
	want, err := files(fresh)
	if err != nil {
		t.Fatal(err)
	}
	have, err := files(repo)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(want, have) {
		t.Fatalf("generated files differ: want %v, have %v; run `go run ./cmd/gendocs`", want, have)
	}
	for _, name := range want {
		a, _ := os.ReadFile(filepath.Join(fresh, name))
		b, _ := os.ReadFile(filepath.Join(repo, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s is stale; run `go run ./cmd/gendocs`", name)
		}
	}
}

// TestCompletionsCoverEveryShell checks the four scripts exist and name tokctl.
func TestCompletionsCoverEveryShell(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tokctl.bash", "_tokctl", "tokctl.fish", "tokctl.ps1"} {
		b, err := os.ReadFile(filepath.Join(dir, "completions", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "tokctl") || !strings.Contains(string(b), "__complete") {
			t.Errorf("%s does not look like a dynamic tokctl completion script", name)
		}
	}
}
