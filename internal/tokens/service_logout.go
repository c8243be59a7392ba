package tokens

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// LogoutResult is what a logout removed.
type LogoutResult struct {
	Provider string
	// Store is the name of the store the tokens were removed from.
	Store string
	// Removed counts the token records removed.
	Removed int
}

// Logout removes provider name's stored tokens (with all, also its stored
// client secret or private key and default scopes), asking the provider to
// revoke each first when it has a revocation endpoint (see revoke).
func (sv *Service) Logout(ctx context.Context, name string, all bool) (*LogoutResult, error) {
	s, err := sv.Settings(name)
	if err != nil {
		return nil, err
	}
	b, err := sv.Store()
	if err != nil {
		return nil, err
	}
	removed, err := sv.Manager().Forget(ctx, b, name, all, func(rec *store.Record) { sv.revoke(ctx, s, b, rec) })
	if err != nil {
		return nil, err
	}
	return &LogoutResult{Provider: name, Store: b.Name(), Removed: removed}, nil
}

// revoke asks the provider to revoke the stored refresh token, else the
// access token (RFC 7009), when it has a revocation endpoint — and only
// when the token came from the endpoint configured now: after a change of
// configuration, the token and the client secret are not sent to another
// deployment. A failure is a warning: logout removes the local record
// whatever the provider says.
func (sv *Service) revoke(ctx context.Context, s provider.Settings, b Store, rec *store.Record) {
	p, err := sv.BuildProvider(s)
	if err != nil || p.Check() != nil && !OnlyScopesMissing[provider.Provider](s, sv) || !provider.CanRevoke(p) {
		return
	}
	if rec.Endpoint != p.RecordEndpoint() {
		sv.warnf("%s: not revoking a token issued by %s at the provider configured now (%s); removing it here anyway",
			p.Name(), withoutUserinfo(rec.Endpoint), withoutUserinfo(p.RecordEndpoint()))
		return
	}
	token, hint := rec.RefreshToken, "refresh_token"
	if token == "" {
		token, hint = rec.AccessToken, "access_token"
	}
	creds := provider.Credentials{ID: rec.ClientID}
	if c, err := ClientCredentials(ctx, p, s, b); err == nil && c.ID == rec.ClientID {
		creds.Secret = c.Secret
	}
	switch err := p.(provider.Revoker).Revoke(ctx, creds, token, hint); {
	case err == nil:
		fmt.Fprintf(sv.ErrOut, "tokctl: %s: the provider revoked the %s\n", p.Name(), strings.ReplaceAll(hint, "_", " "))
	case errors.Is(err, provider.ErrNoRevocation):
	default:
		sv.warnf("%s: could not revoke the token at the provider (%v); removing it here anyway", p.Name(), err)
	}
}

// RefreshResult is what `tokctl refresh` got.
type RefreshResult struct {
	Provider string
	// Store is the name of the store the new token went to.
	Store string
	// Refreshed says a refresh token was spent, else the client credentials.
	Refreshed bool
	Token     *Token
}

// Refresh gets a new token for provider name and scopes (the --scope flags;
// none means the configured ones) now, whatever the stored one's expiry,
// and stores it.
func (sv *Service) Refresh(ctx context.Context, name string, scopes []string) (*RefreshResult, error) {
	r, err := sv.request(name, scopes)
	if err != nil {
		return nil, err
	}
	name = r.Provider().Name()
	b, err := sv.KeepingStore(name, "refresh", fmt.Sprintf("use `tokctl token get %s --no-cache`", name))
	if err != nil {
		return nil, err
	}
	rec, refreshed, err := sv.Manager().Refresh(ctx, r, b)
	if err != nil {
		return nil, err
	}
	return &RefreshResult{Provider: name, Store: b.Name(), Refreshed: refreshed, Token: tokenOf(rec)}, nil
}
