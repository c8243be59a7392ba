package jwt

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Verdict is a token's validity at a given moment, judged from exp and nbf only.
type Verdict int

// The verdicts. Unknown is for a JWE, whose claims cannot be read.
const (
	Valid       Verdict = iota // has exp, now is before it, and nbf (if any) has passed
	Expired                    // now is at or after exp (RFC 7519 §4.1.4)
	NotYetValid                // now is before nbf
	NoExpiry                   // no usable exp claim; nbf (if any) has passed
	Unknown                    // encrypted: the claims cannot be read
)

// String returns the verdict as a snake_case word: valid, expired, not_yet_valid, no_expiry, unknown.
func (v Verdict) String() string {
	switch v {
	case Valid:
		return "valid"
	case Expired:
		return "expired"
	case NotYetValid:
		return "not_yet_valid"
	case NoExpiry:
		return "no_expiry"
	case Unknown:
		return "unknown"
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// Times holds the registered time claims. A zero Time means the claim is absent or
// not a NumericDate; a NotBefore of 0 also counts as absent (Tilia sends nbf: 0).
type Times struct {
	Expires, NotBefore, IssuedAt time.Time
}

// Times returns the token's exp, nbf and iat as UTC times.
func (t *Token) Times() Times {
	if t == nil {
		return Times{}
	}
	exp, _ := NumericDate(t.Claims["exp"])
	nbf, _ := NumericDate(t.Claims["nbf"])
	if nbf.Unix() == 0 && nbf.Nanosecond() == 0 {
		nbf = time.Time{}
	}
	iat, _ := NumericDate(t.Claims["iat"])
	return Times{Expires: exp, NotBefore: nbf, IssuedAt: iat}
}

// Verdict judges the token at now. Expiry wins over not-yet-valid; there is no leeway.
func (t *Token) Verdict(now time.Time) Verdict {
	if t == nil || t.Encrypted {
		return Unknown
	}
	ts := t.Times()
	switch {
	case !ts.Expires.IsZero() && !now.Before(ts.Expires):
		return Expired
	case !ts.NotBefore.IsZero() && now.Before(ts.NotBefore):
		return NotYetValid
	case ts.Expires.IsZero():
		return NoExpiry
	}
	return Valid
}

// Scopes returns the granted scopes, in order and without duplicates, from
// "scope" (space-delimited, RFC 8693), "scp" (array or space-delimited string),
// and "scopes" (array, as Tilia sends, or a comma- or space-delimited string).
func (t *Token) Scopes() []string {
	if t == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, name := range []string{"scope", "scp", "scopes"} {
		switch v := t.Claims[name].(type) {
		case string:
			sep := func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }
			if name == "scopes" {
				// Comma is a legal scope character in RFC 6749, so only "scopes" splits on it.
				sep = func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }
			}
			for _, s := range strings.FieldsFunc(v, sep) {
				add(s)
			}
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok {
					add(strings.TrimSpace(s))
				}
			}
		}
	}
	return out
}

// NumericDate bounds: years 1 to 9999, so every time formats as RFC 3339.
const (
	minNumericDate = -62135596800
	maxNumericDate = 253402300799
)

// NumericDate converts an RFC 7519 NumericDate (seconds since the epoch, possibly fractional).
func NumericDate(v any) (time.Time, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return unixSeconds(i)
		}
		x, err := n.Float64()
		if err != nil {
			return time.Time{}, false
		}
		f = x
	case float64:
		f = n
	case int:
		return unixSeconds(int64(n))
	case int64:
		return unixSeconds(n)
	default:
		return time.Time{}, false
	}
	if math.IsNaN(f) || f < minNumericDate || f > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true
}

func unixSeconds(i int64) (time.Time, bool) {
	if i < minNumericDate || i > maxNumericDate {
		return time.Time{}, false
	}
	return time.Unix(i, 0).UTC(), true
}
