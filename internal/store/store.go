// Package store keeps tokctl's records (tokens, client secrets) in the OS
// keyring, in private files, or nowhere, and serialises concurrent
// invocations through a per-key file lock.
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrNotFound is returned by Get when no record is stored under the key.
var ErrNotFound = errors.New("not found")

// Backend stores opaque values by key. Implementations: Keyring, File, None,
// and the keyring-with-file-fallback returned by Open.
type Backend interface {
	// Name is "keyring", "file" or "none": what `tokctl status` shows.
	Name() string
	// Get returns the value stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key, replacing any old value atomically.
	Set(ctx context.Context, key string, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Record is what tokctl keeps about one provider's token.
type Record struct {
	Version  int    `json:"v"`
	Provider string `json:"provider"`
	// Endpoint is the token URL the token came from: a token from a staging
	// URL is never served for production.
	Endpoint string `json:"endpoint"`
	ClientID string `json:"client_id,omitempty"`

	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	// IDTokenUnverified marks an ID token tokctl could not verify (a provider
	// without `issuer`): it is kept, but `-o id-token` refuses to print it.
	IDTokenUnverified bool `json:"id_token_unverified,omitempty"`
	// Expiry is the absolute expiry; the zero time means the token does not expire.
	Expiry time.Time `json:"expiry,omitzero"`
	// Scopes are the scopes the provider granted; RequestedScopes the ones
	// tokctl asked for, which decide whether the record answers a request.
	Scopes          []string  `json:"scopes,omitempty"`
	RequestedScopes []string  `json:"requested_scopes,omitempty"`
	ObtainedAt      time.Time `json:"obtained_at"`
	// DefaultScopes marks the record that answers requests naming no scopes
	// (neither --scope nor configured ones); RequestedScopes are then what
	// the provider's default meant when the token was obtained.
	DefaultScopes bool `json:"default_scopes,omitempty"`
}

// recordVersion is the current Record layout.
const recordVersion = 1

// SecretKey is the key under which a provider's client secret is stored.
func SecretKey(provider string) string { return provider + ".client-secret" }

// CorruptError reports a stored record that cannot be decoded.
type CorruptError struct {
	Key string
	Err error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("stored record %q is unreadable: %v", e.Key, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// LoadRecord reads and decodes the token record stored under key (see
// RecordKey). It returns ErrNotFound when there is none and a *CorruptError
// when the stored value is not a complete record.
func LoadRecord(ctx context.Context, b Backend, key string) (*Record, error) {
	raw, err := b.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(raw)
	if err != nil {
		return nil, &CorruptError{Key: key, Err: err}
	}
	if r.Version != recordVersion || r.AccessToken == "" || r.Endpoint == "" {
		return nil, &CorruptError{Key: key, Err: errors.New("incomplete record")}
	}
	return r, nil
}

// The record is read and written field by field, not with json.Unmarshal
// and json.Marshal on the struct: those build the struct's field table by
// reflection on first use, and every tokctl process is a first use — for a
// cached `token get` that was ≈ 0.3 ms of a 3 ms run (docs/performance.md).
// FuzzDecodeRecord and FuzzEncodeRecord hold both to encoding/json; the
// struct tags stay for them.

// recordField is one field of a Record: its JSON name, a pointer to it, and
// whether json.Marshal would leave it out (omitempty, omitzero).
type recordField struct {
	name string
	ptr  any
	omit bool
}

// fields lists r's fields in declaration order, as json.Marshal writes them.
func (r *Record) fields() []recordField {
	return []recordField{
		{"v", &r.Version, false},
		{"provider", &r.Provider, false},
		{"endpoint", &r.Endpoint, false},
		{"client_id", &r.ClientID, r.ClientID == ""},
		{"access_token", &r.AccessToken, false},
		{"token_type", &r.TokenType, r.TokenType == ""},
		{"refresh_token", &r.RefreshToken, r.RefreshToken == ""},
		{"id_token", &r.IDToken, r.IDToken == ""},
		{"id_token_unverified", &r.IDTokenUnverified, !r.IDTokenUnverified},
		{"expiry", &r.Expiry, r.Expiry.IsZero()},
		{"scopes", &r.Scopes, len(r.Scopes) == 0},
		{"requested_scopes", &r.RequestedScopes, len(r.RequestedScopes) == 0},
		{"obtained_at", &r.ObtainedAt, false},
		{"default_scopes", &r.DefaultScopes, !r.DefaultScopes},
	}
}

// decodeRecord reads a record written by SaveRecord, key by key. Keys match
// exactly (the file is tokctl's own), unknown keys are skipped, and any
// malformed or trailing input is an error, as with json.Unmarshal.
func decodeRecord(raw []byte) (*Record, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	if t, err := d.Token(); err != nil {
		return nil, err
	} else if t != json.Delim('{') {
		return nil, fmt.Errorf("a record is a JSON object, not %v", t)
	}
	var r Record
	fields := r.fields()
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		var dst any = new(json.RawMessage) // an unknown key: skipped
		for _, f := range fields {
			if t == f.name {
				dst = f.ptr
				break
			}
		}
		if err := d.Decode(dst); err != nil {
			return nil, err
		}
	}
	if _, err := d.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("data after the record")
	}
	return &r, nil
}

// encodeRecord writes exactly what json.Marshal(r) writes.
func encodeRecord(r *Record) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(256 + len(r.AccessToken) + len(r.RefreshToken) + len(r.IDToken))
	sep := byte('{')
	for _, f := range r.fields() {
		if f.omit {
			continue
		}
		enc, err := json.Marshal(f.ptr)
		if err != nil {
			return nil, err
		}
		b.WriteByte(sep)
		sep = ','
		b.WriteString(`"` + f.name + `":`)
		b.Write(enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
