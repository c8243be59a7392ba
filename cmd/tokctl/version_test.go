package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestVersionFromBuildInfo builds tokctl as `go install` or `go build` in a
// checkout does — no release stamp — and as a release does, and runs
// `tokctl version` on both. The unstamped binary names the module version
// and VCS revision Go recorded in it, not "dev"; the stamped one says what
// the release stamped, as before. The source is the working tree, committed
// to a throwaway repository so that Go has a revision to record.
func TestVersionFromBuildInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("links tokctl twice")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git command")
	}
	repo := copyModule(t, filepath.Join("..", ".."))
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "snapshot")
	rev := git("rev-parse", "HEAD")

	build := func(name string, extra ...string) string {
		t.Helper()
		bin := filepath.Join(t.TempDir(), name)
		args := append([]string{"build", "-trimpath", "-o", bin}, extra...)
		cmd := exec.Command(goBin, append(args, "./cmd/tokctl")...)
		cmd.Dir = repo
		// -buildvcs=true: record the revision even where GOFLAGS turns it off.
		cmd.Env = append(cmd.Environ(), "GOFLAGS=-buildvcs=true", "GOPROXY=off", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatalf("%s version: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}

	got := build("unstamped")
	// Go 1.24+ derives a pseudo-version from the commit: v0.0.0-TIME-REV12.
	want := regexp.MustCompile(`^tokctl version v0\.0\.0-\d{14}-` + rev[:12] + ` \(` + rev[:12] + `, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) go\S+ \S+/\S+$`)
	if !want.MatchString(got) {
		t.Errorf("unstamped build: %q, want the module version and revision %s", got, rev[:12])
	}

	got = build("release", "-ldflags=-X main.version=1.2.3 -X main.commit=abc1234 -X main.date=2026-11-24T00:00:00Z")
	if !strings.HasPrefix(got, "tokctl version 1.2.3 (abc1234, 2026-11-24T00:00:00Z) go") {
		t.Errorf("release build: %q, want what the release stamped", got)
	}
}

// copyModule copies the module's files at root (the working tree, changes
// included, without .git) into a temporary directory.
func copyModule(t *testing.T, root string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || (rel != "." && strings.HasPrefix(d.Name(), ".") && d.Name() != ".ci") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() || d.Name() == ".git" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "go.mod")); err != nil {
		t.Fatal("no go.mod copied: is the test run from cmd/tokctl?")
	}
	return dst
}
