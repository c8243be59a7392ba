// Package privdir reads and writes files in tokctl's own directories (the
// state directory of the file store and the locks, the discovery cache)
// without trusting what it finds there: it never follows a symbolic link,
// refuses a directory or file that is not the user's own or that group or
// others can write, and never changes the mode of anything it did not create.
//
// Paths are a root directory, which must itself pass the checks (tokctl
// creates it 0700 when it is missing), and a slash-separated path relative to
// it whose every component is checked on the way down.
package privdir

import (
	"fmt"
	"strings"
)

// UnsafeError reports a directory or file in tokctl's directories that breaks
// the rules: it is neither read nor written, and the message says what to do.
type UnsafeError struct {
	// Path is the offending directory or file.
	Path string
	// Problem says what is wrong, after "it": "is a symbolic link".
	Problem string
	// Fix says what the user can do about it.
	Fix string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("refusing %s: it %s, and tokctl trusts only its own private files there; %s", e.Path, e.Problem, e.Fix)
}

// TempPrefix starts the name of every temp file WriteFile creates: the
// leading '.' keeps it apart from the names tokctl gives its files.
const TempPrefix = ".tmp-"

// split cuts rel into its directories and its last component, refusing
// anything that could leave root.
func split(rel string) (dirs []string, name string, err error) {
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.ContainsRune(p, '\\') {
			return nil, "", fmt.Errorf("privdir: invalid path %q", rel)
		}
	}
	return parts[:len(parts)-1], parts[len(parts)-1], nil
}

func symlinkError(path string, dir bool) *UnsafeError {
	fix := "remove the link (`rm " + path + "`) and tokctl creates its own file"
	if dir {
		fix = "remove the link (`rm " + path + "`) and tokctl creates its own directory there"
	}
	return &UnsafeError{Path: path, Problem: "is a symbolic link", Fix: fix}
}

func notOwnedError(path string, uid, euid int) *UnsafeError {
	return &UnsafeError{Path: path,
		Problem: fmt.Sprintf("is owned by uid %d, not by you (uid %d)", uid, euid),
		Fix:     "run tokctl as its owner, or remove it (`rm -r " + path + "`) and tokctl creates its own"}
}

func writableError(path string, perm uint32) *UnsafeError {
	return &UnsafeError{Path: path,
		Problem: fmt.Sprintf("is writable by group or others (mode %04o)", perm),
		Fix:     "run `chmod go-w " + path + "`"}
}

func kindError(path, want string) *UnsafeError {
	return &UnsafeError{Path: path, Problem: "is not a " + want, Fix: "remove it (`rm -r " + path + "`)"}
}
