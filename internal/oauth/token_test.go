package oauth

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// Documented success bodies, one per provider (../../shared/providers, facts.md).
const (
	tiliaDocBody = `{
  "access_token": "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiY2xpZW50X2NyZWRlbnRpYWxzIn0.sig",
  "token_type": "Bearer",
  "expires_in": "3600",
  "scope": "write_registrations,write_user_tokens,user_info"
}`
	tiliaLiveBody      = `{"access_token":"eyJ.tilia.live","token_type":"Bearer","expires_in":3600,"scope":"write_registrations,write_user_tokens"}`
	tiltifyV5Body      = `{"access_token":"0f1e2d3c4b5a","created_at":"2023-04-17T15:22:28Z","expires_in":7200,"refresh_token":null,"scope":"public","token_type":"bearer"}`
	tiltifyV3Body      = `{"access_token":"10b56ef89e09702d4dda5860d9e5c37db0af44bcb7cb49d869be94438ad58294","token_type":"Bearer","scope":"public","created_at":12345667890}`
	tikiBody           = `{"token_type":"Bearer","expires_in":3600,"access_token":"eyJ.tiki.jwt","refresh_token":"def50200abc"}`
	ilsBody            = `{"access_token":"eyJ.ils.jwt","expires_in":7200,"token_type":"bearer"}`
	rfcBodyWithIDToken = `{"access_token":"at-123","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-456","id_token":"eyJ.id.tok","scope":"openid offline_access"}`
)

func TestParseToken(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	const never = time.Duration(-1)
	type want struct {
		access, typ, refresh, id string
		ttl                      time.Duration // never: no expiry
		scopes                   []string
	}
	tests := []struct {
		name string
		body string
		opts ParseOptions
		want want
	}{
		{"tilia document: expires_in numeric string, comma scopes", tiliaDocBody, ParseOptions{ScopeSeparator: ","},
			want{access: "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiY2xpZW50X2NyZWRlbnRpYWxzIn0.sig", typ: "Bearer", ttl: time.Hour,
				scopes: []string{"write_registrations", "write_user_tokens", "user_info"}}},
		{"tilia live: expires_in number", tiliaLiveBody, ParseOptions{ScopeSeparator: ","},
			want{access: "eyJ.tilia.live", typ: "Bearer", ttl: time.Hour, scopes: []string{"write_registrations", "write_user_tokens"}}},
		{"tiltify v5: created_at string, refresh_token null", tiltifyV5Body, ParseOptions{ScopeSeparator: " "},
			want{access: "0f1e2d3c4b5a", typ: "bearer", ttl: 2 * time.Hour, scopes: []string{"public"}}},
		{"tiltify v3: created_at number, no expires_in", tiltifyV3Body, ParseOptions{ScopeSeparator: " "},
			want{ttl: never, access: "10b56ef89e09702d4dda5860d9e5c37db0af44bcb7cb49d869be94438ad58294", typ: "Bearer", scopes: []string{"public"}}},
		{"tiki: refresh token, no scope falls back to requested", tikiBody, ParseOptions{ScopeSeparator: " ", Requested: []string{"read", "write"}},
			want{access: "eyJ.tiki.jwt", typ: "Bearer", refresh: "def50200abc", ttl: time.Hour, scopes: []string{"read", "write"}}},
		{"ils: no scope, nothing requested", ilsBody, ParseOptions{},
			want{access: "eyJ.ils.jwt", typ: "bearer", ttl: 2 * time.Hour}},
		{"rfc: id_token and space scopes", rfcBodyWithIDToken, ParseOptions{ScopeSeparator: " "},
			want{access: "at-123", typ: "Bearer", refresh: "rt-456", id: "eyJ.id.tok", ttl: time.Hour, scopes: []string{"openid", "offline_access"}}},
		{"expires_in float", `{"access_token":"a","expires_in":1.5}`, ParseOptions{},
			want{access: "a", ttl: 1500 * time.Millisecond}},
		{"expires_in string with spaces", `{"access_token":"a","expires_in":" 60 "}`, ParseOptions{},
			want{access: "a", ttl: time.Minute}},
		{"expires_in zero", `{"access_token":"a","expires_in":0}`, ParseOptions{},
			want{access: "a", ttl: 0}},
		{"expires_in null means no expiry", `{"access_token":"a","expires_in":null}`, ParseOptions{},
			want{ttl: never, access: "a"}},
		{"refresh_token string", `{"access_token":"a","refresh_token":"r"}`, ParseOptions{},
			want{ttl: never, access: "a", refresh: "r"}},
		{"scope split by comma", `{"access_token":"a","scope":"x,y,,z"}`, ParseOptions{ScopeSeparator: ","},
			want{ttl: never, access: "a", scopes: []string{"x", "y", "z"}}},
		{"comma separator also splits on spaces", `{"access_token":"a","scope":"x, y"}`, ParseOptions{ScopeSeparator: ","},
			want{ttl: never, access: "a", scopes: []string{"x", "y"}}},
		{"space separator keeps commas", `{"access_token":"a","scope":"x,y z"}`, ParseOptions{ScopeSeparator: " "},
			want{ttl: never, access: "a", scopes: []string{"x,y", "z"}}},
		{"empty separator means space", `{"access_token":"a","scope":"x y"}`, ParseOptions{},
			want{ttl: never, access: "a", scopes: []string{"x", "y"}}},
		{"blank scope falls back to requested", `{"access_token":"a","scope":"  "}`, ParseOptions{Requested: []string{"r"}},
			want{ttl: never, access: "a", scopes: []string{"r"}}},
		{"null scope falls back to requested", `{"access_token":"a","scope":null}`, ParseOptions{Requested: []string{"r"}},
			want{ttl: never, access: "a", scopes: []string{"r"}}},
		{"unknown fields ignored", `{"access_token":"a","foo":{"bar":[1,2]},"created_at":"x"}`, ParseOptions{},
			want{ttl: never, access: "a"}},
		{"surrounding white space", "\n  {\"access_token\":\"a\"}\n", ParseOptions{},
			want{ttl: never, access: "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Now = now
			tok, err := ParseToken([]byte(tt.body), opts)
			if err != nil {
				t.Fatalf("ParseToken: %v", err)
			}
			w := tt.want
			if tok.AccessToken != w.access || tok.TokenType != w.typ || tok.RefreshToken != w.refresh || tok.IDToken != w.id {
				t.Errorf("got access=%q type=%q refresh=%q id=%q, want %q %q %q %q",
					tok.AccessToken, tok.TokenType, tok.RefreshToken, tok.IDToken, w.access, w.typ, w.refresh, w.id)
			}
			switch {
			case w.ttl == never && !tok.Expiry.IsZero():
				t.Errorf("Expiry = %v, want zero (no expiry)", tok.Expiry)
			case w.ttl != never && !tok.Expiry.Equal(now.Add(w.ttl)):
				t.Errorf("Expiry = %v, want %v", tok.Expiry, now.Add(w.ttl))
			}
			if !slices.Equal(tok.Scopes, w.scopes) {
				t.Errorf("Scopes = %q, want %q", tok.Scopes, w.scopes)
			}
		})
	}
}

func TestParseTokenRejects(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"empty body", ``},
		{"white space only", " \n\t"},
		{"html page", `<!DOCTYPE html><html><body>502 Bad Gateway</body></html>`},
		{"html lower case", `<html><head></head></html>`},
		{"plain text", `access_token=abc&expires_in=3600`},
		{"truncated json", `{"access_token":"abc","expires_in":36`},
		{"json array", `[{"access_token":"abc"}]`},
		{"json string", `"abc"`},
		{"json null", `null`},
		{"trailing garbage", `{"access_token":"abc"} garbage`},
		{"second object", `{"access_token":"abc"}{"access_token":"def"}`},
		{"trailing closing brace", `{"access_token":"abc"}}`},
		{"trailing closing bracket", `{"access_token":"abc"}]`},
		{"no access_token", `{"token_type":"Bearer","expires_in":3600}`},
		{"null access_token", `{"access_token":null}`},
		{"empty access_token", `{"access_token":""}`},
		{"whitespace access_token", `{"access_token":"   "}`},
		{"access_token with inner space", `{"access_token":"ab cd"}`},
		{"access_token number", `{"access_token":12345}`},
		{"access_token object", `{"access_token":{"value":"abc"}}`},
		{"access_token array", `{"access_token":["abc"]}`},
		{"token_type number", `{"access_token":"a","token_type":1}`},
		{"refresh_token number", `{"access_token":"a","refresh_token":1}`},
		{"scope array", `{"access_token":"a","scope":["x"]}`},
		{"expires_in negative", `{"access_token":"a","expires_in":-1}`},
		{"expires_in negative string", `{"access_token":"a","expires_in":"-3600"}`},
		{"expires_in huge", `{"access_token":"a","expires_in":1e30}`},
		{"expires_in beyond ten years", `{"access_token":"a","expires_in":315360001}`},
		{"expires_in overflowing float", `{"access_token":"a","expires_in":1e400}`},
		{"expires_in non-numeric string", `{"access_token":"a","expires_in":"soon"}`},
		{"expires_in empty string", `{"access_token":"a","expires_in":""}`},
		{"expires_in NaN string", `{"access_token":"a","expires_in":"NaN"}`},
		{"expires_in Infinity string", `{"access_token":"a","expires_in":"Infinity"}`},
		{"expires_in bool", `{"access_token":"a","expires_in":true}`},
		{"expires_in object", `{"access_token":"a","expires_in":{"seconds":3600}}`},
		{"expires_in array", `{"access_token":"a","expires_in":[3600]}`},
		{"access_token of shell syntax", `{"access_token":"x;touch${IFS}/tmp/PWNED;#\nabc"}`},
		{"access_token with OSC 52", `{"access_token":"abc\u001b]52;c;cHduZWQ=\u0007"}`},
		{"access_token with DEL", `{"access_token":"abc\u007f"}`},
		{"access_token not ASCII", `{"access_token":"abcé"}`},
		{"refresh_token with newline", `{"access_token":"a","refresh_token":"abc\r\nX: 1"}`},
		{"id_token with escape", `{"access_token":"a","id_token":"abc\u001b[2J"}`},
		{"token_type with a header", `{"access_token":"a","token_type":"Bearer\r\nX-Injected: 1"}`},
		{"token_type two words", `{"access_token":"a","token_type":"Bearer abc"}`},
		{"token_type with colon", `{"access_token":"a","token_type":"Bearer:"}`},
		{"scope with OSC 52", `{"access_token":"a","scope":"read \u001b]52;c;cHduZWQ=\u0007"}`},
		{"scope with carriage return", `{"access_token":"a","scope":"read\rwrite"}`},
		{"scope with C1 CSI", `{"access_token":"a","scope":"read\u009b2J"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParseToken([]byte(tt.body), ParseOptions{Now: time.Now()})
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseToken = %+v, %v; want ErrMalformed", tok, err)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Errorf("error %q echoes the body", err)
			}
		})
	}
}

func TestSplitScopes(t *testing.T) {
	tests := []struct {
		name, in, sep string
		want          []string
	}{
		{"comma", "a,b", ",", []string{"a", "b"}},
		{"comma and spaces", " a , b ", ",", []string{"a", "b"}},
		{"space", "a b", " ", []string{"a", "b"}},
		{"tabs and newlines", "a\tb\nc", " ", []string{"a", "b", "c"}},
		{"default separator", "a b", "", []string{"a", "b"}},
		{"empty", "", ",", nil},
		{"only separators", ",, ,", ",", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitScopes(tt.in, tt.sep); !slices.Equal(got, tt.want) {
				t.Errorf("SplitScopes(%q, %q) = %q, want %q", tt.in, tt.sep, got, tt.want)
			}
		})
	}
}
