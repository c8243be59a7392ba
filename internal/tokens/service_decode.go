package tokens

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// StoredToken is the stored access token (or, with idToken, ID token) of
// provider name that `tokctl decode --provider` shows: the one a plain
// `tokctl token get name` would serve, else the most recently written one,
// fresh or not. Nothing stored is a usage error that says how to get one.
func (sv *Service) StoredToken(ctx context.Context, name string, idToken bool) (string, error) {
	if _, err := sv.Settings(name); err != nil {
		return "", err
	}
	b, err := sv.Store()
	if err != nil {
		return "", err
	}
	r, err := sv.plainRequest(name)
	if err != nil {
		r = nil // the provider need not be usable as configured
	}
	rec, err := Stored(ctx, r, b, name)
	if errors.Is(err, store.ErrNotFound) {
		return "", failure.Usagef("%s: no stored token; run `tokctl token get %s` first", name, name)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if idToken {
		if rec.IDToken == "" {
			return "", fmt.Errorf("%s: the stored token came without an ID token", name)
		}
		return rec.IDToken, nil
	}
	return rec.AccessToken, nil
}

// plainRequest is the request of a plain `tokctl token get name`.
func (sv *Service) plainRequest(name string) (*Request[provider.Provider], error) {
	s, err := sv.Settings(name)
	if err != nil {
		return nil, err
	}
	return NewRequest[provider.Provider](s, sv)
}

// ProviderKeys fetches the JWKS of provider name (its jwks_url, or its
// issuer's discovery document) with the outbound client. A provider that
// publishes none, or is not usable as configured, has nil keys, or an
// error when the keys are required.
func (sv *Service) ProviderKeys(ctx context.Context, name string, required bool) (*jwt.Keys, error) {
	p, _, err := sv.CheckedProvider(name, nil)
	if err == nil {
		err = p.Prepare(ctx)
	}
	if err != nil {
		if !required {
			return nil, nil // decoding a stored token needs no working settings
		}
		return nil, err
	}
	u := p.Endpoints().JWKS
	if u == "" {
		if required {
			return nil, fmt.Errorf("%s publishes no JWKS (set `jwks_url` or `issuer`)", name)
		}
		return nil, nil
	}
	return jwt.FetchJWKS(ctx, sv.HTTP(), u)
}

// FetchJWKS fetches the JWK Set at rawURL (https, or http on loopback)
// with the outbound client; -v says which URL, without userinfo.
func (sv *Service) FetchJWKS(ctx context.Context, rawURL string) (*jwt.Keys, error) {
	if u, err := jwt.CheckJWKSURL(rawURL); sv.Verbose && err == nil {
		fmt.Fprintf(sv.ErrOut, "tokctl: fetching the JWK Set %s\n", oauth.HideUserinfo(u.String()))
	}
	return jwt.FetchJWKS(ctx, sv.HTTP(), rawURL)
}

// IsProvider reports whether name is a configured or built-in provider.
func (sv *Service) IsProvider(name string) bool {
	if !provider.ValidName(name) {
		return false
	}
	_, err := sv.Settings(name)
	return err == nil
}

// ValidProviderName reports whether name can name a provider: lower-case
// letters, digits, '-' and '_'.
func ValidProviderName(name string) bool { return provider.ValidName(name) }
