// Package render shows a decoded JWT for `tokctl decode`: text for people (with
// optional colour) and stable JSON for programs.
package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/fatih/color"

	"github.com/tokctl/tokctl/internal/jwt"
)

// errNilToken is returned by the renderers when given no token.
var errNilToken = errors.New("jwt: nothing to render: nil token")

// Display order of well-known names; the rest follow sorted by name.
var (
	headerOrder = []string{"alg", "typ", "kid"}
	claimOrder  = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}
)

// Text writes the token for people: header, claims in a stable order with
// times as RFC 3339 plus relative, scopes, and a one-line verdict at now.
// colour adds ANSI colour; without it the output has no escape codes.
func Text(w io.Writer, t *jwt.Token, now time.Time, colour bool) error {
	if t == nil {
		return errNilToken
	}
	p := newPalette(colour)
	var b strings.Builder
	b.WriteString(p.title("header:") + "\n")
	if err := writeFields(&b, p, t.Header, headerOrder, nil); err != nil {
		return err
	}
	if t.Encrypted {
		b.WriteString(p.title("payload:") + " encrypted (JWE); it cannot be read without the provider's key\n")
	} else {
		b.WriteString(p.title("claims:") + "\n")
		if err := writeFields(&b, p, t.Claims, claimOrder, timeAnnotator(now)); err != nil {
			return err
		}
		b.WriteString(p.title("scopes:") + " " + scopeList(t.Scopes()) + "\n")
	}
	if sig := signatureLine(p, t); sig != "" {
		b.WriteString(p.title("signature:") + " " + sig + "\n")
	}
	b.WriteString(verdictLine(p, t, now) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes the token for programs: stable keys, 2-space indent, trailing newline.
func JSON(w io.Writer, t *jwt.Token, now time.Time) error {
	if t == nil {
		return errNilToken
	}
	v := t.Verdict(now)
	out := jsonToken{
		Header:           t.Header,
		Claims:           t.Claims,
		SignaturePresent: t.SignaturePresent,
		Encrypted:        t.Encrypted,
		Expired:          v == jwt.Expired,
		NotYetValid:      v == jwt.NotYetValid,
		Scopes:           t.Scopes(),
		Verdict:          jsonVerdict(v),
	}
	if t.Signature != nil {
		out.SignatureVerified = &t.Signature.Verified
		if t.Signature.Err != nil {
			out.SignatureError = t.Signature.Err.Error()
		}
	}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	if exp := t.Times().Expires; !exp.IsZero() && !t.Encrypted {
		at := exp.Format(time.RFC3339Nano)
		in := secondsUntil(exp, now)
		out.ExpiresAt, out.ExpiresIn = &at, &in
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("jwt: encoding JSON: %w", err)
	}
	_, err := io.WriteString(w, escapeInvisible(string(indentJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), maxIndentDepth))))
	return err
}

// maxIndentDepth is how many levels of JSON's output are indented; deeper
// values stay on one line, so that the output grows with the input, not with the
// input times its depth (a token of deep nesting would otherwise print gigabytes).
const maxIndentDepth = 6

// indentJSON indents compact JSON as json.Indent(dst, src, "", "  ") does, down to
// maxDepth open brackets, and writes deeper values compactly. One pass; the output is
// at most about 2·maxDepth+2 bytes per input byte.
func indentJSON(src []byte, maxDepth int) []byte {
	dst := make([]byte, 0, len(src)+len(src)/2+1)
	newline := func(depth int) {
		dst = append(dst, '\n')
		for range min(depth, maxDepth) {
			dst = append(dst, ' ', ' ')
		}
	}
	depth := 0
	inString, escaped := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			dst = append(dst, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			dst = append(dst, c)
		case '{', '[':
			dst = append(dst, c)
			depth++
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1]) // json.Indent keeps {} and [] together
				i++
				depth--
				continue
			}
			if depth <= maxDepth {
				newline(depth)
			}
		case '}', ']':
			if depth <= maxDepth {
				newline(depth - 1)
			}
			depth--
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			if depth <= maxDepth {
				newline(depth)
			}
		case ':':
			dst = append(dst, c)
			if depth <= maxDepth {
				dst = append(dst, ' ')
			}
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '\n')
}

// jsonToken fixes the field order of JSON's output.
type jsonToken struct {
	Header           map[string]any `json:"header"`
	Claims           map[string]any `json:"claims"`
	SignaturePresent bool           `json:"signature_present"`
	// Only with a key: whether the signature verified, and if not, why.
	SignatureVerified *bool    `json:"signature_verified,omitempty"`
	SignatureError    string   `json:"signature_error,omitempty"`
	Encrypted         bool     `json:"encrypted"`
	Expired           bool     `json:"expired"`
	NotYetValid       bool     `json:"not_yet_valid"`
	ExpiresAt         *string  `json:"expires_at"`
	ExpiresIn         *int64   `json:"expires_in"` // seconds left, negative once expired
	Scopes            []string `json:"scopes"`
	Verdict           string   `json:"verdict"`
}

// jsonVerdict maps to the documented values; a token without exp is "valid".
func jsonVerdict(v jwt.Verdict) string {
	if v == jwt.NoExpiry {
		return jwt.Valid.String()
	}
	return v.String()
}

type palette struct {
	title, key, good, bad, warn func(a ...any) string
}

func newPalette(on bool) palette {
	if !on {
		plain := func(a ...any) string { return fmt.Sprint(a...) }
		return palette{plain, plain, plain, plain, plain}
	}
	mk := func(attrs ...color.Attribute) func(a ...any) string {
		c := color.New(attrs...)
		c.EnableColor() // the caller decides, not NO_COLOR or the TTY state of os.Stdout
		return c.SprintFunc()
	}
	return palette{
		title: mk(color.Bold),
		key:   mk(color.FgCyan),
		good:  mk(color.FgGreen),
		bad:   mk(color.FgRed),
		warn:  mk(color.FgYellow),
	}
}

// annotator returns extra text shown after a field's value, or "" for none.
type annotator func(name string, value any) string

// writeFields writes "  name  value" lines, names aligned, first names in order, then the rest sorted.
func writeFields(b *strings.Builder, p palette, m map[string]any, first []string, note annotator) error {
	var names []string
	for _, n := range first {
		if _, ok := m[n]; ok {
			names = append(names, n)
		}
	}
	var rest []string
	for n := range m {
		if !slices.Contains(first, n) {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	names = append(names, rest...)

	shown := make([]string, len(names))
	width := 0
	for i, n := range names {
		shown[i] = displayName(n)
		width = max(width, len([]rune(shown[i])))
	}
	for i, n := range names {
		val, err := compactJSON(m[n])
		if err != nil {
			return fmt.Errorf("jwt: encoding %s: %w", shown[i], err)
		}
		if note != nil {
			if extra := note(n, m[n]); extra != "" {
				val += " " + extra
			}
		}
		pad := strings.Repeat(" ", width-len([]rune(shown[i])))
		b.WriteString("  " + p.key(shown[i]) + pad + "  " + val + "\n")
	}
	return nil
}

// timeAnnotator explains exp, nbf and iat: RFC 3339 plus relative to now.
func timeAnnotator(now time.Time) annotator {
	return func(name string, v any) string {
		if name != "exp" && name != "nbf" && name != "iat" {
			return ""
		}
		t, ok := jwt.NumericDate(v)
		switch {
		case !ok:
			return "(not a NumericDate)"
		case name == "nbf" && t.Unix() == 0 && t.Nanosecond() == 0:
			return "(none)"
		}
		return "(" + t.Format(time.RFC3339Nano) + ", " + relative(t, now) + ")"
	}
}

// signatureLine says whether the signature was verified; "" for a JWE nobody tried to verify.
func signatureLine(p palette, t *jwt.Token) string {
	switch v := t.Signature; {
	case v != nil && v.Verified:
		detail := displayName(v.Alg)
		if v.KeyID != "" {
			detail += ", kid " + displayName(v.KeyID)
		}
		return p.good("verified (" + detail + ")")
	case v != nil && v.Err != nil:
		return p.bad("NOT verified: " + v.Err.Error())
	case v != nil:
		return p.bad("NOT verified")
	case t.Encrypted:
		return ""
	case t.SignaturePresent:
		return "present, not verified"
	}
	return "none (unsecured token)"
}

func verdictLine(p palette, t *jwt.Token, now time.Time) string {
	ts := t.Times()
	switch t.Verdict(now) {
	case jwt.Valid:
		return p.good("valid: expires " + relative(ts.Expires, now))
	case jwt.Expired:
		return p.bad("expired " + relative(ts.Expires, now))
	case jwt.NotYetValid:
		return p.warn("not yet valid: valid " + relative(ts.NotBefore, now))
	case jwt.NoExpiry:
		return p.good("valid: no expiry")
	}
	return p.warn("validity unknown: the payload is encrypted")
}

func scopeList(scopes []string) string {
	if len(scopes) == 0 {
		return "(none)"
	}
	shown := make([]string, len(scopes))
	for i, s := range scopes {
		shown[i] = displayName(s)
	}
	return strings.Join(shown, " ")
}

// displayName returns s as is when it is plain printable text, else JSON-quoted,
// so a hostile token cannot move the cursor or hide text.
func displayName(s string) string {
	plain := s != ""
	for _, r := range s {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) || r == '"' || r == unicode.ReplacementChar {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	q, _ := compactJSON(s) // a string always encodes
	return q
}

// compactJSON encodes v on one line without HTML escaping, with invisible characters escaped.
func compactJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return escapeInvisible(strings.TrimSuffix(buf.String(), "\n")), nil
}

// escapeInvisible escapes, as \uXXXX, non-ASCII characters a terminal would not show
// as text (C1 controls, bidi overrides, …) and DEL, which encoding/json leaves alone.
// Such characters can only occur inside JSON strings, where the escape is valid JSON.
func escapeInvisible(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x7f || (r > 0x7f && unicode.IsGraphic(r)) {
			b.WriteRune(r)
			continue
		}
		if r > 0xffff {
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// relative says how far t is from now: "in 59m", "3h ago".
func relative(t, now time.Time) string {
	sec, future := secondsBetween(t, now)
	if future {
		return "in " + humanSeconds(sec)
	}
	return humanSeconds(sec) + " ago"
}

// secondsBetween returns |t-now| in whole seconds (truncated) and whether t is after now.
// It works on Unix seconds because time.Duration saturates at about 292 years.
func secondsBetween(t, now time.Time) (int64, bool) {
	sec := t.Unix() - now.Unix()
	ns := int64(t.Nanosecond() - now.Nanosecond())
	if sec > 0 && ns < 0 {
		sec--
		ns += 1e9
	} else if sec < 0 && ns > 0 {
		sec++
		ns -= 1e9
	}
	future := sec > 0 || (sec == 0 && ns > 0)
	if sec < 0 {
		sec = -sec
	}
	return sec, future
}

// secondsUntil returns the whole seconds from now until t, rounded down (negative once past).
func secondsUntil(t, now time.Time) int64 {
	sec := t.Unix() - now.Unix()
	if t.Nanosecond() < now.Nanosecond() {
		sec--
	}
	return sec
}

// humanSeconds formats a duration compactly with its two largest units: "45s", "1h2m", "3d4h".
func humanSeconds(s int64) string {
	units := []struct {
		name string
		size int64
	}{{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}
	for i, u := range units {
		if s < u.size && u.size > 1 {
			continue
		}
		out := strconv.FormatInt(s/u.size, 10) + u.name
		if i+1 < len(units) {
			next := units[i+1]
			if n := s % u.size / next.size; n > 0 {
				out += strconv.FormatInt(n, 10) + next.name
			}
		}
		return out
	}
	return "0s"
}
