package jwt

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// IDTokenCheck is what an OpenID Connect ID token must satisfy (OpenID
// Connect Core §3.1.3.7), besides its signature.
type IDTokenCheck struct {
	// Issuer must equal the token's iss exactly (OpenID Connect Core §3.1.3.7
	// item 2: no trailing-slash or case variant). It must not be empty.
	Issuer string
	// ClientID must be among the token's aud, and equal its azp when there is one.
	ClientID string
	// Nonce must equal the token's nonce; empty means none was sent.
	Nonce string
	// Now judges exp, iat and nbf.
	Now time.Time
}

// NewNonce returns a fresh OpenID Connect nonce for an authorization request,
// which IDTokenCheck.Nonce then requires in the ID token: 32 random bytes, base64url.
func NewNonce() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (Go ≥ 1.24 crashes rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}

// idTokenLeeway is the clock skew allowed between tokctl and the provider.
const idTokenLeeway = time.Minute

// idTokenFuture is how far in the future an iat may lie: the provider's clock
// may be ahead, but a token issued hours from now was not issued by a sane server.
const idTokenFuture = 5 * time.Minute

// VerifyIDToken parses raw, verifies its signature with keys and checks its
// claims. The error says which check failed, never the token itself.
func VerifyIDToken(raw string, keys *Keys, want IDTokenCheck) error {
	if want.Issuer == "" {
		return errors.New("no issuer to check the ID token against")
	}
	t, err := Parse(raw)
	if err != nil {
		return fmt.Errorf("the ID token is not a JWT: %w", err)
	}
	if t.Encrypted {
		return errors.New("the ID token is encrypted; tokctl cannot verify encrypted ID tokens")
	}
	if err := t.Verify(keys); err != nil {
		return fmt.Errorf("the ID token's %w", err)
	}
	iss, _ := t.Claims["iss"].(string)
	if iss != want.Issuer {
		return fmt.Errorf("the ID token was issued by %s, not %s (they must be equal, character for character)", quoteShort(iss), quoteShort(want.Issuer))
	}
	if sub, _ := t.Claims["sub"].(string); sub == "" {
		return errors.New("the ID token has no sub")
	}
	auds, ok := audiences(t.Claims["aud"])
	if !ok || !contains(auds, want.ClientID) {
		return fmt.Errorf("the ID token is not for this client (aud does not contain %s)", quoteShort(want.ClientID))
	}
	azp, hasAzp := t.Claims["azp"]
	switch azpStr, _ := azp.(string); {
	case hasAzp && azpStr != want.ClientID:
		return fmt.Errorf("the ID token was issued to another client (azp is %s, not %s)", quoteShort(azpStr), quoteShort(want.ClientID))
	case !hasAzp && len(auds) > 1:
		return errors.New("the ID token names several audiences but no azp, so tokctl cannot tell it was issued to this client")
	}
	ts := t.Times()
	switch {
	case ts.Expires.IsZero():
		return errors.New("the ID token has no exp")
	case !want.Now.Before(ts.Expires.Add(idTokenLeeway)):
		return errors.New("the ID token has expired")
	case ts.IssuedAt.IsZero():
		return errors.New("the ID token has no iat")
	case ts.IssuedAt.After(want.Now.Add(idTokenFuture)):
		return fmt.Errorf("the ID token says it was issued at %s, in the future (check this machine's clock)", ts.IssuedAt.Format(time.RFC3339))
	case !ts.NotBefore.IsZero() && want.Now.Add(idTokenLeeway).Before(ts.NotBefore):
		return fmt.Errorf("the ID token is not valid before %s (check this machine's clock)", ts.NotBefore.Format(time.RFC3339))
	}
	nonce, _ := t.Claims["nonce"].(string)
	if want.Nonce != "" && subtle.ConstantTimeCompare([]byte(nonce), []byte(want.Nonce)) != 1 {
		return errors.New("the ID token's nonce does not match this login (a replayed or forged token)")
	}
	return nil
}

// UnverifiedIssuer returns the iss claim of an ID token without checking
// anything: only to find where to look for the keys that will check it.
func UnverifiedIssuer(raw string) string {
	t, err := Parse(raw)
	if err != nil || t.Encrypted {
		return ""
	}
	iss, _ := t.Claims["iss"].(string)
	return iss
}

// audiences reads aud: a string or an array of strings.
func audiences(aud any) ([]string, bool) {
	switch a := aud.(type) {
	case string:
		return []string{a}, true
	case []any:
		out := make([]string, 0, len(a))
		for _, v := range a {
			s, ok := v.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
