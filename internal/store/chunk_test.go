package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	gokeyring "github.com/zalando/go-keyring"
)

// fakeSecrets is an OS keyring in memory that refuses what go-keyring
// refuses on goos: on Windows a secret over 2,560 bytes, on macOS a
// `security` command line over 4,096 bytes (the check is go-keyring's code,
// copied). It counts calls, and hooks let a test act between them.
type fakeSecrets struct {
	goos string

	mu    sync.Mutex
	items map[string]string
	gets  int
	sets  int

	afterGet  func(user string)
	beforeSet func(user string)
}

func newFakeSecrets(goos string) *fakeSecrets {
	return &fakeSecrets{goos: goos, items: map[string]string{}}
}

var shellescapePattern = regexp.MustCompile(`[^\w@%+=:,./-]`)

// quote is go-keyring's internal/shellescape.Quote.
func quote(s string) string {
	if len(s) == 0 {
		return "''"
	}
	if shellescapePattern.MatchString(s) {
		return "'" + strings.ReplaceAll(s, "'", "'\"'\"'") + "'"
	}
	return s
}

func (f *fakeSecrets) tooBig(service, user, password string) bool {
	switch f.goos {
	case "windows": // keyring_windows.go
		return len(password) > 2560
	case "darwin": // keyring_darwin.go
		password = "go-keyring-base64:" + base64.StdEncoding.EncodeToString([]byte(password))
		command := fmt.Sprintf("add-generic-password -U -s %s -a %s -w %s\n", quote(service), quote(user), quote(password))
		return len(command) > 4096
	}
	return false
}

func (f *fakeSecrets) Get(service, user string) (string, error) {
	f.mu.Lock()
	v, ok := f.items[service+"\x00"+user]
	f.gets++
	hook := f.afterGet
	f.mu.Unlock()
	if hook != nil {
		hook(user)
	}
	if !ok {
		return "", gokeyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeSecrets) Set(service, user, password string) error {
	if hook := f.beforeSet; hook != nil {
		hook(user)
	}
	if f.tooBig(service, user, password) {
		return gokeyring.ErrSetDataTooBig
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[service+"\x00"+user] = password
	f.sets++
	return nil
}

func (f *fakeSecrets) Delete(service, user string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.items[service+"\x00"+user]; !ok {
		return gokeyring.ErrNotFound
	}
	delete(f.items, service+"\x00"+user)
	return nil
}

// users lists the user names stored, sorted by nothing in particular.
func (f *fakeSecrets) users() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.items {
		_, user, _ := strings.Cut(k, "\x00")
		out = append(out, user)
	}
	return out
}

func (f *fakeSecrets) getCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets
}

// fakeKeyring is a Keyring on fake secrets that enforce goos's limits, with
// goos's limits for chunking.
func fakeKeyring(goos string) (Keyring, *fakeSecrets) {
	fs := newFakeSecrets(goos)
	return Keyring{secrets: fs, limit: func(service, user string) int { return secretLimit(goos, service, user) }}, fs
}

// oidcRecord is a record of about size bytes, as an OpenID Connect login
// stores (JWT access, refresh and ID tokens).
func oidcRecord(size int, fill byte) []byte {
	head := `{"v":1,"provider":"kc","endpoint":"https://idp.example/token","access_token":"eyJ`
	body := bytes.Repeat([]byte{fill}, max(size-len(head)-2, 0))
	return []byte(head + string(body) + `"}`)
}

// Both limits, with the keys tokctl uses: values of every size round-trip,
// every item the fake holds fits, a small value is one keyring call, and
// Delete leaves nothing behind.
func TestKeyringChunksFitEachOS(t *testing.T) {
	for _, goos := range []string{"windows", "darwin"} {
		for _, size := range []int{10, 1000, 2000, 2559, 2560, 2561, 3000, 4096, 9000, 60000} {
			for _, key := range []string{"kc", "kc.client-secret", "a-much-longer_provider-name.client-secret"} {
				t.Run(fmt.Sprintf("%s/%d/%s", goos, size, key), func(t *testing.T) {
					k, fs := fakeKeyring(goos)
					ctx := context.Background()
					value := oidcRecord(size, 'x')
					if err := k.Set(ctx, key, value); err != nil {
						t.Fatalf("Set of %d bytes: %v", len(value), err)
					}
					before := fs.getCount()
					got, err := k.Get(ctx, key)
					if err != nil || !bytes.Equal(got, value) {
						t.Fatalf("Get: %d bytes, %v; want the %d bytes set", len(got), err, len(value))
					}
					gets := fs.getCount() - before
					fits := size <= secretLimit(goos, "tokctl", key)
					if fits && gets != 1 {
						t.Errorf("a value that fits took %d keyring reads, want 1", gets)
					}
					if !fits && len(fs.users()) < 3 {
						t.Errorf("a value over the limit is in %d items, want a head and 2 or more chunks", len(fs.users()))
					}
					if err := k.Delete(ctx, key); err != nil {
						t.Fatal(err)
					}
					if left := fs.users(); len(left) != 0 {
						t.Errorf("after Delete the keyring holds %v", left)
					}
					if _, err := k.Get(ctx, key); !errors.Is(err, ErrNotFound) {
						t.Errorf("Get after Delete: %v, want ErrNotFound", err)
					}
				})
			}
		}
	}
}

// Without chunking, the fakes refuse what the real keyrings refuse: the
// proof that they enforce the limits the test relies on.
func TestFakeSecretsEnforceLimits(t *testing.T) {
	for goos, size := range map[string]int{"windows": 2561, "darwin": 3100} {
		fs := newFakeSecrets(goos)
		if err := fs.Set("tokctl", "kc", string(oidcRecord(size, 'x'))); !errors.Is(err, gokeyring.ErrSetDataTooBig) {
			t.Errorf("%s: a %d-byte secret: %v, want ErrSetDataTooBig", goos, size, err)
		}
		limit := secretLimit(goos, "tokctl", "kc")
		if err := fs.Set("tokctl", "kc", string(oidcRecord(limit, 'x'))); err != nil {
			t.Errorf("%s: a secret at the computed limit (%d bytes): %v", goos, limit, err)
		}
		if err := fs.Set("tokctl", "kc", string(oidcRecord(limit+1, 'x'))); !errors.Is(err, gokeyring.ErrSetDataTooBig) {
			t.Errorf("%s: a secret one byte over the computed limit (%d bytes) was taken: the limit is too low", goos, limit+1)
		}
	}
}

// Replacing a value removes the old chunks, whether the new one is chunked
// or fits; a value that looks like a head is stored chunked, never mistaken
// for one.
func TestKeyringChunksReplaced(t *testing.T) {
	k, fs := fakeKeyring("windows")
	ctx := context.Background()
	steps := [][]byte{oidcRecord(9000, 'a'), oidcRecord(7000, 'b'), []byte("small"), oidcRecord(6000, 'c'), []byte(chunkMagic + "gen=0000000000000000 n=1 len=0 sha256=" + strings.Repeat("0", 64))}
	for i, v := range steps {
		if err := k.Set(ctx, "kc", v); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got, err := k.Get(ctx, "kc")
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("step %d: Get %q, %v", i, got, err)
		}
		want := 1
		if len(v) > 2560 || bytes.HasPrefix(v, []byte(chunkMagic)) {
			want = 1 + (len(v)+2559)/2560
		}
		if n := len(fs.users()); n != want {
			t.Errorf("step %d: the keyring holds %d items, want %d: %v", i, n, want, fs.users())
		}
	}
}

// A reader never sees a mix of two values: while a writer has written the
// new chunks but not the head it reads the old value; once the head moved,
// the new one; and a reader whose generation is removed between its reads
// reads the head again.
func TestKeyringChunksAtomic(t *testing.T) {
	ctx := context.Background()
	oldV, newV := oidcRecord(9000, 'o'), oidcRecord(8000, 'n')

	t.Run("between chunks and head", func(t *testing.T) {
		k, fs := fakeKeyring("windows")
		if err := k.Set(ctx, "kc", oldV); err != nil {
			t.Fatal(err)
		}
		var seen []byte
		fs.beforeSet = func(user string) {
			if user == "kc" && seen == nil { // the head is next: the new chunks are all there
				fs.beforeSet = nil
				got, err := k.Get(ctx, "kc")
				if err != nil {
					t.Fatal(err)
				}
				seen = got
			}
		}
		if err := k.Set(ctx, "kc", newV); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(seen, oldV) {
			t.Errorf("a read before the head was written got %d bytes, want the old value", len(seen))
		}
		if got, _ := k.Get(ctx, "kc"); !bytes.Equal(got, newV) {
			t.Errorf("after the write: %d bytes, want the new value", len(got))
		}
	})

	t.Run("generation removed while reading", func(t *testing.T) {
		k, fs := fakeKeyring("windows")
		if err := k.Set(ctx, "kc", oldV); err != nil {
			t.Fatal(err)
		}
		writer := Keyring{secrets: fs, limit: k.limit}
		fs.afterGet = func(user string) {
			if user == "kc" { // the reader has the old head: a whole write happens now
				fs.afterGet = nil
				if err := writer.Set(ctx, "kc", newV); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, err := k.Get(ctx, "kc")
		if err != nil || !bytes.Equal(got, newV) {
			t.Errorf("read across a write: %d bytes, %v; want the new value whole", len(got), err)
		}
	})

	t.Run("chunks that do not match their head", func(t *testing.T) {
		k, fs := fakeKeyring("windows")
		if err := k.Set(ctx, "kc", oldV); err != nil {
			t.Fatal(err)
		}
		head, _ := fs.Get("tokctl", "kc")
		m, _ := parseManifest(head)
		fs.items["tokctl\x00"+chunkKey("kc", m.gen, 1)] = strings.Repeat("z", 2560)
		var ce *CorruptError
		if _, err := k.Get(ctx, "kc"); !errors.As(err, &ce) {
			t.Errorf("mixed chunks: %v, want a CorruptError", err)
		}
	})
}

// dyingSecrets passes calls to fakeSecrets until its budget is spent, then
// refuses every call without touching the keyring: a process killed at
// that point, whose clean-up never runs.
type dyingSecrets struct {
	secretStore
	budget int
}

var errKilled = errors.New("killed")

func (d *dyingSecrets) spend() bool { d.budget--; return d.budget >= 0 }

func (d *dyingSecrets) Get(service, user string) (string, error) {
	if !d.spend() {
		return "", errKilled
	}
	return d.secretStore.Get(service, user)
}

func (d *dyingSecrets) Set(service, user, password string) error {
	if !d.spend() {
		return errKilled
	}
	return d.secretStore.Set(service, user, password)
}

func (d *dyingSecrets) Delete(service, user string) error {
	if !d.spend() {
		return errKilled
	}
	return d.secretStore.Delete(service, user)
}

// A write killed after any of its keyring calls leaves the old value or the
// new one readable, and nothing that the next write, or a delete, does not
// remove: no chunk of a generation no head names outlives them.
func TestKeyringKilledWriteLeavesNothing(t *testing.T) {
	ctx := context.Background()
	oldV, newV, nextV := oidcRecord(9000, 'o'), oidcRecord(6000, 'n'), oidcRecord(3000, 'x')
	for _, goos := range []string{"windows", "darwin"} {
		for _, old := range [][]byte{oldV, []byte("small")} {
			for _, then := range []string{"set", "delete"} {
				for calls := 0; ; calls++ {
					k, fs := fakeKeyring(goos)
					if err := k.Set(ctx, "kc", old); err != nil {
						t.Fatal(err)
					}
					dying := Keyring{secrets: &dyingSecrets{secretStore: fs, budget: calls}, limit: k.limit}
					werr := dying.Set(ctx, "kc", newV)
					if werr != nil && !errors.Is(werr, errKilled) {
						t.Fatalf("%s: killed after %d calls: %v", goos, calls, werr)
					}
					name := fmt.Sprintf("%s, old %d bytes, killed after %d calls, then %s", goos, len(old), calls, then)
					if got, err := k.Get(ctx, "kc"); err != nil || !bytes.Equal(got, old) && !bytes.Equal(got, newV) {
						t.Fatalf("%s: read %d bytes, %v; want the old or the new value", name, len(got), err)
					}
					want := 0
					if then == "set" {
						if err := k.Set(ctx, "kc", nextV); err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if got, err := k.Get(ctx, "kc"); err != nil || !bytes.Equal(got, nextV) {
							t.Fatalf("%s: read %d bytes, %v; want the next value", name, len(got), err)
						}
						head, _ := fs.Get("tokctl", "kc")
						if m, ok := parseManifest(head); ok {
							want = 1 + m.n
						} else {
							want = 1
						}
					} else if err := k.Delete(ctx, "kc"); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if users := fs.users(); len(users) != want {
						t.Errorf("%s: the keyring holds %d items, want %d: %v", name, len(users), want, users)
					}
					if werr == nil {
						break // the write was whole: every earlier call was a kill point
					}
				}
			}
		}
	}
}

func TestParseManifest(t *testing.T) {
	good := manifest{gen: "0123456789abcdef", n: 3, size: 7000, sum: strings.Repeat("ab", 32)}
	if m, ok := parseManifest(good.String()); !ok || m != good {
		t.Fatalf("round trip: %+v, %v", m, ok)
	}
	for _, bad := range []string{
		"", "{}", chunkMagic, chunkMagic + "gen=0123456789abcdef n=0 len=1 sha256=" + strings.Repeat("ab", 32),
		chunkMagic + "gen=0123456789abcdef n=65 len=1 sha256=" + strings.Repeat("ab", 32),
		chunkMagic + "gen=0123456789ABCDEF n=1 len=1 sha256=" + strings.Repeat("ab", 32),
		chunkMagic + "gen=0123456789abcdef n=1 len=-1 sha256=" + strings.Repeat("ab", 32),
		chunkMagic + "gen=0123456789abcdef n=1 len=1 sha256=" + strings.Repeat("ab", 31),
		good.String() + " extra",
	} {
		if _, ok := parseManifest(bad); ok {
			t.Errorf("parseManifest(%q) accepted", bad)
		}
	}
}

func TestQuotedLen(t *testing.T) {
	for _, s := range []string{"", "tokctl", "kc.client-secret", "a b", "it's", "x:chunk:0123:1", "é"} {
		if got, want := quotedLen(s), len(quote(s)); got != want {
			t.Errorf("quotedLen(%q) = %d, want %d", s, got, want)
		}
	}
}

// FuzzParseManifest: a head read from the keyring is accepted only in the
// exact form tokctl writes.
func FuzzParseManifest(f *testing.F) {
	f.Add(manifest{gen: "0123456789abcdef", n: 3, size: 7000, sum: strings.Repeat("ab", 32)}.String())
	f.Add(chunkMagic + "gen=0123456789abcdef n=01 len=5 sha256=" + strings.Repeat("0", 64))
	f.Add(chunkMagic + "gen=0123456789abcdef n=1 len=+5 sha256=" + strings.Repeat("0", 64))
	f.Add(`{"v":1}`)
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := parseManifest(s)
		if !ok {
			return
		}
		if m.String() != s {
			t.Errorf("accepted %q, which tokctl writes as %q", s, m.String())
		}
		if m.n < 1 || m.n > maxChunks || m.size < 0 {
			t.Errorf("accepted out-of-range %+v", m)
		}
	})
}
