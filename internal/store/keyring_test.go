package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// realKeyring returns a Keyring on the real OS keyring under a service name
// unique to this run, deleting everything under it afterwards. It skips the
// test when no keyring is reachable, unless TOKCTL_TEST_REQUIRE_KEYRING=1.
func realKeyring(t *testing.T) Keyring {
	t.Helper()
	k := Keyring{Service: fmt.Sprintf("tokctl-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	_, err := k.Get(context.Background(), "probe")
	if errors.Is(err, ErrUnreachable) {
		if os.Getenv("TOKCTL_TEST_REQUIRE_KEYRING") == "1" {
			t.Fatalf("TOKCTL_TEST_REQUIRE_KEYRING=1 but: %v", err)
		}
		t.Skipf("no OS keyring: %v", err)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("probe: %v, want ErrNotFound", err)
	}
	t.Cleanup(func() {
		err := k.call(context.Background(), func() error { return gokeyring.DeleteAll(k.Service) })
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Errorf("cleanup: %v", err)
		}
	})
	return k
}

func TestKeyringRoundTrip(t *testing.T) {
	k := realKeyring(t)
	ctx := context.Background()
	record := `{"v":1,"provider":"tiki","endpoint":"https://x/token","access_token":"at"}`
	steps := []struct {
		name    string
		op      func() error
		key     string
		want    string // "" means ErrNotFound
		wantErr error
	}{
		{"missing key", nil, "tiki", "", ErrNotFound},
		{"set", func() error { return k.Set(ctx, "tiki", []byte(record)) }, "tiki", record, nil},
		{"other key still missing", nil, "tiki.client-secret", "", ErrNotFound},
		{"set second key", func() error { return k.Set(ctx, "tiki.client-secret", []byte("s3cr\u00e9t\n")) }, "tiki.client-secret", "s3cr\u00e9t\n", nil},
		{"overwrite", func() error { return k.Set(ctx, "tiki", []byte("v2")) }, "tiki", "v2", nil},
		{"first key untouched", nil, "tiki.client-secret", "s3cr\u00e9t\n", nil},
		{"delete", func() error { return k.Delete(ctx, "tiki") }, "tiki", "", ErrNotFound},
		{"delete missing", func() error { return k.Delete(ctx, "tiki") }, "tiki", "", ErrNotFound},
	}
	for _, s := range steps {
		if s.op != nil {
			if err := s.op(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		start := time.Now()
		got, err := k.Get(ctx, s.key)
		elapsed := time.Since(start)
		if !errors.Is(err, s.wantErr) || string(got) != s.want {
			t.Errorf("%s: Get(%q) = %q, %v; want %q, %v", s.name, s.key, got, err, s.want, s.wantErr)
		}
		t.Logf("%s: Get took %v", s.name, elapsed)
	}
}

func TestKeyringServicesAreSeparate(t *testing.T) {
	a, b := realKeyring(t), realKeyring(t)
	ctx := context.Background()
	if err := a.Set(ctx, "tiki", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "tiki"); !errors.Is(err, ErrNotFound) {
		t.Errorf("other service sees the value: err = %v", err)
	}
}

func TestKeyringCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Keyring{}.Get(ctx, "tiki")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestKeyringDefaults(t *testing.T) {
	var k Keyring
	if k.service() != "tokctl" || k.timeout() != 3*time.Second || k.Name() != "keyring" {
		t.Errorf("zero Keyring: service %q, timeout %v, name %q", k.service(), k.timeout(), k.Name())
	}
}

// TestOpenKeyringReachable: with a working keyring, Open's backend uses it
// and stays quiet.
func TestOpenKeyringReachable(t *testing.T) {
	k := realKeyring(t)
	dir := t.TempDir()
	var warn bytes.Buffer
	b, err := Open("", Options{Dir: dir, Warn: &warn, Keyring: &k})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Set(t.Context(), "tiki", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if got, err := k.Get(t.Context(), "tiki"); err != nil || string(got) != "v" {
		t.Errorf("keyring has %q, %v; want %q", got, err, "v")
	}
	if err := b.Delete(t.Context(), "tiki"); err != nil {
		t.Fatal(err)
	}
	if b.Name() != "keyring" || warn.Len() != 0 {
		t.Errorf("Name = %q, warning %q; want keyring and none", b.Name(), warn.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("file store used: %v", entries)
	}
}

// TestKeyringLargeRecordRealSecretService stores an OpenID Connect-sized
// record in the real Secret Service, with no limit (Linux's) and with the
// Windows and macOS limits forced: it round-trips, is chunked when the limit
// asks for it, and Delete leaves no chunk behind.
func TestKeyringLargeRecordRealSecretService(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		t.Run(goos, func(t *testing.T) {
			k := realKeyring(t)
			k.limit = func(service, user string) int { return secretLimit(goos, service, user) }
			ctx := context.Background()
			value := oidcRecord(12000, 'j')
			if err := k.Set(ctx, "kc", value); err != nil {
				t.Fatal(err)
			}
			got, err := k.Get(ctx, "kc")
			if err != nil || !bytes.Equal(got, value) {
				t.Fatalf("Get: %d bytes, %v", len(got), err)
			}
			head, err := k.getItem(ctx, "kc")
			if err != nil {
				t.Fatal(err)
			}
			m, chunked := parseManifest(head)
			if chunked != (goos != "linux") {
				t.Fatalf("chunked = %v on %s", chunked, goos)
			}
			if err := k.Delete(ctx, "kc"); err != nil {
				t.Fatal(err)
			}
			for i := range m.n {
				if _, err := k.getItem(ctx, chunkKey("kc", m.gen, i)); !errors.Is(err, ErrNotFound) {
					t.Errorf("chunk %d after Delete: %v, want ErrNotFound", i, err)
				}
			}
			if _, err := k.Get(ctx, "kc"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get after Delete: %v", err)
			}
		})
	}
}

// TestKeyringKilledWriteRealSecretService: a chunked write killed after two
// of its chunks (macOS's limit forced) leaves them and its intent in the
// real Secret Service; the next write removes both.
func TestKeyringKilledWriteRealSecretService(t *testing.T) {
	k := realKeyring(t)
	k.limit = func(service, user string) int { return secretLimit("darwin", service, user) }
	ctx := context.Background()
	t.Cleanup(func() { _ = k.Delete(ctx, "kc") })
	// The head read, the intent read, the intent written, two chunks.
	dying := k
	dying.secrets = &dyingSecrets{secretStore: goKeyring{}, budget: 5}
	if err := dying.Set(ctx, "kc", oidcRecord(12000, 'k')); !errors.Is(err, errKilled) {
		t.Fatalf("the killed write: %v", err)
	}
	intent, err := k.getItem(ctx, intentKey("kc"))
	if err != nil {
		t.Fatalf("no intent left by the killed write: %v", err)
	}
	gen, _, _ := strings.Cut(intent, "\n")
	left := func() (n int) {
		for i := range maxChunks {
			if _, err := k.getItem(ctx, chunkKey("kc", gen, i)); err != nil {
				break
			}
			n++
		}
		return n
	}
	if n := left(); n != 2 {
		t.Fatalf("the killed write left %d chunks, want 2", n)
	}
	if err := k.Set(ctx, "kc", []byte("small")); err != nil {
		t.Fatal(err)
	}
	if n := left(); n != 0 {
		t.Errorf("%d chunks of the killed write outlive the next one", n)
	}
	if _, err := k.getItem(ctx, intentKey("kc")); !errors.Is(err, ErrNotFound) {
		t.Errorf("the intent outlives the next write: %v", err)
	}
	if got, err := k.Get(ctx, "kc"); err != nil || string(got) != "small" {
		t.Errorf("Get: %q, %v", got, err)
	}
}
