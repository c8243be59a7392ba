package authflow

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenBrowserRefusesOptions(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BROWSER", "touch "+filepath.Join(dir, "opened")+" %s")
	var errOut bytes.Buffer
	Opener(&errOut)("--renderer-cmd-prefix=/bin/touch")
	if !strings.Contains(errOut.String(), `not opening a browser on an address that starts with "-"`) {
		t.Errorf("stderr %q, want the refusal", errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "opened")); err == nil {
		t.Error("the browser command ran")
	}
}
