//go:build unix

package privdir

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Each case plants something in a root that holds sub/file (content "ok")
// and says which path must be refused. The operations must refuse it,
// without reading, writing or changing the mode of anything outside.
func TestRefusesWhatIsNotOwn(t *testing.T) {
	tests := []struct {
		name   string
		plant  func(t *testing.T, root, outside string)
		bad    string // relative to root; "" is root
		asRoot bool   // needs to chown to another uid
	}{
		{"root is a symlink", func(t *testing.T, root, outside string) {
			mustRemoveAll(t, root)
			mustSymlink(t, outside, root)
		}, "", false},
		{"sub is a symlink", func(t *testing.T, root, outside string) {
			mustRemoveAll(t, filepath.Join(root, "sub"))
			mustSymlink(t, outside, filepath.Join(root, "sub"))
		}, "sub", false},
		{"file is a symlink", func(t *testing.T, root, outside string) {
			mustRemoveAll(t, filepath.Join(root, "sub", "file"))
			mustSymlink(t, filepath.Join(outside, "file"), filepath.Join(root, "sub", "file"))
		}, "sub/file", false},
		{"root writable by others", func(t *testing.T, root, _ string) {
			mustChmod(t, root, 0o777)
		}, "", false},
		{"sub writable by group", func(t *testing.T, root, _ string) {
			mustChmod(t, filepath.Join(root, "sub"), 0o770)
		}, "sub", false},
		{"file writable by others", func(t *testing.T, root, _ string) {
			mustChmod(t, filepath.Join(root, "sub", "file"), 0o602)
		}, "sub/file", false},
		{"file is a FIFO", func(t *testing.T, root, _ string) {
			p := filepath.Join(root, "sub", "file")
			mustRemoveAll(t, p)
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "sub/file", false},
		{"sub is a file", func(t *testing.T, root, _ string) {
			p := filepath.Join(root, "sub")
			mustRemoveAll(t, p)
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "sub", false},
		{"file owned by another user", func(t *testing.T, root, _ string) {
			mustChown(t, filepath.Join(root, "sub", "file"))
		}, "sub/file", true},
		{"root owned by another user", func(t *testing.T, root, _ string) {
			mustChown(t, root)
		}, "", true},
	}
	ops := map[string]func(root string) error{
		"ReadFile": func(root string) error { _, err := ReadFile(root, "sub/file"); return err },
		"WriteFile": func(root string) error {
			return WriteFile(root, "sub/file", []byte("new"))
		},
		"OpenLock": func(root string) error {
			f, err := OpenLock(root, "sub/file")
			if err == nil {
				f.Close()
			}
			return err
		},
	}
	for _, tt := range tests {
		for opName, op := range ops {
			t.Run(tt.name+"/"+opName, func(t *testing.T) {
				if tt.asRoot && os.Geteuid() != 0 {
					t.Skip("needs root to give a file to another uid")
				}
				base := t.TempDir()
				root := filepath.Join(base, "tokctl")
				outside := filepath.Join(base, "outside")
				for _, d := range []string{filepath.Join(root, "sub"), outside} {
					if err := os.MkdirAll(d, 0o700); err != nil {
						t.Fatal(err)
					}
				}
				for _, d := range []string{root, filepath.Join(root, "sub"), outside} {
					mustChmod(t, d, 0o700)
				}
				mustWrite(t, filepath.Join(root, "sub", "file"), "ok")
				mustWrite(t, filepath.Join(outside, "file"), "outside")
				mustChmod(t, outside, 0o755)
				tt.plant(t, root, outside)

				err := op(root)
				if opName == "WriteFile" && tt.bad == "sub/file" {
					// A bad file is replaced (rename), never written through.
					if err != nil {
						t.Fatal(err)
					}
					if got, err := ReadFile(root, "sub/file"); err != nil || string(got) != "new" {
						t.Errorf("after WriteFile: %q, %v", got, err)
					}
					assertOutsideUntouched(t, outside)
					return
				}
				var unsafe *UnsafeError
				if !errors.As(err, &unsafe) {
					t.Fatalf("%s: %v, want an *UnsafeError", opName, err)
				}
				want := root
				if tt.bad != "" {
					want = filepath.Join(root, filepath.FromSlash(tt.bad))
				}
				if unsafe.Path != want {
					t.Errorf("refused %s, want %s", unsafe.Path, want)
				}
				msg := err.Error()
				if !strings.Contains(msg, want) || strings.Count(msg, "\n") != 0 || unsafe.Fix == "" {
					t.Errorf("message %q: want one line naming %s and a fix", msg, want)
				}
				assertOutsideUntouched(t, outside)
			})
		}
	}
}

// assertOutsideUntouched checks the directory a link pointed to kept its
// mode (0755), its file and nothing else.
func assertOutsideUntouched(t *testing.T, outside string) {
	t.Helper()
	if fi, err := os.Stat(outside); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("outside dir: %v, %v; want mode 0755 unchanged", fi.Mode(), err)
	}
	if raw, err := os.ReadFile(filepath.Join(outside, "file")); err != nil || string(raw) != "outside" {
		t.Errorf("outside file: %q, %v", raw, err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("outside dir holds %d entries, want 1 (nothing created there)", len(entries))
	}
}

func TestReadWriteRemove(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "state", "tokctl") // parents missing too
	if _, err := ReadFile(root, "a"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile before any write: %v, want not exist", err)
	}
	for _, rel := range []string{"a", "sub/b"} {
		want := bytes.Repeat([]byte(rel), 3000)
		if err := WriteFile(root, rel, want); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(root, rel)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("ReadFile(%s): %d bytes, %v", rel, len(got), err)
		}
		fi, err := os.Stat(filepath.Join(root, rel))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", rel, fi.Mode(), err)
		}
	}
	for _, d := range []string{root, filepath.Join(root, "sub")} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, %v; want 0700", d, fi.Mode(), err)
		}
	}
	if err := Remove(root, "sub/b"); err != nil {
		t.Fatal(err)
	}
	if err := Remove(root, "sub/b"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Remove: %v, want not exist", err)
	}
	if _, err := ReadFile(root, "../x"); err == nil {
		t.Error("ReadFile accepted a path leaving root")
	}
}

func TestRemoveTemps(t *testing.T) {
	root := filepath.Join(t.TempDir(), "tokctl")
	if err := WriteFile(root, "keep", []byte("v")); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(root, TempPrefix+"old")
	recent := filepath.Join(root, TempPrefix+"recent")
	mustWrite(t, old, "half")
	mustWrite(t, recent, "half")
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if err := RemoveTemps(root, "", time.Minute); err != nil {
		t.Fatal(err)
	}
	assertExists(t, old, false)
	assertExists(t, recent, true)
	if err := RemoveTemps(root, "", 0); err != nil {
		t.Fatal(err)
	}
	assertExists(t, recent, false)
	assertExists(t, filepath.Join(root, "keep"), true)
	if err := RemoveTemps(filepath.Join(root, "missing"), "", 0); err != nil {
		t.Errorf("RemoveTemps of a missing dir: %v", err)
	}
}

func assertExists(t *testing.T, path string, want bool) {
	t.Helper()
	_, err := os.Lstat(path)
	if got := err == nil; got != want {
		t.Errorf("%s exists: %v, want %v", path, got, want)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustChmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func mustChown(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mustRemoveAll(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}
