// Package golden compares what a test prints with a file under the package's
// testdata, which `go test PKG -update` rewrites. Only tests import it.
package golden

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata with what the tests print")

// Assert compares got with the file at path (relative to the package's
// directory), byte for byte, or writes the file with -update: a change in
// output shows up in review as a change of that file.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run '%s' -update in its package to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -run '%s' -update in its package after checking the change):\n--- got\n%s\n--- want\n%s",
			path, t.Name(), got, want)
	}
}
