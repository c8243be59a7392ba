package oauth

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tokctl/tokctl/internal/termtext"
)

func TestCheckTokenChars(t *testing.T) {
	for _, ok := range []string{"", "a", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "!~%$'\"`;|&<>(){}[]\\"} {
		if err := CheckTokenChars("access_token", ok); err != nil {
			t.Errorf("CheckTokenChars(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"a b", "a\tb", "a\nb", "\x1b]52;c;eA==\a", "a\x7f", "é", "\x00", "a\x9bb"} {
		err := CheckTokenChars("access_token", bad)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "access_token holds a character that is not printable ASCII") {
			t.Errorf("CheckTokenChars(%q) = %v, want ErrMalformed naming the field", bad, err)
		}
	}
}

func TestCheckTokenType(t *testing.T) {
	for _, ok := range []string{"", "Bearer", "bearer", "DPoP", "N_A", "mac-1.0"} {
		if err := CheckTokenType(ok); err != nil {
			t.Errorf("CheckTokenType(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"Bearer\r\nX-Injected: 1", "Bearer x", " Bearer", "Bearer:", "Be/arer", "Bearer\x00", "Bëarer"} {
		if err := CheckTokenType(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("CheckTokenType(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestCheckScope(t *testing.T) {
	for _, ok := range []string{"read", "https://graph.microsoft.com/.default", "user:email", "ünïcode"} {
		if err := CheckScope(ok); err != nil {
			t.Errorf("CheckScope(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"a\x1b]52;c;eA==\a", "a\rb", "\x7f", "a\u009b2J", "a\xffb", "a\u202eb", "a\u00adb", "a\u200bb", "a\U000e0041b"} {
		if err := CheckScope(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("CheckScope(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestCheckBrowserURI(t *testing.T) {
	for _, ok := range []string{"https://idp.example.com/device", "HTTPS://idp.example.com/d?user_code=A-B",
		"http://127.0.0.1:8080/device", "http://localhost/device", "http://[::1]/device"} {
		if err := CheckBrowserURI("verification_uri", ok); err != nil {
			t.Errorf("CheckBrowserURI(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"javascript:alert(1)", "javascript://x/%0aalert(1)", "--renderer-cmd-prefix=x",
		"-https://x", "file:///etc/passwd", "http://idp.example.com/device", "http://127.0.0.1.evil.example/",
		"data:text/html,x", "//idp.example.com/device", "https:idp.example.com", "https://idp.example.com/\x1b]52;c;eA==\a", ""} {
		if err := CheckBrowserURI("verification_uri", bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("CheckBrowserURI(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

var tokenTypeWord = regexp.MustCompile(`^[A-Za-z0-9._-]*$`)

// FuzzCheckTokenChars: a token passes exactly when every byte is printable
// ASCII, and the error never echoes the characters it refuses.
func FuzzCheckTokenChars(f *testing.F) {
	for _, s := range []string{"abc", "x;touch${IFS}/tmp/PWNED;#", "a\x1b]52;c;eA==\a", "é", "a b", "\x7f\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckTokenChars("access_token", s)
		printable := !strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e })
		if (err == nil) != printable {
			t.Fatalf("CheckTokenChars(%q) = %v; printable ASCII: %v", s, err, printable)
		}
		if err != nil && (!errors.Is(err, ErrMalformed) || strings.ContainsFunc(err.Error(), func(r rune) bool { return r < 0x20 || r > 0x7e })) {
			t.Fatalf("error %q for %q: not ErrMalformed, or echoes what it refuses", err, s)
		}
	})
}

// FuzzCheckTokenType: a token type passes exactly when it is one word, so
// an Authorization header built from it is one line.
func FuzzCheckTokenType(f *testing.F) {
	for _, s := range []string{"Bearer", "Bearer\r\nX-Injected: 1", "DPoP", "", "a b", "N_A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckTokenType(s)
		if (err == nil) != tokenTypeWord.MatchString(s) {
			t.Fatalf("CheckTokenType(%q) = %v", s, err)
		}
		if err == nil && strings.ContainsAny(s, "\r\n: ") {
			t.Fatalf("CheckTokenType(%q) passed a header break", s)
		}
	})
}

// FuzzCheckScope: a scope passes only without control or invisible format
// characters, and then needs no escaping when status shows it.
func FuzzCheckScope(f *testing.F) {
	for _, s := range []string{"read", "a\x1b]52;c;eA==\a", "a\u009bb", "ü", "a\xffb", "a\u202eb", "a\u00adb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := termtext.Escape(s)
		if err := CheckScope(s); err == nil {
			if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) || !utf8.ValidString(s) {
				t.Fatalf("CheckScope(%q) passed a control or format character", s)
			}
			if esc != s {
				t.Fatalf("CheckScope(%q) passed, but termtext.Escape changes it to %q", s, esc)
			}
		}
	})
}
