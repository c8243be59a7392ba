package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
	"github.com/tokctl/tokctl/internal/failure"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden with what the tests print")

// assertGolden compares got with testdata/golden/NAME, or writes that file
// with -update. Golden files hold what a command prints, byte for byte; a
// change in output shows up in review as a change of that file.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run go test ./internal/cli -run %s -update after checking the change):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
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
