package tokens

import (
	"context"
	"fmt"

	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// SaveLogin stores, under the provider's lock, what a login got: with
// keepClient, the client secret or private key of creds (when it has one);
// with rememberScopes, the login's scopes as the provider's default; and
// the token record rec.
func (m *Manager[P]) SaveLogin(ctx context.Context, r *Request[P], b Store, rec *store.Record, creds provider.Credentials, keepClient, rememberScopes bool) error {
	p := r.p
	unlock, err := m.Lock.Lock(ctx, p.Name())
	if err != nil {
		return err
	}
	defer unlock()
	if keepClient && (creds.Secret != "" || len(creds.PrivateKey) > 0) {
		what := "client secret"
		if len(creds.PrivateKey) > 0 {
			what = "private key"
		}
		if err := WriteStoredClient(ctx, b, p.Name(), creds); err != nil {
			return fmt.Errorf("%s: could not store the %s in the %s store: %w", p.Name(), what, b.Name(), err)
		}
	}
	if rememberScopes {
		ix, err := LoadIndex(ctx, b, p.Name())
		if err == nil {
			ix.DefaultScopes = p.Scopes()
			err = store.SaveIndex(ctx, b, p.Name(), ix)
		}
		if err != nil {
			return fmt.Errorf("%s: could not store the login's scopes in the %s store: %w", p.Name(), b.Name(), err)
		}
	}
	if err := store.SaveRecord(ctx, b, rec); err != nil {
		return fmt.Errorf("%s: could not store the token in the %s store: %w", p.Name(), b.Name(), err)
	}
	return nil
}

// Forget removes, under the provider's lock, every stored token record of
// provider name (wherever the store kept one), calling revoke with each
// readable one first, and the leftovers of killed writes. The scopes a login
// made the default stay, unless all, which also removes them and the stored
// client secret or private key. removed counts the records.
func (m *Manager[P]) Forget(ctx context.Context, b Store, name string, all bool, revoke func(*store.Record)) (removed int, err error) {
	if b.Name() != "none" {
		unlock, err := m.Lock.Lock(ctx, name)
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	ix, err := LoadIndex(ctx, b, name)
	if err != nil {
		return 0, wrap(name, err)
	}
	recs, err := store.RecordsEverywhere(ctx, b, name)
	if err != nil {
		return 0, wrap(name, err)
	}
	for _, sr := range recs {
		if sr.Record != nil {
			revoke(sr.Record)
		}
		if err := store.Forget(ctx, b, sr.Key); err != nil {
			return removed, err
		}
		removed++
	}
	if all {
		err = store.Forget(ctx, b, store.IndexKey(name))
	} else {
		err = store.SaveIndex(ctx, b, name, store.Index{DefaultScopes: ix.DefaultScopes})
	}
	if err != nil {
		return removed, err
	}
	if all {
		if err := store.Forget(ctx, b, store.SecretKey(name)); err != nil {
			return removed, err
		}
	}
	// Temp files are the leftovers of killed writes, and hold tokens.
	return removed, store.RemoveTemps(b)
}
