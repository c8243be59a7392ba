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

// TestManPagesHaveReferenceSections checks every man page carries EXIT
// STATUS, ENVIRONMENT and FILES, before SEE ALSO, and login's page its own
// --timeout default.
func TestManPagesHaveReferenceSections(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "docs", "man", "*.1"))
	if err != nil || len(pages) < 10 {
		t.Fatalf("man pages: %v, %v", pages, err)
	}
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		last := 0
		for _, want := range []string{".SH EXIT STATUS\n", ".SH ENVIRONMENT\n", ".SH FILES\n", ".SH SEE ALSO\n"} {
			at := strings.Index(text, want)
			if at < last {
				t.Errorf("%s: %q missing or out of order", filepath.Base(page), want)
			}
			last = at
		}
		for _, want := range []string{"\\fBTOKCTL_<NAME>_<KEY>\\fP", "\\fB5\\fP", "\\fB$XDG_STATE_HOME/tokctl/\\fP"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", filepath.Base(page), want)
			}
		}
	}
	login, _ := os.ReadFile(filepath.Join(dir, "docs", "man", "tokctl-login.1"))
	if !strings.Contains(string(login), "\\fB--timeout\\fP=5m0s\n") {
		t.Error("tokctl-login.1 does not give --timeout's default of 5m")
	}
}
