package termtext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var escapeTests = []struct{ in, one, lines string }{
	{"plain text", "plain text", "plain text"},
	{"ünïcode ✓ …", "ünïcode ✓ …", "ünïcode ✓ …"},
	{"osc \x1b]52;c;eA==\a end", `osc \x1b]52;c;eA==\x07 end`, `osc \x1b]52;c;eA==\x07 end`},
	{"csi \u009b2J", `csi \x9b2J`, `csi \x9b2J`},
	{"del\x7f", `del\x7f`, `del\x7f`},
	{"tab\tnewline\nreturn\r", "tab newline return ", "tab\tnewline\nreturn "},
	{"bad \xff utf-8", `bad \xff utf-8`, `bad \xff utf-8`},
	{"bidi \u202eevil", `bidi \u202eevil`, `bidi \u202eevil`},
	{"soft\u00adhyphen zero\u200bwidth bom\ufeff", `soft\u00adhyphen zero\u200bwidth bom\ufeff`, `soft\u00adhyphen zero\u200bwidth bom\ufeff`},
	{"tag \U000e0041", `tag \U000e0041`, `tag \U000e0041`},
}

func TestEscape(t *testing.T) {
	for _, tt := range escapeTests {
		if got := Escape(tt.in); got != tt.one {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.one)
		}
		if got := EscapeLines(tt.in); got != tt.lines {
			t.Errorf("EscapeLines(%q) = %q, want %q", tt.in, got, tt.lines)
		}
	}
}

// FuzzEscape: nothing a terminal acts on or hides survives Escape, whose
// result is one line, or EscapeLines, which changes nothing but that; text
// with nothing to escape comes back unchanged.
func FuzzEscape(f *testing.F) {
	for _, tt := range escapeTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		one, lines := Escape(s), EscapeLines(s)
		for _, esc := range []string{one, lines} {
			if !utf8.ValidString(esc) || strings.ContainsFunc(esc, func(r rune) bool {
				return r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r))
			}) {
				t.Fatalf("escaped %q to %q, which still holds a control or format character", s, esc)
			}
		}
		if strings.ContainsAny(one, "\n\t") {
			t.Fatalf("Escape(%q) = %q is not one line", s, one)
		}
		if strings.ReplaceAll(strings.ReplaceAll(lines, "\n", " "), "\t", " ") != one {
			t.Fatalf("EscapeLines(%q) = %q differs from Escape's %q in more than newlines and tabs", s, lines, one)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl) && !strings.ContainsFunc(s, IsFormat) && one != s {
			t.Fatalf("Escape(%q) = %q changed text with nothing to escape", s, one)
		}
	})
}
