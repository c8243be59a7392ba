// Package tokens is tokctl's token lifecycle: "a valid token for this
// provider and scope set". It holds the cache rules (which stored record
// answers a request, and whether it is fresh), the per-provider lock with a
// second look at the store under it, refresh with rotation, the
// client-credentials fetch, the client secrets that `tokctl login` stores
// and the lookup of client credentials. It reaches the store, the lock, the
// clock and the provider through small interfaces, so that its races are
// tested in process.
package tokens

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// Store keeps values by key; store.Backend is one.
type Store interface {
	// Name is "keyring", "file" or "none".
	Name() string
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
}

// Locker takes a provider's lock, shared by every process that renews or
// writes its tokens.
type Locker interface {
	Lock(ctx context.Context, provider string) (unlock func() error, err error)
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// ClockFunc is a function as a Clock.
type ClockFunc func() time.Time

// Now returns f().
func (f ClockFunc) Now() time.Time { return f() }

// Provider is what the lifecycle needs of every provider; provider.Provider
// is one. What it needs of some — the grants (provider.ClientCredentialsGrant,
// provider.Refresher) and how the client authenticates (provider.ClientAuth)
// — it asks by type assertion.
type Provider interface {
	Name() string
	// RecordEndpoint is where a stored token comes from; one is served only
	// for the same endpoint.
	RecordEndpoint() string
	ClientID() string
	Scopes() []string
	Check() error
	Prepare(ctx context.Context) error
}

// Builder makes the provider of settings (provider.New with the HTTP
// client); a request calls it again when its scopes change.
type Builder[P Provider] interface {
	BuildProvider(s provider.Settings) (P, error)
}

// BuildFunc is a function as a Builder.
type BuildFunc[P Provider] func(provider.Settings) (P, error)

// BuildProvider returns f(s).
func (f BuildFunc[P]) BuildProvider(s provider.Settings) (P, error) { return f(s) }

// Manager gives out valid tokens: it reads, renews and writes the records of
// requests. P is the provider type its callers use (provider.Provider in
// tokctl, a fake in tests).
type Manager[P Provider] struct {
	Lock  Locker
	Clock Clock
	// Warnf prints one warning line.
	Warnf func(format string, args ...any)
	// VerifyIDToken checks the ID token that a refresh brought (empty when
	// none did); unverified says to keep it marked as such.
	VerifyIDToken func(ctx context.Context, p P, clientID, idToken string) (unverified bool, err error)
}

func (m *Manager[P]) now() time.Time { return m.Clock.Now() }

// Obtain is the slow path of a request whose stored record did not do
// (usable said no): under the provider's lock, a second look at the store
// (another process may have just renewed the record), then a renewal. So
// parallel callers cause one token request, and a rotating refresh token is
// spent once. With the `none` store there is nothing to look at or lock.
func (m *Manager[P]) Obtain(ctx context.Context, r *Request[P], b Store, usable func(*store.Record) bool) (*store.Record, error) {
	if b.Name() == "none" {
		if err := r.UseDefaultScopes(store.Index{}); err != nil {
			return nil, err
		}
		return m.Renew(ctx, r, b, nil)
	}
	if r.checkErr != nil {
		// Scopes are missing: a usage error unless a login left default
		// scopes, which is known before anything is locked or written.
		if ix, err := LoadIndex(ctx, b, r.p.Name()); err != nil || len(ix.DefaultScopes) == 0 {
			return nil, r.checkErr
		}
	}
	unlock, err := m.Lock.Lock(ctx, r.p.Name())
	if err != nil {
		return nil, err
	}
	defer unlock()
	rec, err := r.LookUp(ctx, b)
	if err != nil {
		return nil, err
	}
	if usable(rec) {
		return rec, nil
	}
	return m.Renew(ctx, r, b, rec)
}

// Refresh renews r's record now, whatever its expiry, under the provider's
// lock; refreshed says whether a refresh token was spent (else the client
// credentials were).
func (m *Manager[P]) Refresh(ctx context.Context, r *Request[P], b Store) (rec *store.Record, refreshed bool, err error) {
	name := r.p.Name()
	unlock, err := m.Lock.Lock(ctx, name)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	_, corrupt, err := r.Load(ctx, b)
	if err != nil {
		return nil, false, err
	}
	if corrupt {
		m.Warnf("%s: the stored token is unreadable; replacing it", name)
	}
	old, err := r.LookUp(ctx, b)
	if err != nil {
		return nil, false, err
	}
	rec, err = m.Renew(ctx, r, b, old)
	if err != nil {
		return nil, false, err
	}
	return rec, old != nil && old.RefreshToken != "" && supports(r.p, provider.GrantRefreshToken), nil
}

// RenewAhead is the background refresh of refresh-ahead: under the
// provider's lock, it renews r's record when it is still in the last quarter
// of its life, that is, when no other process renewed it meanwhile.
func (m *Manager[P]) RenewAhead(ctx context.Context, r *Request[P], b Store) error {
	unlock, err := m.Lock.Lock(ctx, r.p.Name())
	if err != nil {
		return err
	}
	defer unlock()
	rec, err := r.LookUp(ctx, b)
	if err != nil {
		return err
	}
	if rec == nil || !InLastQuarter(rec, m.now()) {
		return nil // logged out, or renewed by another process meanwhile
	}
	_, err = m.Renew(ctx, r, b, rec)
	return err
}

// Renew gets a new token for r and stores it before returning it: with the
// stored record old's refresh token when it has one, else with the client
// credentials. The caller holds the provider's lock.
func (m *Manager[P]) Renew(ctx context.Context, r *Request[P], b Store, old *store.Record) (*store.Record, error) {
	var (
		rec *store.Record
		err error
	)
	p := r.p
	if err := p.Prepare(ctx); err != nil {
		return nil, err
	}
	if old != nil && old.RefreshToken != "" && supports(p, provider.GrantRefreshToken) {
		rec, err = m.refresh(ctx, r, b, old)
	} else {
		var creds provider.Credentials
		creds, err = ClientCredentials(ctx, p, r.s, b)
		if err == nil {
			rec, err = m.FetchClientCredentials(ctx, r, creds)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := store.SaveRecord(ctx, b, rec); err != nil {
		if rec.RefreshToken != "" && old != nil && rec.RefreshToken != old.RefreshToken {
			m.Warnf("%s: could not store the refreshed token (%v); the provider has rotated the refresh token, so the next call may need `tokctl login %s`", p.Name(), err, p.Name())
		} else {
			m.Warnf("%s: could not store the token (%v); the next call will fetch again", p.Name(), err)
		}
	}
	return rec, nil
}

// refresh spends old's refresh token. A provider that sends no new refresh
// token keeps the old one valid; one that sends no new ID token keeps the
// old one.
func (m *Manager[P]) refresh(ctx context.Context, r *Request[P], b Store, old *store.Record) (*store.Record, error) {
	p := r.p
	creds := provider.Credentials{ID: old.ClientID}
	if c, err := ClientCredentials(ctx, p, r.s, b); err == nil {
		creds.Secret, creds.Fix, creds.PrivateKey = c.Secret, c.Fix, c.PrivateKey
	} else if !provider.IsPublicClient(p) {
		return nil, &failure.LoginRequiredError{Provider: p.Name(), Reason: "the token has expired and the client secret for its refresh is missing"}
	}
	rf, ok := any(p).(provider.Refresher)
	if !ok {
		return nil, noGrant(p, provider.GrantRefreshToken)
	}
	tok, err := rf.Refresh(ctx, creds, old.RefreshToken)
	if err != nil {
		return nil, err
	}
	// An ID token that fails refuses the whole answer, before anything is
	// stored: the stored record stays as it was.
	unverified, err := m.VerifyIDToken(ctx, p, old.ClientID, tok.IDToken)
	if err != nil {
		return nil, err
	}
	rec := m.NewRecord(r, old.ClientID, tok)
	rec.IDTokenUnverified = unverified
	if rec.RefreshToken == "" {
		rec.RefreshToken = old.RefreshToken
	}
	if rec.IDToken == "" {
		rec.IDToken, rec.IDTokenUnverified = old.IDToken, old.IDTokenUnverified
	}
	return rec, nil
}

// FetchClientCredentials gets a new token with the client credentials grant.
func (m *Manager[P]) FetchClientCredentials(ctx context.Context, r *Request[P], creds provider.Credentials) (*store.Record, error) {
	cc, ok := any(r.p).(provider.ClientCredentialsGrant)
	if !ok {
		return nil, noGrant(r.p, provider.GrantClientCredentials)
	}
	tok, err := cc.ClientCredentials(ctx, creds)
	if err != nil {
		return nil, err
	}
	return m.NewRecord(r, creds.ID, tok), nil
}

// NewRecord is what the store keeps of a token issued to client id for r.
func (m *Manager[P]) NewRecord(r *Request[P], clientID string, tok *oauth.Token) *store.Record {
	p := r.p
	return &store.Record{
		Provider:        p.Name(),
		Endpoint:        p.RecordEndpoint(),
		ClientID:        clientID,
		AccessToken:     tok.AccessToken,
		TokenType:       tok.TokenType,
		RefreshToken:    tok.RefreshToken,
		IDToken:         tok.IDToken,
		Expiry:          tok.Expiry.UTC(), // a local time would load the zone database to be written
		Scopes:          tok.Scopes,
		RequestedScopes: p.Scopes(),
		ObtainedAt:      m.now().UTC(),
		DefaultScopes:   r.defaultScopes,
	}
}

// LoadIndex reads provider name's index; an unreadable one counts as empty
// (the next write replaces it).
func LoadIndex(ctx context.Context, b Store, name string) (store.Index, error) {
	ix, err := store.LoadIndex(ctx, b, name)
	var ce *store.CorruptError
	if errors.As(err, &ce) {
		return store.Index{}, nil
	}
	return ix, err
}

// DirLocker is the cross-process lock of store.Lock, in the state directory
// that Dir finds on first use.
type DirLocker struct {
	Dir func() (string, error)
}

// Lock takes provider name's lock; a wait that ends without it is the
// provider being unavailable.
func (l DirLocker) Lock(ctx context.Context, name string) (func() error, error) {
	dir, err := l.Dir()
	if err != nil {
		return nil, err
	}
	unlock, err := store.Lock(ctx, dir, name)
	if store.Unusable(err) {
		return nil, wrap(name, err)
	}
	if err != nil {
		return nil, &failure.UnavailableError{Provider: name, Detail: "waiting for another tokctl", Err: err}
	}
	return unlock, nil
}

// supports reports whether p offers the grant.
func supports(p Provider, grant string) bool { return provider.Supports(p, grant) }

// noGrant is the error for a grant p does not have: the login it needs.
func noGrant(p Provider, grant string) error {
	return &failure.LoginRequiredError{Provider: p.Name(), Reason: "the provider has no " + grant + " grant"}
}

// wrap names the provider in a store error.
func wrap(name string, err error) error { return fmt.Errorf("%s: %w", name, err) }
