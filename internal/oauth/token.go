// Package oauth holds what every provider adapter shares: the HTTP client
// that sends token requests (timeouts, retries, size cap, redaction) and token
// response parsing; the errors it returns are package failure's typed errors.
package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Token is an access token as a provider issued it.
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	IDToken      string
	// Expiry is the absolute expiry; zero means the token does not expire.
	Expiry time.Time
	// Scopes are the granted scopes, or the requested ones when the
	// provider did not say.
	Scopes []string
}

// ParseOptions describe how a provider's token response differs from RFC 6749.
type ParseOptions struct {
	// ScopeSeparator splits the response's "scope" field: " " (RFC 6749) or "," (Tilia).
	ScopeSeparator string
	// Requested are the scopes asked for, used when the response has no "scope".
	Requested []string
	// Now is the time the response arrived; expires_in counts from it.
	Now time.Time
}

// ErrMalformed marks a token response that is not what the API documents.
var ErrMalformed = errors.New("malformed token response")

// ParseToken decodes a successful token response. It accepts expires_in as a
// JSON number, a numeric string ("3600", as Tilia documents) or absent/null
// (no expiry, as Tiltify v3), refresh_token as a string or null, and rejects
// bodies that are not a JSON object, fields of the wrong type, an empty
// access_token, and tokens, a token_type or scopes that fail CheckToken.
func ParseToken(body []byte, opts ParseOptions) (*Token, error) {
	var raw struct {
		AccessToken  *string         `json:"access_token"`
		TokenType    *string         `json:"token_type"`
		RefreshToken *string         `json:"refresh_token"`
		IDToken      *string         `json:"id_token"`
		ExpiresIn    json.RawMessage `json:"expires_in"`
		Scope        *string         `json:"scope"`
	}
	if err := decodeObject(body, &raw); err != nil {
		return nil, err
	}
	if raw.AccessToken == nil || strings.TrimSpace(*raw.AccessToken) == "" {
		return nil, fmt.Errorf("%w: no access_token", ErrMalformed)
	}
	ttl, ok, err := parseExpiresIn(raw.ExpiresIn)
	if err != nil {
		return nil, err
	}
	t := &Token{
		AccessToken:  *raw.AccessToken,
		TokenType:    deref(raw.TokenType),
		RefreshToken: deref(raw.RefreshToken),
		IDToken:      deref(raw.IDToken),
		Scopes:       opts.Requested,
	}
	if ok {
		t.Expiry = opts.Now.Add(ttl)
	}
	if raw.Scope != nil && strings.TrimSpace(*raw.Scope) != "" {
		t.Scopes = SplitScopes(*raw.Scope, opts.ScopeSeparator)
	}
	// Nothing unprintable is stored or printed: a token reaches shell
	// lines (-o env), HTTP headers (-o header) and terminals.
	if err := CheckToken(t); err != nil {
		return nil, err
	}
	return t, nil
}

// decodeObject unmarshals body into v, insisting on one JSON object.
func decodeObject(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return fmt.Errorf("%w: empty body", ErrMalformed)
	}
	if trimmed[0] != '{' {
		return fmt.Errorf("%w: %s", ErrMalformed, describeNonJSON(trimmed))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("%w: field %q has the wrong type (%s)", ErrMalformed, typeErr.Field, typeErr.Value)
		}
		return fmt.Errorf("%w: invalid JSON", ErrMalformed)
	}
	// dec.More misses a stray '}' or ']' after the object; compare offsets instead.
	if dec.InputOffset() != int64(len(trimmed)) {
		return fmt.Errorf("%w: trailing data after the JSON object", ErrMalformed)
	}
	return nil
}

// describeNonJSON names what a non-JSON body looks like, without echoing it.
func describeNonJSON(b []byte) string {
	lower := strings.ToLower(string(b[:min(len(b), 64)]))
	if strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html") || strings.HasPrefix(lower, "<") {
		return "an HTML or XML page instead of JSON"
	}
	return "not a JSON object"
}

// parseExpiresIn reads expires_in as a number or a numeric string.
func parseExpiresIn(raw json.RawMessage) (time.Duration, bool, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, false, nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return 0, false, fmt.Errorf("%w: expires_in is not a number", ErrMalformed)
		}
		s = strings.TrimSpace(str)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, fmt.Errorf("%w: expires_in %q is not a number", ErrMalformed, truncate(s, 20))
	}
	if f < 0 || f > 10*365*24*3600 {
		return 0, false, fmt.Errorf("%w: expires_in %s is out of range", ErrMalformed, truncate(s, 20))
	}
	return time.Duration(f * float64(time.Second)), true, nil
}

// SplitScopes splits a scope string on sep (and, leniently, on white space),
// dropping empty parts.
func SplitScopes(s, sep string) []string {
	if sep == "" {
		sep = " "
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(sep, r) || r == ' ' || r == '\t' || r == '\n'
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the result stays valid UTF-8.
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
