package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/tokctl/tokctl/internal/golden"

	"github.com/spf13/cobra"
	"github.com/tokctl/tokctl/internal/failure"
)

// assertGolden compares got with testdata/golden/NAME (see package golden).
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Assert(t, filepath.Join("testdata", "golden", name), got)
}

// executeForTest runs cmd with args as Run would, without the root: flag
// errors are usage errors, and cobra prints nothing of its own.
func executeForTest(cmd *cobra.Command, args []string) error {
	cmd.SetArgs(append([]string{}, args...)) // nil would mean os.Args
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &failure.UsageError{Msg: err.Error()} })
	return cmd.Execute()
}

// errText is err's message, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// parseForTest builds a command with newCmd on f, whose runF only keeps
// its Options, and checks that building it built no Service (the tree is
// built before the command is known). It runs args through the command
// and checks the exit code. It returns the Options the command would have
// run with: nil after a usage error, which must not run it.
func parseForTest[O any](t *testing.T, f *Factory, newCmd func(*Factory, func(context.Context, *O) error) *cobra.Command, args []string, wantCode int) *O {
	t.Helper()
	var got *O
	cmd := newCmd(f, func(_ context.Context, o *O) error { got = o; return nil })
	if f.svc != nil {
		t.Fatal("building the command built the Service")
	}
	err := executeForTest(cmd, args)
	if code := exitCode(err); code != wantCode {
		t.Fatalf("exit code %d (%v), want %d", code, err, wantCode)
	}
	if wantCode != 0 && got != nil {
		t.Error("the command ran despite a usage error")
	}
	return got
}
