package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tokctl/tokctl/internal/privdir"
)

func TestFileRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		value []byte
	}{
		{"token", "tiki", []byte(`{"v":1}`)},
		{"client secret", "tiki.client-secret", []byte("s3cret")},
		{"empty value", "empty", []byte{}},
		{"binary value", "bin", []byte{0, 1, 2, 0xff, '\n'}},
		{"key with slash", "../etc/passwd", []byte("x")},
		{"upper-case key", "Tiki", []byte("upper")},
		{"key named like the locks dir", "locks", []byte("l")},
		{"unicode key", "ti\u00dfki", []byte("u")},
	}
	f := File{Dir: filepath.Join(t.TempDir(), "state")}
	ctx := context.Background()
	// Lock makes <dir>/locks, which must not get in the way of key "locks".
	unlock, err := Lock(ctx, f.Dir, "tiki")
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.Set(ctx, tt.key, tt.value); err != nil {
				t.Fatal(err)
			}
			got, err := f.Get(ctx, tt.key)
			if err != nil || !bytes.Equal(got, tt.value) {
				t.Fatalf("Get = %q, %v; want %q", got, err, tt.value)
			}
			if err := f.Set(ctx, tt.key, []byte("overwritten")); err != nil {
				t.Fatal(err)
			}
			if got, _ := f.Get(ctx, tt.key); string(got) != "overwritten" {
				t.Fatalf("after overwrite Get = %q", got)
			}
		})
	}
	// Every key kept its own value: no two keys share a file.
	for _, tt := range tests {
		if got, err := f.Get(ctx, tt.key); err != nil || string(got) != "overwritten" {
			t.Errorf("%s: Get = %q, %v", tt.key, got, err)
		}
	}
	if got, _ := f.Get(ctx, "tiki"); string(got) != "overwritten" {
		t.Errorf("tiki vs Tiki: tiki = %q", got)
	}
	assertOnlyValues(t, f.Dir, len(tests))
	for _, tt := range tests {
		if err := f.Delete(ctx, tt.key); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Get(ctx, tt.key); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s after Delete: err = %v, want ErrNotFound", tt.key, err)
		}
	}
}

func TestFileMissing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		dir  string
	}{
		{"missing dir", filepath.Join(t.TempDir(), "absent")},
		{"empty dir", t.TempDir()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := File{Dir: tt.dir}
			if _, err := f.Get(ctx, "tiki"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get: err = %v, want ErrNotFound", err)
			}
			if err := f.Delete(ctx, "tiki"); err != nil {
				t.Errorf("Delete: %v, want nil", err)
			}
		})
	}
}

func TestFileBadKeys(t *testing.T) {
	f := File{Dir: t.TempDir()}
	for _, key := range []string{"", strings.Repeat("X", 100)} {
		if err := f.Set(context.Background(), key, []byte("x")); err == nil {
			t.Errorf("Set(%q...) succeeded, want an error", key[:min(len(key), 8)])
		}
	}
	if err := (File{}).Set(context.Background(), "k", nil); err == nil {
		t.Error("Set with no Dir succeeded")
	}
}

func TestFileNameInjective(t *testing.T) {
	keys := []string{"tiki", "Tiki", "TIKI", "tiki.client-secret", "a/b", "a%2Fb", "a%2fb",
		".", "..", ".hidden", "x.", "a b", "a_b", "a-b", "%", "%25", "locks", "\u00e9", "\u00c9"}
	seen := map[string]string{}
	for _, k := range keys {
		name, err := fileName(k)
		if err != nil {
			t.Fatalf("fileName(%q): %v", k, err)
		}
		if strings.ContainsAny(name, "/\\") || strings.HasPrefix(name, ".") || strings.ToLower(name) != strings.ToLower(name) {
			t.Errorf("fileName(%q) = %q: unsafe", k, name)
		}
		low := strings.ToLower(name) // case-insensitive file systems
		if other, ok := seen[low]; ok {
			t.Errorf("fileName(%q) and fileName(%q) collide: %q", k, other, name)
		}
		seen[low] = k
	}
}

// A directory tokctl makes is 0700 and its files 0600; an existing
// directory keeps its mode (tokctl did not make it) unless it breaks the
// rules, and then it is refused, untouched.
func TestFilePermissions(t *testing.T) {
	tests := []struct {
		name    string
		mode    os.FileMode // of an existing dir; 0: none
		want    os.FileMode
		refused bool
	}{
		{"new dir", 0, 0o700, false},
		{"group-readable existing dir", 0o750, 0o750, false},
		{"loose existing dir", 0o777, 0o777, true},
		{"group-writable existing dir", 0o770, 0o770, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "a", "state")
			if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.mode != 0 {
				if err := os.Mkdir(dir, tt.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			f := File{Dir: dir}
			err := f.Set(context.Background(), "tiki", []byte("tok"))
			var unsafe *privdir.UnsafeError
			if tt.refused != errors.As(err, &unsafe) {
				t.Fatalf("Set: %v, want refused %v", err, tt.refused)
			}
			if !tt.refused && err != nil {
				t.Fatal(err)
			}
			assertMode(t, dir, os.ModeDir|tt.want)
			if tt.refused {
				if _, err := os.Stat(filepath.Join(dir, "tiki.value")); !os.IsNotExist(err) {
					t.Errorf("a refused store was written: %v", err)
				}
				return
			}
			assertMode(t, filepath.Join(dir, "tiki.value"), 0o600)
		})
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}

// assertOnlyValues checks dir holds n value files and nothing else but locks/.
func assertOnlyValues(t *testing.T, dir string, n int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	values := 0
	for _, e := range entries {
		switch {
		case strings.HasSuffix(e.Name(), valueSuffix) && !strings.HasPrefix(e.Name(), "."):
			values++
		case e.Name() == "locks" && e.IsDir():
		default:
			t.Errorf("unexpected entry %q left in %s", e.Name(), dir)
		}
	}
	if values != n {
		t.Errorf("%d value files, want %d", values, n)
	}
}

// Concurrent-writer values are valueSize copies of one byte: a torn write
// would mix bytes or come out short.
const valueSize = 64 << 10

func fill(c byte) []byte { return bytes.Repeat([]byte{c}, valueSize) }

func checkWhole(v []byte) error {
	if len(v) != valueSize {
		return fmt.Errorf("value of %d bytes, want %d", len(v), valueSize)
	}
	if n := bytes.Count(v, v[:1]); n != valueSize {
		return fmt.Errorf("torn value: %d of %d bytes are %q", n, valueSize, v[0])
	}
	return nil
}

// helperFileWriter rewrites key "shared" in TEST_DIR with TEST_BYTE until
// it has done so TEST_N times.
func helperFileWriter(ctx context.Context) error {
	f := File{Dir: os.Getenv("TEST_DIR")}
	v := fill(os.Getenv("TEST_BYTE")[0])
	n, _ := strconv.Atoi(os.Getenv("TEST_N"))
	for range n {
		if err := f.Set(ctx, "shared", v); err != nil {
			return err
		}
	}
	fmt.Println("done")
	return nil
}

func TestFileConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	f := File{Dir: filepath.Join(t.TempDir(), "state")}
	if err := f.Set(ctx, "shared", fill('0')); err != nil {
		t.Fatal(err)
	}
	const writes = 150
	var helpers []*helper
	for _, c := range "AB" {
		helpers = append(helpers, startHelper(t, "file-writer",
			"TEST_DIR="+f.Dir, "TEST_BYTE="+string(c), "TEST_N="+strconv.Itoa(writes)))
	}
	// The readers run from before the in-process writers start until every
	// writer is done: events, not a sleep, make them overlap.
	var writers, readers, readersStarted sync.WaitGroup
	stop := make(chan struct{})
	readersStarted.Add(4)
	for _, c := range "abc" {
		writers.Go(func() {
			readersStarted.Wait()
			for range writes {
				if err := f.Set(ctx, "shared", fill(byte(c))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var reads, errs int
	var mu sync.Mutex
	for range 4 {
		readers.Go(func() {
			for first := true; ; first = false {
				select {
				case <-stop:
					return
				default:
				}
				v, err := f.Get(ctx, "shared")
				if first {
					readersStarted.Done()
				}
				if err == nil {
					err = checkWhole(v)
				}
				mu.Lock()
				reads++
				if err != nil {
					errs++
					if errs < 5 {
						t.Errorf("read: %v", err)
					}
				}
				mu.Unlock()
			}
		})
	}
	for _, h := range helpers {
		h.wait(t)
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	t.Logf("%d reads, %d bad", reads, errs)
	if reads == 0 {
		t.Error("no reads")
	}
	assertOnlyValues(t, f.Dir, 1)
}

func TestDefaultDir(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		name  string
		state string
		want  string
	}{
		{"XDG_STATE_HOME", "/x/state", "/x/state/tokctl"},
		{"unset", "", filepath.Join(home, ".local", "state", "tokctl")},
		{"relative is ignored", "rel/state", filepath.Join(home, ".local", "state", "tokctl")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("XDG_STATE_HOME", tt.state)
			got, err := DefaultDir()
			if err != nil || got != tt.want {
				t.Errorf("DefaultDir() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
