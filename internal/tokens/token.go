package tokens

import (
	"time"

	"github.com/tokctl/tokctl/internal/store"
)

// Token is a token as the commands hand it out: what they print, never how
// or where it is kept.
type Token struct {
	Provider    string
	AccessToken string
	// TokenType is what the provider sent; empty means Bearer.
	TokenType string
	// Expiry is the zero time for a token that does not expire.
	Expiry time.Time
	// Scopes are the scopes the provider granted.
	Scopes  []string
	IDToken string
	// IDTokenUnverified marks an ID token tokctl could not verify; it is
	// never printed.
	IDTokenUnverified bool
}

// ErrNotFound means nothing is stored for the request.
var ErrNotFound = store.ErrNotFound

// tokenOf is the Token of a stored record.
func tokenOf(rec *store.Record) *Token {
	return &Token{Provider: rec.Provider, AccessToken: rec.AccessToken, TokenType: rec.TokenType, Expiry: rec.Expiry,
		Scopes: rec.Scopes, IDToken: rec.IDToken, IDTokenUnverified: rec.IDTokenUnverified}
}
