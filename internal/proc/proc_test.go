package proc

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestValidEnvName(t *testing.T) {
	for name, want := range map[string]bool{
		"TOKCTL_ACCESS_TOKEN": true, "API_TOKEN": true, "_x": true, "a1": true, "Token": true,
		"": false, "1A": false, "A-B": false, "A=B": false, "A B": false, "É": false, "A\x00": false,
	} {
		if got := ValidEnvName(name); got != want {
			t.Errorf("ValidEnvName(%q) = %v, want %v", name, got, want)
		}
	}
}

// Run reports the exit status as a shell does: the code, or 128+N for a
// process signal N killed.
func TestRunExitStatus(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs sh")
	}
	for script, want := range map[string]int{"exit 0": 0, "exit 7": 7, "kill -TERM $$": 143, "kill -KILL $$": 137} {
		code, err := Run(exec.Command("sh", "-c", script))
		if err != nil || code != want {
			t.Errorf("sh -c %q: %d, %v; want %d", script, code, err, want)
		}
	}
	if _, err := Run(&exec.Cmd{Path: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("a command that cannot start: no error")
	}
}

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "script")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, reason string
		code         int
	}{
		{"tokctl-test-no-such-command", "not found in $PATH; tokctl exec runs CMD without a shell (for shell syntax: -- sh -c '...')", ExitNotFound},
		{filepath.Join(dir, "missing"), "no such file", ExitNotFound},
		{notExec, "permission denied (not executable)", ExitCannotRun},
	}
	for _, tt := range tests {
		_, err := LookPath(tt.name)
		var nr *NotRunnableError
		if !errors.As(err, &nr) || nr.Reason != tt.reason || nr.Code != tt.code {
			t.Errorf("LookPath(%q): %v; want %q, exit %d", tt.name, err, tt.reason, tt.code)
		}
	}
	if path, err := LookPath("sh"); err != nil || !filepath.IsAbs(path) {
		t.Errorf("LookPath(sh) = %q, %v", path, err)
	}
}
