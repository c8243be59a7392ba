package reference

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tokctl/tokctl/internal/provider"
)

// Every environment variable tokctl's code reads by name is in `tokctl help
// environment`, and so is every provider setting's TOKCTL_<NAME>_<KEY> key.
func TestHelpEnvironmentListsEveryVariable(t *testing.T) {
	text := Environment().Text()
	// os.Getenv("NAME"), and constants that name a variable: NameVar = "NAME".
	getenv := regexp.MustCompile(`(?:Getenv|getenv|envSet)\("([A-Z_]+)"\)|Var\s*=\s*"([A-Z_]+)"`)
	root := filepath.Join("..", "..", "internal")
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "fakeprovider" {
			return filepath.SkipDir // a test double, not tokctl
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range getenv.FindAllStringSubmatch(string(src), -1) {
			found++
			name := m[1] + m[2]
			if !strings.Contains(text, name) {
				t.Errorf("%s reads %s, which `tokctl help environment` does not list", path, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Fatalf("found only %d reads of the environment; is the pattern still right?", found)
	}
	if !strings.Contains(text, "TOKCTL_<NAME>_<KEY>") {
		t.Error("the TOKCTL_<NAME>_<KEY> rule is missing")
	}
	for _, key := range provider.Keys {
		if !strings.Contains(text, key) {
			t.Errorf("setting %s is missing from `tokctl help environment`", key)
		}
	}
}

// `tokctl help exit-codes` has one line per code of the contract.
func TestHelpExitCodes(t *testing.T) {
	text := ExitCodes().Text()
	for _, code := range []string{"0", "1", "2", "3", "4", "5", "130, 143"} {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(code) + `  +[A-Z]`).MatchString(text) {
			t.Errorf("no line for exit code %s in:\n%s", code, text)
		}
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("word ", 40)
	for _, line := range strings.Split(wrap(long, 4), "\n") {
		if len(line) > 80 || !strings.HasPrefix(line, "    word") {
			t.Errorf("line %q: longer than 80 columns or not indented", line)
		}
	}
}
