package oauth

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tokctl/tokctl/internal/termtext"
)

// What a provider sends is untrusted (the contract's "Trust boundaries"):
// a token ends up in shell lines, HTTP headers and terminals, so it may hold
// only printable ASCII; a token type is one word; scopes and other text
// shown to a person have their control characters escaped or refused.

// CheckTokenChars reports an error naming field when tok holds a character
// outside printable ASCII (0x21–0x7E): no white space, no control
// characters, nothing a terminal or an HTTP header would act on.
func CheckTokenChars(field, tok string) error {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("%w: %s holds a character that is not printable ASCII (%s at byte %d)", ErrMalformed, field, byteName(c), i)
		}
	}
	return nil
}

// CheckTokenType reports an error unless typ is empty (not sent) or one word
// of letters, digits, '-', '.' and '_' ("Bearer", "DPoP", "N_A").
func CheckTokenType(typ string) error {
	for i := 0; i < len(typ); i++ {
		if c := typ[i]; !isWordByte(c) {
			return fmt.Errorf("%w: token_type is not a single word (%s at byte %d)", ErrMalformed, byteName(c), i)
		}
	}
	return nil
}

// CheckScope reports an error when a scope holds a control character, an
// invisible format character or is not valid UTF-8.
func CheckScope(scope string) error {
	if !utf8.ValidString(scope) {
		return fmt.Errorf("%w: a scope is not valid UTF-8", ErrMalformed)
	}
	for _, r := range scope {
		if unicode.IsControl(r) || termtext.IsFormat(r) {
			return fmt.Errorf("%w: a scope holds the control character %U", ErrMalformed, r)
		}
	}
	return nil
}

// CheckToken applies the checks above to every field of t.
func CheckToken(t *Token) error {
	for _, f := range []struct{ name, v string }{
		{"access_token", t.AccessToken}, {"refresh_token", t.RefreshToken}, {"id_token", t.IDToken},
	} {
		if err := CheckTokenChars(f.name, f.v); err != nil {
			return err
		}
	}
	if err := CheckTokenType(t.TokenType); err != nil {
		return err
	}
	for _, s := range t.Scopes {
		if err := CheckScope(s); err != nil {
			return err
		}
	}
	return nil
}

// CheckBrowserURI reports an error unless u is an https URL, or an http URL
// on a loopback host, made of printable ASCII: what tokctl may show as a
// page to open and hand to a browser (never "javascript:", never an
// argument that starts with "-").
func CheckBrowserURI(field, u string) error {
	if err := CheckTokenChars(field, u); err != nil {
		return err
	}
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" || parsed.Opaque != "" {
		return fmt.Errorf("%w: %s is not an absolute URL", ErrMalformed, field)
	}
	switch strings.ToLower(parsed.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopback(parsed.Hostname()) {
			return nil
		}
		return fmt.Errorf("%w: %s is plain http on a host that is not loopback", ErrMalformed, field)
	}
	return fmt.Errorf("%w: %s is not an https URL", ErrMalformed, field)
}

func isWordByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_'
}

// byteName describes c without printing it raw.
func byteName(c byte) string {
	if c == ' ' {
		return "a space"
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
