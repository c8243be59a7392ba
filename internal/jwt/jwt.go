// Package jwt decodes JSON Web Tokens for `tokctl decode` and verifies their signatures
// when given a key (Token.Verify, on the standard library's cryptography); package
// render presents them.
package jwt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is a decoded JWT: a compact JWS, or the readable header of a compact JWE.
type Token struct {
	Header           map[string]any // decoded protected header
	Claims           map[string]any // decoded claims, numbers as json.Number; nil for a JWE
	SignaturePresent bool           // the JWS has a non-empty signature segment (not verified)
	Encrypted        bool           // a JWE (5 segments): Header is set, Claims is nil
	Raw              string         // the compact token, without prefixes or whitespace
	Signature        *Verification  // set by Verify; nil when no key was given
}

// Part names a segment of a compact token in a parse error.
type Part string

// The segments a parse error can name.
const (
	PartHeader  Part = "header"
	PartPayload Part = "payload"
)

// ErrNotJWT matches (errors.Is) every error Parse returns for input that is not a JWT.
var ErrNotJWT = errors.New("not a JWT")

// ErrEmpty is returned for empty or whitespace-only input (after removing any "Bearer " prefix).
var ErrEmpty = errors.New("no token given: pass a JWT as the argument or on stdin")

// ErrOpaque is returned for input without dots: an opaque token, not a JWT.
var ErrOpaque = fmt.Errorf("%w: an opaque token (no dots); only the provider can tell what it means", ErrNotJWT)

// SegmentCountError is returned when the input has dots but is neither a JWS (3 segments) nor a JWE (5).
type SegmentCountError struct {
	Count  int    // number of dot-separated segments found
	Prefix string // a short, safe prefix of the token for the message ("" for short input)
}

func (e *SegmentCountError) Error() string {
	msg := fmt.Sprintf("not a JWT: %d dot-separated segments, want 3 (signed JWT) or 5 (encrypted JWT)", e.Count)
	if e.Prefix != "" {
		msg += fmt.Sprintf("; token starts %q", e.Prefix)
	}
	return msg
}

// Is makes errors.Is(err, ErrNotJWT) true.
func (e *SegmentCountError) Is(target error) bool { return target == ErrNotJWT }

// Base64Error is returned when the header or payload segment is not valid base64url.
type Base64Error struct {
	Part Part
	Err  error // from encoding/base64; it names a byte offset, never content
}

func (e *Base64Error) Error() string {
	return fmt.Sprintf("not a JWT: the %s is not valid base64url (%v)", e.Part, e.Err)
}

// Unwrap returns the base64 decoding error.
func (e *Base64Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotJWT) true.
func (e *Base64Error) Is(target error) bool { return target == ErrNotJWT }

// JSONError is returned when the decoded header or payload is not a JSON object.
type JSONError struct {
	Part Part
	Got  string // what was found instead: "empty", "not JSON", "a JSON array", …
	Err  error  // the JSON syntax error, if any; kept out of the message because it may quote content
}

func (e *JSONError) Error() string {
	return fmt.Sprintf("not a JWT: the %s is not a JSON object (it is %s)", e.Part, e.Got)
}

// Unwrap returns the JSON syntax error, if any.
func (e *JSONError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotJWT) true.
func (e *JSONError) Is(target error) bool { return target == ErrNotJWT }

// RefusedError is returned for a header or payload that is JSON but that tokctl
// refuses to read: a name that occurs twice, or nesting deeper than any token needs.
type RefusedError struct {
	Part   Part
	Reason string // e.g. `"exp" occurs twice`; names only, never values
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("not a JWT: the %s %s", e.Part, e.Reason)
}

// Is makes errors.Is(err, ErrNotJWT) true.
func (e *RefusedError) Is(target error) bool { return target == ErrNotJWT }

// maxNesting bounds how deep a header or payload may nest objects and arrays. Real
// tokens stay within a handful of levels; a bound keeps decode's time, memory and
// output linear in its input.
const maxNesting = 64

// nesting returns how deep b nests objects and arrays, counting outside strings
// only. It stops counting once past maxNesting. b need not be valid JSON.
func nesting(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > maxNesting {
					return deepest
				}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// Parse decodes a compact JWS ("a.b.c") or the header of a compact JWE ("a.b.c.d.e").
// It tolerates surrounding whitespace, whitespace inside the token (a wrapped paste),
// surrounding double quotes, a leading "Authorization:" and a leading "Bearer " (any case).
func Parse(input string) (*Token, error) {
	raw := normalize(input)
	if raw == "" {
		return nil, ErrEmpty
	}
	segs := strings.Split(raw, ".")
	switch len(segs) {
	case 1:
		return nil, ErrOpaque
	case 3, 5:
	default:
		return nil, &SegmentCountError{Count: len(segs), Prefix: safePrefix(raw)}
	}
	header, err := decodeObject(segs[0], PartHeader)
	if err != nil {
		return nil, err
	}
	t := &Token{Header: header, Raw: raw}
	if len(segs) == 5 {
		t.Encrypted = true
		return t, nil
	}
	if t.Claims, err = decodeObject(segs[1], PartPayload); err != nil {
		return nil, err
	}
	t.SignaturePresent = segs[2] != ""
	return t, nil
}

// normalize strips what people paste around a token: whitespace, quotes, header name, scheme.
func normalize(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if rest, ok := cutPrefixFold(s, "authorization:"); ok {
		s = strings.TrimSpace(rest)
	}
	if rest, ok := cutPrefixFold(s, "bearer"); ok && (rest == "" || unicode.IsSpace(rune(rest[0]))) {
		s = rest
	}
	// base64url and dots never contain whitespace, so any left is from line wrapping.
	return strings.Join(strings.Fields(s), "")
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// safePrefix returns the first 6 characters and "…", or "" when that would reveal
// too much of a short input (the input may be a secret).
func safePrefix(s string) string {
	const n = 6
	if utf8.RuneCountInString(s) <= 2*n {
		return ""
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}

func decodeObject(seg string, part Part) (map[string]any, error) {
	// Some encoders pad base64url; padding carries no data, so accept it.
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return nil, &Base64Error{Part: part, Err: err}
	}
	if len(b) == 0 {
		return nil, &JSONError{Part: part, Got: "empty"}
	}
	if depth := nesting(b); depth > maxNesting {
		return nil, &RefusedError{Part: part, Reason: fmt.Sprintf("nests objects and arrays more than %d levels deep", maxNesting)}
	}
	if json.Valid(b) {
		// RFC 7519 §4 and RFC 7515 §4: names must be unique; tokctl refuses, so
		// that what it shows and judges (an exp) is the only value there is.
		var dup *duplicateNameError
		if err := uniqueNames(b); errors.As(err, &dup) {
			return nil, &RefusedError{Part: part, Reason: fmt.Sprintf("names %s twice (a token with duplicate names is refused, RFC 7519 §4)", quoteShort(dup.name))}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &JSONError{Part: part, Got: "not JSON", Err: err}
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, &JSONError{Part: part, Got: "not JSON (data after the JSON value)", Err: err}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &JSONError{Part: part, Got: jsonKind(v)}
	}
	return m, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "JSON null"
	case []any:
		return "a JSON array"
	case string:
		return "a JSON string"
	case json.Number:
		return "a JSON number"
	case bool:
		return "a JSON boolean"
	}
	return "not an object"
}
