package jwt

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// IDTokenCheck is what an OpenID Connect ID token must satisfy (OpenID
// Connect Core §3.1.3.7), besides its signature.
type IDTokenCheck struct {
	// Issuer must equal the token's iss; empty skips the check (a provider
	// configured without an issuer).
	Issuer string
	// ClientID must be among the token's aud.
	ClientID string
	// Nonce must equal the token's nonce; empty means none was sent.
	Nonce string
	// Now judges exp.
	Now time.Time
}

// VerifyIDToken parses raw, verifies its signature with keys and checks its
// claims. The error says which check failed, never the token itself.
func VerifyIDToken(raw string, keys *Keys, want IDTokenCheck) error {
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
	if want.Issuer != "" && strings.TrimSuffix(iss, "/") != strings.TrimSuffix(want.Issuer, "/") {
		return fmt.Errorf("the ID token was issued by %q, not %q", clip(iss), want.Issuer)
	}
	if !audience(t.Claims["aud"], want.ClientID) {
		return fmt.Errorf("the ID token is not for this client (aud does not contain %q)", want.ClientID)
	}
	exp := t.Times().Expires
	if exp.IsZero() {
		return errors.New("the ID token has no exp")
	}
	if !want.Now.Before(exp.Add(time.Minute)) {
		return errors.New("the ID token has expired")
	}
	nonce, _ := t.Claims["nonce"].(string)
	if want.Nonce != "" && subtle.ConstantTimeCompare([]byte(nonce), []byte(want.Nonce)) != 1 {
		return errors.New("the ID token's nonce does not match this login (a replayed or forged token)")
	}
	return nil
}

// audience reports whether aud (a string or an array of strings) holds id.
func audience(aud any, id string) bool {
	switch a := aud.(type) {
	case string:
		return a == id
	case []any:
		for _, v := range a {
			if s, ok := v.(string); ok && s == id {
				return true
			}
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
