// Package termtext makes text that tokctl did not write safe to show on a
// terminal: what a provider, a callback, a file or the system said must not
// move the cursor, write the clipboard (OSC 52), or hide and reorder
// characters (CVE-2021-42574 "Trojan Source").
package termtext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with control characters (C0, DEL, C1), invisible format
// characters (bidirectional overrides, zero-width spaces and joiners, soft
// hyphens, tags) and bytes that are not UTF-8 as visible escapes (\x1b,
// \u202e, \U000e0041, \xff). White space controls (tab, newline, carriage
// return, vertical tab, form feed) become a space, so the result is one line.
func Escape(s string) string { return escape(s, false) }

// EscapeLines is Escape for a message of several lines: newlines and tabs
// are kept as they are, everything else Escape changes is escaped.
func EscapeLines(s string) string { return escape(s, true) }

// Hidden reports whether r is a character Escape changes: a control
// character, an invisible format character or the replacement character
// that stands for a byte that is not UTF-8.
func Hidden(r rune) bool {
	return unicode.IsControl(r) || IsFormat(r) || r == utf8.RuneError
}

// IsFormat reports whether r is one of Unicode's format characters
// (category Cf): they draw nothing yet change what a terminal shows.
func IsFormat(r rune) bool {
	return r >= 0x80 && unicode.Is(unicode.Cf, r)
}

func escape(s string, lines bool) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case lines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case r < 0x100 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case IsFormat(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case IsFormat(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			// Non-ASCII is usually harmless; look closer only then.
			return strings.ContainsFunc(s, Hidden) || !utf8.ValidString(s)
		}
	}
	return false
}
