package tokens

import (
	"slices"
	"time"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/store"
)

// CheckRecord applies the checks of a token response to a stored record:
// one planted in the store (or written before they existed) with a token
// that is not printable ASCII, a token type of more than one word or a
// scope with control characters is unreadable, never served.
func CheckRecord(rec *store.Record) error {
	return oauth.CheckToken(&oauth.Token{AccessToken: rec.AccessToken, TokenType: rec.TokenType,
		RefreshToken: rec.RefreshToken, IDToken: rec.IDToken, Scopes: rec.Scopes})
}

// Fresh reports whether rec has at least minTTL left at now (a token
// without expiry always has).
func Fresh(rec *store.Record, now time.Time, minTTL time.Duration) bool {
	return rec != nil && (rec.Expiry.IsZero() || rec.Expiry.Sub(now) >= minTTL)
}

// InLastQuarter reports whether rec has less than a quarter of its lifetime
// left at now: when a served token is worth renewing ahead of its expiry.
// It only compares times the record holds: it costs the hot path nothing.
func InLastQuarter(rec *store.Record, now time.Time) bool {
	if rec.Expiry.IsZero() || rec.ObtainedAt.IsZero() {
		return false
	}
	// Sub saturates at about 292 years: a quarter of the lifetime, not four
	// times what is left, so that a far-off expiry cannot overflow.
	lifetime := rec.Expiry.Sub(rec.ObtainedAt)
	return lifetime > 0 && rec.Expiry.Sub(now) < lifetime/4
}

// sameScopes reports whether a and b are the same set.
func sameScopes(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
