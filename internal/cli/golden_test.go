package cli

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
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
