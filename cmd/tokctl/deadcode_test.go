package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMethodDeadCodeElimination keeps the linker able to drop unused
// methods. One reachable call of reflect's Method or MethodByName (a Cobra
// version or usage template, any text/template or html/template Execute, a
// D-Bus object export) makes it keep every exported method of every type
// that can reach an interface: the release binary grew from 9.5 to 12.0 MB,
// and every command started about 0.4 ms slower. The linker marks such
// functions <ReflectMethod> in its -dumpdep output; none may be reachable.
func TestMethodDeadCodeElimination(t *testing.T) {
	if testing.Short() {
		t.Skip("links tokctl once more")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags=-dumpdep", "-o", filepath.Join(t.TempDir(), "tokctl"), ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v\n%s", err, stderr.Bytes())
	}

	// Each line is "from -> to"; a reachable function is on the left of some
	// edge. Keep the first edge that reached each symbol to explain a hit.
	parent := map[string]string{}
	var offenders []string
	sc := bufio.NewScanner(&stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		rawFrom, rawTo, ok := strings.Cut(sc.Text(), " -> ")
		if !ok {
			continue
		}
		from, to := symbol(rawFrom), symbol(rawTo)
		if _, seen := parent[to]; !seen {
			parent[to] = from
		}
		if strings.HasSuffix(rawFrom, "<ReflectMethod>") {
			offenders = appendNew(offenders, from)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(parent) < 1000 {
		t.Fatalf("the linker printed %d dependencies; has -dumpdep changed its format?", len(parent))
	}
	for _, s := range offenders {
		chain := []string{s}
		for p, ok := parent[s]; ok && len(chain) < 40; p, ok = parent[p] {
			chain = append(chain, p)
			if p == "_" {
				break
			}
		}
		t.Errorf("%s calls methods by name through reflection and is linked; it turns off the dead-code elimination of methods. Reached through:\n  %s",
			s, strings.Join(chain, "\n  <- "))
	}
}

// symbol strips the linker's attribute annotations from a -dumpdep name.
func symbol(s string) string {
	if i := strings.Index(s, " <"); i >= 0 {
		return s[:i]
	}
	return s
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
