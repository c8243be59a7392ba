// Package store keeps tokctl's records (tokens, client secrets) in the OS
// keyring, in private files, or nowhere, and serialises concurrent
// invocations through a per-key file lock.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	// Expiry is the absolute expiry; the zero time means the token does not expire.
	Expiry time.Time `json:"expiry,omitzero"`
	// Scopes are the scopes the provider granted; RequestedScopes the ones
	// tokctl asked for, which decide whether the record answers a request.
	Scopes          []string  `json:"scopes,omitempty"`
	RequestedScopes []string  `json:"requested_scopes,omitempty"`
	ObtainedAt      time.Time `json:"obtained_at"`
}

// recordVersion is the current Record layout.
const recordVersion = 1

// TokenKey is the key under which a provider's token record is stored.
func TokenKey(provider string) string { return provider }

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

// LoadRecord reads and decodes the token record of provider.
// It returns ErrNotFound when there is none and a *CorruptError when the
// stored value is not a complete record.
func LoadRecord(ctx context.Context, b Backend, provider string) (*Record, error) {
	key := TokenKey(provider)
	raw, err := b.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, &CorruptError{Key: key, Err: err}
	}
	if r.Version != recordVersion || r.AccessToken == "" || r.Endpoint == "" {
		return nil, &CorruptError{Key: key, Err: errors.New("incomplete record")}
	}
	return &r, nil
}

// SaveRecord encodes and stores r as provider's token record.
func SaveRecord(ctx context.Context, b Backend, r *Record) error {
	r.Version = recordVersion
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Set(ctx, TokenKey(r.Provider), raw)
}
