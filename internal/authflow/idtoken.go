package authflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
)

// IDTokenError is an ID token that failed verification: the login or refresh
// that brought it stores nothing.
type IDTokenError struct {
	Provider string
	During   string // "login", "refresh"
	Err      error
}

func (e *IDTokenError) Error() string {
	next := fmt.Sprintf("check `issuer` (%s) and `jwks_url`", provider.EnvVar(e.Provider, "issuer"))
	if e.During == "refresh" {
		return fmt.Sprintf("%s: the ID token of the refresh was refused: %v; the stored token was kept as it was (%s, or run `tokctl login %s`)", e.Provider, e.Err, next, e.Provider)
	}
	return fmt.Sprintf("%s: %s refused: %v; nothing was stored (%s)", e.Provider, e.During, e.Err, next)
}

func (e *IDTokenError) Unwrap() error { return e.Err }

// Verifier checks ID tokens against the provider's JWKS.
type Verifier struct {
	// HTTP fetches the JWKS and discovery documents.
	HTTP *oauth.Client
	// CacheDir is where discovery documents are cached ("" for none).
	CacheDir string
	// Now tells the time.
	Now func() time.Time
	// Verbose, when set, receives the line saying a token stays unverified.
	Verbose io.Writer
}

// Verify checks an ID token wherever it comes from (a login, the device
// flow, a refresh): its signature against the provider's JWKS, iss equal to
// the configured issuer exactly, aud, azp, exp, iat, nbf, and the nonce when
// one was sent. A provider configured without `issuer` gets its ID tokens
// verified through the discovery document of the token's own iss when that
// document names the same token endpoint; otherwise the token cannot be
// verified, which is no error: unverified says to keep it marked as such.
func (v *Verifier) Verify(ctx context.Context, p provider.Provider, during, clientID, idToken, nonce string) (unverified bool, err error) {
	if idToken == "" {
		return false, nil
	}
	fail := func(err error) (bool, error) {
		return false, &IDTokenError{Provider: p.Name(), During: during, Err: err}
	}
	e := p.Endpoints()
	issuer, jwksURL := e.Issuer, e.JWKS
	if issuer == "" {
		found, ok := v.issuerFromToken(ctx, p, idToken)
		if !ok {
			if v.Verbose != nil {
				fmt.Fprintf(v.Verbose, "tokctl: %s: the ID token cannot be verified without `issuer`; it is kept, marked unverified\n", p.Name())
			}
			return true, nil
		}
		issuer, jwksURL = found.Issuer, found.JWKS
	}
	if jwksURL == "" {
		return fail(errors.New("an ID token came back, but the provider publishes no JWKS to verify it (set `jwks_url`)"))
	}
	keys, err := jwt.FetchJWKS(ctx, v.HTTP, jwksURL)
	if err != nil {
		return fail(fmt.Errorf("cannot fetch the JWKS to verify the ID token: %w", err))
	}
	if err := jwt.VerifyIDToken(idToken, keys, jwt.IDTokenCheck{Issuer: issuer, ClientID: clientID, Nonce: nonce, Now: v.now()}); err != nil {
		return fail(err)
	}
	return false, nil
}

// issuerFromToken finds the issuer of a provider configured without one: the
// discovery document of the ID token's own iss, trusted only when it names
// the token endpoint the token came from (so a token cannot vouch for
// itself by naming an issuer of its choosing).
func (v *Verifier) issuerFromToken(ctx context.Context, p provider.Provider, idToken string) (provider.Endpoints, bool) {
	iss := jwt.UnverifiedIssuer(idToken)
	if iss == "" {
		return provider.Endpoints{}, false
	}
	doc, err := provider.DiscoverIssuer(ctx, v.HTTP, p.Name(), iss, v.CacheDir)
	if err != nil || doc.Issuer != iss || doc.Token == "" || doc.Token != p.Endpoints().Token {
		return provider.Endpoints{}, false
	}
	return doc, true
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}
