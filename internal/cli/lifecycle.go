package cli

import (
	"context"

	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
	"github.com/tokctl/tokctl/internal/tokens"
)

// tokenRequest is a request for a token (see tokens.Request).
type tokenRequest = tokens.Request[provider.Provider]

// newTokenRequest resolves provider name's settings, lets the command apply
// its flags (edit may be nil) and checks the result, all before any I/O.
func newTokenRequest(f *Factory, name string, edit func(*provider.Settings)) (*tokenRequest, error) {
	s, err := f.Settings(name)
	if err != nil {
		return nil, err
	}
	if edit != nil {
		edit(&s)
	}
	return tokens.NewRequest[provider.Provider](s, f)
}

// withScopes edits the settings with the --scope flags, if any.
func withScopes(flags []string) func(*provider.Settings) {
	return func(s *provider.Settings) {
		if len(flags) > 0 {
			s.Scopes = splitScopeFlags(flags)
		}
	}
}

// storedRecord is the stored record a plain `tokctl token get name` would
// serve when there is one, else the provider's most recently written one,
// fresh or not; store.ErrNotFound when there is none.
func storedRecord(ctx context.Context, f *Factory, b store.Backend, name string) (*store.Record, error) {
	r, err := newTokenRequest(f, name, nil)
	if err != nil {
		r = nil
	}
	return tokens.Stored(ctx, r, b, name)
}
