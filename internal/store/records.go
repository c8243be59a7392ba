package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
)

// A provider has one token record per token endpoint and scope set, under a
// key derived from those alone (RecordKey), so that a cached `token get`
// reads exactly one value. The key cannot be listed back (go-keyring has no
// listing), so each provider also has a small index of its record keys,
// most recently written first, read and written only when a record is
// written and by `status` and `logout`.

// MaxRecords is how many token records a provider keeps: writing another
// removes the least recently written.
const MaxRecords = 16

// RecordKey is the key of provider's token record for a token endpoint and a
// requested scope set. A nil or empty scopes means the provider's default
// scope set (neither --scope nor configured scopes), which is a set of its
// own: what it holds is decided by `tokctl login` (see Index.DefaultScopes).
// The scope order and duplicates do not matter.
func RecordKey(provider, endpoint string, scopes []string) string {
	h := fnv.New64a()
	h.Write([]byte(endpoint))
	if len(scopes) > 0 {
		sorted := slices.Clone(scopes)
		slices.Sort(sorted)
		for _, s := range slices.Compact(sorted) {
			h.Write([]byte{0})
			h.Write([]byte(s))
		}
	}
	return provider + ".token-" + strconv.FormatUint(h.Sum64(), 36)
}

// Key is the key r is stored under: RecordKey of its provider, endpoint and
// requested scopes, or of the default scope set when r answers requests for
// the provider's default scopes.
func (r *Record) Key() string {
	if r.DefaultScopes {
		return RecordKey(r.Provider, r.Endpoint, nil)
	}
	return RecordKey(r.Provider, r.Endpoint, r.RequestedScopes)
}

// LegacyKey is where tokctl kept a provider's only token record before
// records were kept per scope set; such a record is still read (and moved
// under its own key on the next write) and removed by logout.
func LegacyKey(provider string) string { return provider }

// IndexKey is the key of provider's index.
func IndexKey(provider string) string { return provider + ".index" }

// Index lists a provider's token record keys and remembers the scopes of
// its last `tokctl login`.
type Index struct {
	Version int `json:"v"`
	// Keys are the provider's record keys, most recently written first.
	Keys []string `json:"keys,omitempty"`
	// DefaultScopes are the scopes given to `tokctl login --scope`: what the
	// provider's default scope set means when neither --scope nor the
	// configuration names scopes.
	DefaultScopes []string `json:"default_scopes,omitempty"`
}

const indexVersion = 1

// LoadIndex reads provider's index; a missing one is empty, an unreadable
// one an error.
func LoadIndex(ctx context.Context, b Backend, provider string) (Index, error) {
	raw, err := b.Get(ctx, IndexKey(provider))
	if errors.Is(err, ErrNotFound) {
		return Index{Version: indexVersion}, nil
	}
	if err != nil {
		return Index{}, err
	}
	var ix Index
	if err := json.Unmarshal(raw, &ix); err != nil || ix.Version != indexVersion {
		return Index{}, &CorruptError{Key: IndexKey(provider), Err: fmt.Errorf("unreadable index: %v", err)}
	}
	return ix, nil
}

// SaveIndex writes provider's index; an empty one is deleted.
func SaveIndex(ctx context.Context, b Backend, provider string, ix Index) error {
	if len(ix.Keys) == 0 && len(ix.DefaultScopes) == 0 {
		return b.Delete(ctx, IndexKey(provider))
	}
	ix.Version = indexVersion
	raw, err := json.Marshal(ix)
	if err != nil {
		return err
	}
	return b.Set(ctx, IndexKey(provider), raw)
}

// loadIndexTolerant is LoadIndex where an unreadable index is rebuilt.
func loadIndexTolerant(ctx context.Context, b Backend, provider string) (Index, error) {
	ix, err := LoadIndex(ctx, b, provider)
	var ce *CorruptError
	if errors.As(err, &ce) {
		return Index{Version: indexVersion}, nil
	}
	return ix, err
}

// SaveRecord stores r under r.Key() and makes it its provider's most
// recently written record, removing the records beyond MaxRecords. The
// index is written before the record, so a record is never stored without
// being listed. The caller holds the provider's lock.
func SaveRecord(ctx context.Context, b Backend, r *Record) error {
	r.Version = recordVersion
	raw, err := encodeRecord(r)
	if err != nil {
		return err
	}
	key := r.Key()
	ix, err := loadIndexTolerant(ctx, b, r.Provider)
	if err != nil {
		return err
	}
	var evicted []string
	if len(ix.Keys) == 0 || ix.Keys[0] != key {
		keys := append([]string{key}, slices.DeleteFunc(ix.Keys, func(k string) bool { return k == key })...)
		if len(keys) > MaxRecords {
			keys, evicted = keys[:MaxRecords], keys[MaxRecords:]
		}
		ix.Keys = keys
		if err := SaveIndex(ctx, b, r.Provider, ix); err != nil {
			return err
		}
	}
	if err := b.Set(ctx, key, raw); err != nil {
		return err
	}
	for _, k := range evicted {
		_ = b.Delete(ctx, k) // listed nowhere now; a leftover is only space
	}
	return nil
}

// StoredRecord is one of a provider's stored records as Records finds it:
// the record, or why it could not be read.
type StoredRecord struct {
	Key    string
	Record *Record // nil when Err is set
	Err    error   // a *CorruptError, or the store's error
}

// Records returns provider's stored token records, most recently written
// first, the legacy single record last; keys listed but not found are left
// out. For the keyring it also lists the copies in the file store it falls
// back to (which Delete removes with the keyring's). A store that cannot be
// used (Unusable) is an error.
func Records(ctx context.Context, b Backend, provider string) ([]StoredRecord, error) {
	return records(ctx, withCopies(b), provider)
}

// RecordsEverywhere is Records plus, for the file store, the records a
// keyring that answers still holds (the user may have switched stores):
// what `tokctl logout` removes with Forget. A keyring that does not answer
// holds nothing to remove.
func RecordsEverywhere(ctx context.Context, b Backend, provider string) ([]StoredRecord, error) {
	out, err := Records(ctx, b, provider)
	if _, ok := b.(File); !ok || err != nil {
		return out, err
	}
	more, kerr := records(ctx, []Backend{Keyring{}}, provider)
	if kerr != nil {
		return out, nil
	}
	for _, sr := range more {
		if !slices.ContainsFunc(out, func(o StoredRecord) bool { return o.Key == sr.Key }) {
			out = append(out, sr)
		}
	}
	return out, nil
}

func records(ctx context.Context, bks []Backend, provider string) ([]StoredRecord, error) {
	var out []StoredRecord
	seen := map[string]bool{}
	for _, bk := range bks {
		ix, err := LoadIndex(ctx, bk, provider)
		var ce *CorruptError
		if err != nil && !errors.As(err, &ce) {
			return nil, err
		}
		if ce != nil && !seen[ce.Key] {
			seen[ce.Key] = true
			out = append(out, StoredRecord{Key: ce.Key, Err: ce})
		}
		for _, key := range append(ix.Keys, LegacyKey(provider)) {
			if seen[key] {
				continue
			}
			rec, err := LoadRecord(ctx, bk, key)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if Unusable(err) {
				return nil, err
			}
			seen[key] = true
			out = append(out, StoredRecord{Key: key, Record: rec, Err: err})
		}
	}
	return out, nil
}

// withCopies is b and, for a keyring that falls back to the file store and
// has not done so, that file store.
func withCopies(b Backend) []Backend {
	var fs File
	switch b := b.(type) {
	case *fallback:
		if active, _ := b.fileStore(); active != nil {
			return []Backend{b}
		}
		fs = b.fallbackFile()
	case *strictKeyring:
		fs = b.fallbackFile()
	}
	if fs.Dir == "" {
		return []Backend{b}
	}
	return []Backend{b, fs}
}
