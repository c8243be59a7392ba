package loopback

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var callbackCases = []struct {
	name     string
	query    string
	state    string
	wantCode string
	wantErr  error // errBadState, ErrNoCode, errManyCodes, or a *CallbackError to compare
}{
	{"success", "state=st&code=abc", "st", "abc", nil},
	{"extra parameters", "code=abc&state=st&iss=https%3A%2F%2Fidp&session_state=x", "st", "abc", nil},
	{"wrong state", "state=other&code=abc", "st", "", errBadState},
	{"state prefix", "state=s&code=abc", "st", "", errBadState},
	{"missing state", "code=abc", "st", "", errBadState},
	{"empty state", "state=&code=abc", "", "", errBadState},
	{"state twice", "state=st&state=st&code=abc", "st", "", errBadState},
	{"missing code", "state=st", "st", "", ErrNoCode},
	{"empty code", "state=st&code=", "st", "", ErrNoCode},
	{"two codes", "state=st&code=a&code=b", "st", "", errManyCodes},
	{"access denied", "state=st&error=access_denied&error_description=The+user+denied+access&error_uri=https%3A%2F%2Fx",
		"st", "", &CallbackError{Code: "access_denied", Description: "The user denied access"}},
	{"error wins over code", "state=st&code=abc&error=server_error", "st", "",
		&CallbackError{Code: "server_error"}},
	{"empty error", "state=st&error=", "st", "", &CallbackError{}},
	{"error with wrong state", "state=x&error=access_denied", "st", "", errBadState},
	{"control characters", "state=st&error=a%1B%5B2J&error_description=b%0D%0Ac%C2%9Bd%E2%80%AEe%FF", "st", "",
		&CallbackError{Code: `a\x1b[2J`, Description: `b c\x9bd\u202ee\xff`}},
	{"invisible format characters", "state=st&error=%C2%AD&error_description=a%E2%80%8Bb%EF%BB%BFc%F3%A0%81%81", "st", "",
		&CallbackError{Code: `\u00ad`, Description: `a\u200bb\ufeffc\U000e0041`}},
}

func TestParseCallback(t *testing.T) {
	for _, tt := range callbackCases {
		t.Run(tt.name, func(t *testing.T) {
			query, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			code, err := parseCallback(query, tt.state)
			if code != tt.wantCode {
				t.Errorf("code = %q, want %q", code, tt.wantCode)
			}
			if want, ok := tt.wantErr.(*CallbackError); ok {
				var got *CallbackError
				if !errors.As(err, &got) || *got != *want {
					t.Errorf("err = %#v, want %#v", err, want)
				}
				return
			}
			if err != tt.wantErr {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestCallbackErrorMessage(t *testing.T) {
	tests := []struct {
		err  CallbackError
		want string
	}{
		{CallbackError{"tiltify", "access_denied", "The user denied access"},
			"tiltify: the authorization server refused: access_denied: The user denied access"},
		{CallbackError{"", "access_denied", ""}, "the authorization server refused: access_denied"},
		{CallbackError{"x", "", ""}, "x: the authorization server refused"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v: %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 10, "plain"},
		{"  a \t b\n", 10, "a b"},
		{"a\x00b\x7fc\u0085d\u2066e", 40, `a\x00b\x7fc\x85d\u2066e`},
		{"osc \x1b]52;c;eA==\a", 40, `osc \x1b]52;c;eA==\x07`},
		{"héllo wörld", 6, "h\u00e9…"}, // cut on a rune boundary, within max bytes
		{"ééé", 5, "é…"},               // the cut never splits a rune
		{"\xff\xfe", 10, `\xff\xfe`},   // invalid UTF-8 is shown escaped
		{strings.Repeat("a", 301), 300, strings.Repeat("a", 297) + "…"},
	}
	for _, tt := range tests {
		if got := sanitize(tt.in, tt.max); got != tt.want {
			t.Errorf("sanitize(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func FuzzParseCallback(f *testing.F) {
	for _, c := range callbackCases {
		f.Add(c.query, c.state)
	}
	f.Fuzz(func(t *testing.T, rawQuery, state string) {
		query, _ := url.ParseQuery(rawQuery) // keeps what parses, as net/http does
		code, err := parseCallback(query, state)
		matched := state != "" && len(query["state"]) == 1 && query["state"][0] == state
		if !matched && !errors.Is(err, errBadState) {
			t.Fatalf("state %q does not match %q, yet code=%q err=%v", query["state"], state, code, err)
		}
		if code != "" && (err != nil || !matched || code != query.Get("code")) {
			t.Fatalf("code %q returned with err=%v matched=%v", code, err, matched)
		}
		if code == "" && err == nil {
			t.Fatal("neither a code nor an error")
		}
		const iss = "https://idp.example.com"
		if c, err := parseCallbackFrom(query, state, iss); c != "" && (err != nil || len(query["iss"]) != 1 || query.Get("iss") != iss) {
			t.Fatalf("code %q returned for iss %q (err=%v)", c, query["iss"], err)
		}
		var ce *CallbackError
		if errors.As(err, &ce) {
			msg := ce.Error()
			if len(msg) > 450 || !utf8.ValidString(msg) {
				t.Fatalf("message too long or not UTF-8: %q", msg)
			}
			for _, r := range msg {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("control character %U in %q", r, msg)
				}
			}
		}
	})
}

// TestParseCallbackIssuer holds the mix-up defence (RFC 9207): with the issuer
// known, a redirect naming another one is refused, and so is one naming none
// when the provider promised to; a wrong state is still only ignored.
func TestParseCallbackIssuer(t *testing.T) {
	const iss = "https://idp.example.com/realms/dev"
	tests := []struct {
		name, query string
		require     bool
		wantCode    string
		wantErr     string // substring; "" for none
		wantIgnored bool
	}{
		{name: "matching iss", query: "state=st&code=abc&iss=" + url.QueryEscape(iss), require: true, wantCode: "abc"},
		{name: "another server's iss", query: "state=st&code=abc&iss=https%3A%2F%2Fevil.example.com", require: true, wantErr: `issued by "https://evil.example.com"`},
		{name: "trailing-slash variant", query: "state=st&code=abc&iss=" + url.QueryEscape(iss+"/"), require: true, wantErr: "mix-up"},
		{name: "iss missing though promised", query: "state=st&code=abc", require: true, wantErr: "no iss"},
		{name: "iss not promised: not checked", query: "state=st&code=abc&iss=https%3A%2F%2Fother.example.com", wantCode: "abc"},
		{name: "two iss values", query: "state=st&code=abc&iss=" + url.QueryEscape(iss) + "&iss=x", require: true, wantErr: "mix-up"},
		{name: "an error response from another server", query: "state=st&error=access_denied&iss=https%3A%2F%2Fevil.example.com", require: true, wantErr: "mix-up"},
		{name: "wrong state is ignored first", query: "state=other&code=abc&iss=https%3A%2F%2Fevil.example.com", require: true, wantIgnored: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.require {
				want = iss
			}
			code, err := parseCallbackFrom(q, "st", want)
			switch {
			case tt.wantIgnored:
				if !errors.Is(err, errBadState) {
					t.Fatalf("err = %v, want errBadState", err)
				}
			case tt.wantErr != "":
				var mix *IssuerMismatchError
				if !errors.As(err, &mix) || !strings.Contains(err.Error(), tt.wantErr) || code != "" {
					t.Fatalf("code %q, err %v; want an IssuerMismatchError containing %q", code, err, tt.wantErr)
				}
			default:
				if err != nil || code != tt.wantCode {
					t.Fatalf("code %q, err %v; want code %q", code, err, tt.wantCode)
				}
			}
		})
	}
}
