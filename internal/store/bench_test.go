package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/store"
)

// The in-process share of a cached `tokctl token get`: read the record from
// the file store and decode it. (Process start-up, the larger share, is
// measured by `make bench`.)

// benchRecord is a Tilia-sized record: a JWT of about 1 KB, like the fake
// provider's and Tilia's own samples.
func benchRecord() *store.Record {
	now := time.Now().UTC()
	return &store.Record{
		Provider:        "tilia",
		Endpoint:        "https://auth.tilia-inc.com/token",
		ClientID:        "3f2bfe5b-19b8-41c1-88d7-70a1586bce94",
		AccessToken:     "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9." + strings.Repeat("x", 600) + "." + strings.Repeat("s", 342),
		TokenType:       "Bearer",
		Expiry:          now.Add(time.Hour),
		Scopes:          []string{"write_registrations", "user_info"},
		RequestedScopes: []string{"write_registrations", "user_info"},
		ObtainedAt:      now,
	}
}

func fileStoreWithRecord(b *testing.B) store.File {
	b.Helper()
	fs := store.File{Dir: filepath.Join(b.TempDir(), "tokctl")}
	if err := store.SaveRecord(context.Background(), fs, benchRecord()); err != nil {
		b.Fatal(err)
	}
	return fs
}

// BenchmarkFileGet reads the stored bytes: open, read, close.
func BenchmarkFileGet(b *testing.B) {
	fs := fileStoreWithRecord(b)
	ctx := context.Background()
	key := benchRecord().Key()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fs.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadRecordFile is the whole store read of a cached `token get`,
// the record's key included.
func BenchmarkLoadRecordFile(b *testing.B) {
	fs := fileStoreWithRecord(b)
	ctx := context.Background()
	rec := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := store.LoadRecord(ctx, fs, store.RecordKey(rec.Provider, rec.Endpoint, rec.RequestedScopes)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRecord is LoadRecord from memory: the JSON decoding and
// checks alone.
func BenchmarkDecodeRecord(b *testing.B) {
	fs := fileStoreWithRecord(b)
	ctx := context.Background()
	key := benchRecord().Key()
	raw, err := fs.Get(ctx, key)
	if err != nil {
		b.Fatal(err)
	}
	mem := memory{key: raw}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := store.LoadRecord(ctx, mem, key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordKey derives a record's key from provider, endpoint and
// scopes: the hot path's only work besides the read.
func BenchmarkRecordKey(b *testing.B) {
	rec := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		_ = store.RecordKey(rec.Provider, rec.Endpoint, rec.RequestedScopes)
	}
}

// BenchmarkSaveRecordFile is the write of a store miss: encode, temp file,
// fsync, rename, fsync of the directory. Its cost depends on the disk.
func BenchmarkSaveRecordFile(b *testing.B) {
	fs := store.File{Dir: filepath.Join(b.TempDir(), "tokctl")}
	rec := benchRecord()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := store.SaveRecord(ctx, fs, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLock takes and releases a provider's lock, as a store miss does.
func BenchmarkLock(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "tokctl")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		unlock, err := store.Lock(ctx, dir, "tilia")
		if err != nil {
			b.Fatal(err)
		}
		if err := unlock(); err != nil {
			b.Fatal(err)
		}
	}
}

// memory is a Backend over a map, for decoding without I/O.
type memory map[string][]byte

func (m memory) Name() string { return "memory" }

func (m memory) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := m[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (m memory) Set(_ context.Context, key string, value []byte) error {
	m[key] = value
	return nil
}

func (m memory) Delete(_ context.Context, key string) error {
	delete(m, key)
	return nil
}
