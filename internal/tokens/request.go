package tokens

import (
	"context"
	"errors"

	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// Request is a request for a token: the provider as configured now, the
// scopes asked for, and the key of the stored record that answers it. A
// provider keeps one record per token endpoint and scope set (see
// store.RecordKey), so the key is known without reading anything.
type Request[P Provider] struct {
	build Builder[P]
	p     P
	s     provider.Settings
	// defaultScopes: neither --scope nor the configuration names scopes, so
	// the request is for the provider's default scope set — the scopes of
	// its last `tokctl login --scope`, else its built-in default. That set
	// has a record key of its own, so the hot path needs no store read to
	// learn what the default is.
	defaultScopes bool
	// checkErr is the provider's configuration error when scopes are all it
	// lacks, which a default stored by `tokctl login` may still provide.
	checkErr error
	key      string
}

// NewRequest builds (with build) and checks the provider of settings s, all
// before any I/O. On the hot path: it allocates the request and nothing
// else of its own.
func NewRequest[P Provider](s provider.Settings, build Builder[P]) (*Request[P], error) {
	p, err := build.BuildProvider(s)
	if err != nil {
		return nil, err
	}
	r := &Request[P]{build: build, p: p, s: s, defaultScopes: len(s.Scopes) == 0}
	if err := p.Check(); err != nil {
		if !r.defaultScopes || !OnlyScopesMissing(s, build) {
			return nil, err
		}
		r.checkErr = err
	}
	r.setKey()
	return r, nil
}

// Provider is the request's provider (rebuilt when default scopes are used).
func (r *Request[P]) Provider() P { return r.p }

// Settings are the provider's settings.
func (r *Request[P]) Settings() provider.Settings { return r.s }

// DefaultScopes reports whether the request is for the provider's default
// scope set.
func (r *Request[P]) DefaultScopes() bool { return r.defaultScopes }

func (r *Request[P]) setKey() {
	if r.defaultScopes {
		r.key = store.RecordKey(r.p.Name(), r.p.RecordEndpoint(), nil)
	} else {
		r.key = store.RecordKey(r.p.Name(), r.p.RecordEndpoint(), r.p.Scopes())
	}
}

// OnlyScopesMissing reports whether settings s pass the provider's check
// once they name a scope (Tilia requires scopes).
func OnlyScopesMissing[P Provider](s provider.Settings, build Builder[P]) bool {
	s.Scopes = []string{"scope"}
	p, err := build.BuildProvider(s)
	return err == nil && p.Check() == nil
}

// AsDefault makes the request's scopes, given to `tokctl login --scope`,
// the provider's default: the record answers requests naming no scopes.
func (r *Request[P]) AsDefault() {
	r.defaultScopes = true
	r.setKey()
}

// UseDefaultScopes makes a default-scopes request ask for the scopes that
// `tokctl login --scope` remembered (ix.DefaultScopes), when there are any;
// without them, a provider that requires scopes is a configuration error.
func (r *Request[P]) UseDefaultScopes(ix store.Index) error {
	if !r.defaultScopes {
		return nil
	}
	if len(ix.DefaultScopes) == 0 {
		return r.checkErr
	}
	s := r.s
	s.Scopes = ix.DefaultScopes
	p, err := r.build.BuildProvider(s)
	if err != nil {
		return err
	}
	if err := p.Check(); err != nil {
		return err
	}
	r.p, r.s, r.checkErr = p, s, nil
	return nil
}

// Load reads the record that answers r: the hot path, one store read. It
// returns nil when there is none or it was issued for another endpoint or
// client; corrupt reports an unreadable record (one that does not decode or
// fails CheckRecord), which counts as none. A store that cannot be used at
// all (a path that breaks the trust rules, a keyring chosen explicitly that
// is unreachable) is an error.
func (r *Request[P]) Load(ctx context.Context, b Store) (rec *store.Record, corrupt bool, err error) {
	rec, err = store.LoadRecord(ctx, b, r.key)
	if store.Unusable(err) {
		return nil, false, wrap(r.p.Name(), err)
	}
	var ce *store.CorruptError
	if err != nil {
		return nil, errors.As(err, &ce), nil
	}
	if CheckRecord(rec) != nil {
		return nil, true, nil
	}
	if !r.matches(rec) {
		return nil, false, nil
	}
	return rec, false, nil
}

// matches reports whether rec answers r as configured now: same token
// endpoint (a staging token is never served for production), same client,
// same scopes — or, for the default scope set, a record kept as the default.
func (r *Request[P]) matches(rec *store.Record) bool {
	if rec.Endpoint != r.p.RecordEndpoint() {
		return false
	}
	if id := r.p.ClientID(); id != "" && rec.ClientID != id {
		return false
	}
	if r.defaultScopes {
		return rec.DefaultScopes
	}
	return !rec.DefaultScopes && sameScopes(rec.RequestedScopes, r.p.Scopes())
}

// LookUp is the second look at the store, under the provider's lock, before
// a token request: the record again (another process may have just renewed
// it), the scopes a login made the default, and a record stored under the
// key of an older tokctl, which it moves under its own key. Not the hot
// path: it reads the provider's index.
func (r *Request[P]) LookUp(ctx context.Context, b Store) (*store.Record, error) {
	rec, _, err := r.Load(ctx, b)
	if err != nil {
		return nil, err
	}
	ix, err := store.LoadIndex(ctx, b, r.p.Name())
	var ce *store.CorruptError
	if err != nil && !errors.As(err, &ce) {
		return nil, wrap(r.p.Name(), err)
	}
	if err := r.UseDefaultScopes(ix); err != nil {
		return nil, err
	}
	if rec != nil {
		return rec, nil
	}
	if !r.defaultScopes && len(ix.DefaultScopes) > 0 && sameScopes(ix.DefaultScopes, r.p.Scopes()) {
		// `tokctl login --scope S` keeps its tokens as the default set; a
		// request naming S is for the same tokens, which may hold a refresh
		// token that only that login could get.
		d := &Request[P]{build: r.build, p: r.p, s: r.s, defaultScopes: true}
		d.setKey()
		if rec, _, _ := d.Load(ctx, b); rec != nil && rec.RefreshToken != "" {
			*r = *d
			return rec, nil
		}
	}
	return r.adoptLegacy(ctx, b)
}

// adoptLegacy moves the record an older tokctl kept under the provider's
// name to its own key, and returns it when it answers r.
func (r *Request[P]) adoptLegacy(ctx context.Context, b Store) (*store.Record, error) {
	legacy := store.LegacyKey(r.p.Name())
	old, err := store.LoadRecord(ctx, b, legacy)
	if store.Unusable(err) {
		return nil, wrap(r.p.Name(), err)
	}
	if err != nil || CheckRecord(old) != nil {
		return nil, nil
	}
	// It answered requests naming no scopes when its scopes were what the
	// provider's default means now.
	old.DefaultScopes = r.defaultScopes && sameScopes(old.RequestedScopes, r.p.Scopes())
	if err := store.SaveRecord(ctx, b, old); err != nil {
		return nil, nil
	}
	_ = b.Delete(ctx, legacy)
	if old.Key() != r.key || !r.matches(old) {
		return nil, nil
	}
	return old, nil
}

// Stored is the stored record a plain `tokctl token get name` would serve
// when there is one (r, which may be nil when the provider is not usable as
// configured), else the provider's most recently written one, fresh or not;
// store.ErrNotFound when there is none.
func Stored[P Provider](ctx context.Context, r *Request[P], b Store, name string) (*store.Record, error) {
	if r != nil {
		if rec, _, err := r.Load(ctx, b); err != nil || rec != nil {
			return rec, err
		}
	}
	recs, err := store.Records(ctx, b, name)
	if err != nil {
		return nil, wrap(name, err)
	}
	for _, sr := range recs {
		if sr.Record != nil {
			return sr.Record, nil
		}
	}
	if len(recs) > 0 {
		return nil, recs[0].Err
	}
	return nil, store.ErrNotFound
}
