package jwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// tiliaToken is the sample access token from Tilia's token endpoint docs (document 000).
func tiliaToken(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/tilia.jwt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signHS256 builds a compact JWS from JSON-encodable header and claims.
func signHS256(t testing.TB, header, claims any, key []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64(string(h)) + "." + b64(string(c))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// jweSample is a compact JWE: only its protected header is readable.
var jweSample = b64(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"enc-2026"}`) +
	".OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ"

func TestParse(t *testing.T) {
	tilia := tiliaToken(t)
	simple := b64(`{"alg":"none"}`) + "." + b64(`{"sub":"x"}`) + ".sig"
	tests := []struct {
		name      string
		input     string
		wantRaw   string
		wantEnc   bool
		wantSig   bool
		wantClaim string // a claim name that must be present
		wantErr   error  // matched with errors.Is
		wantAs    any    // pointer to an error type, matched with errors.As
		wantPart  Part
		wantMsg   string // substring of the error message
	}{
		{name: "tilia sample", input: tilia, wantRaw: tilia, wantSig: true, wantClaim: "scopes"},
		{name: "bearer prefix", input: "Bearer " + simple, wantRaw: simple, wantSig: true, wantClaim: "sub"},
		{name: "bearer any case", input: "bEaReR\t" + simple, wantRaw: simple, wantSig: true, wantClaim: "sub"},
		{name: "authorization header", input: "Authorization: Bearer " + simple, wantRaw: simple, wantSig: true, wantClaim: "sub"},
		{name: "authorization header lower case", input: "authorization:bearer " + simple, wantRaw: simple, wantSig: true, wantClaim: "sub"},
		{name: "surrounding whitespace and newlines", input: "\n\t  " + simple + " \r\n", wantRaw: simple, wantSig: true, wantClaim: "sub"},
		{name: "wrapped across lines", input: simple[:10] + "\n" + simple[10:], wantRaw: simple, wantSig: true, wantClaim: "sub"},
		{name: "quoted from JSON", input: `"` + simple + `"`, wantRaw: simple, wantSig: true, wantClaim: "sub"},
		{name: "padded base64", input: b64(`{"alg":"none"}`) + "==." + b64(`{"a":1}`) + ".", wantRaw: b64(`{"alg":"none"}`) + "==." + b64(`{"a":1}`) + ".", wantClaim: "a"},
		{name: "unsecured token without signature", input: b64(`{"alg":"none"}`) + "." + b64(`{"sub":"x"}`) + ".", wantRaw: b64(`{"alg":"none"}`) + "." + b64(`{"sub":"x"}`) + ".", wantClaim: "sub"},
		{name: "JWE header", input: jweSample, wantRaw: jweSample, wantEnc: true},

		{name: "empty", input: "", wantErr: ErrEmpty},
		{name: "whitespace only", input: " \n\t", wantErr: ErrEmpty},
		{name: "bearer only", input: "Bearer ", wantErr: ErrEmpty},
		{name: "opaque", input: "gho_16C7e42F292c6912E7710c838347Ae178B4a", wantErr: ErrOpaque, wantMsg: "not a JWT: an opaque token (no dots); only the provider can tell what it means"},
		{name: "opaque is not a JWT", input: "Bearer 2YotnFZFEjr1zCsicMWpAA", wantErr: ErrNotJWT},
		{name: "2 segments", input: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0", wantErr: ErrNotJWT, wantAs: new(*SegmentCountError), wantMsg: "2 dot-separated segments"},
		{name: "4 segments", input: "aaaaaaaaaa.bbbbbbbbbb.cccccccccc.dddddddddd", wantErr: ErrNotJWT, wantAs: new(*SegmentCountError), wantMsg: `4 dot-separated segments, want 3 (signed JWT) or 5 (encrypted JWT); token starts "aaaaaa…"`},
		{name: "bad base64 header", input: "eyJ!bGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig", wantErr: ErrNotJWT, wantAs: new(*Base64Error), wantPart: PartHeader, wantMsg: "the header is not valid base64url"},
		{name: "bad base64 payload", input: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0*.sig", wantErr: ErrNotJWT, wantAs: new(*Base64Error), wantPart: PartPayload, wantMsg: "the payload is not valid base64url"},
		{name: "standard base64 payload", input: "eyJhbGciOiJIUzI1NiJ9.eyJ+In0/.sig", wantErr: ErrNotJWT, wantAs: new(*Base64Error), wantPart: PartPayload},
		{name: "header JSON array", input: b64(`["alg","HS256"]`) + "." + b64(`{}`) + ".sig", wantErr: ErrNotJWT, wantAs: new(*JSONError), wantPart: PartHeader, wantMsg: "the header is not a JSON object (it is a JSON array)"},
		{name: "header empty", input: "." + b64(`{}`) + ".sig", wantErr: ErrNotJWT, wantAs: new(*JSONError), wantPart: PartHeader, wantMsg: "(it is empty)"},
		{name: "payload not JSON", input: b64(`{"alg":"HS256"}`) + "." + b64(`hello secret world`) + ".sig", wantErr: ErrNotJWT, wantAs: new(*JSONError), wantPart: PartPayload, wantMsg: "the payload is not a JSON object (it is not JSON)"},
		{name: "payload trailing data", input: b64(`{"alg":"HS256"}`) + "." + b64(`{"a":1} x`) + ".sig", wantErr: ErrNotJWT, wantAs: new(*JSONError), wantPart: PartPayload},
		{name: "payload JSON string", input: b64(`{"alg":"HS256"}`) + "." + b64(`"text"`) + ".sig", wantErr: ErrNotJWT, wantAs: new(*JSONError), wantPart: PartPayload, wantMsg: "a JSON string"},
		{name: "JWE header not JSON", input: b64("nope") + ".a.b.c.d", wantErr: ErrNotJWT, wantAs: new(*JSONError), wantPart: PartHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.input)
			if tt.wantErr == nil && tt.wantAs == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if tok.Raw != tt.wantRaw {
					t.Errorf("Raw = %q, want %q", tok.Raw, tt.wantRaw)
				}
				if tok.Encrypted != tt.wantEnc || tok.SignaturePresent != tt.wantSig {
					t.Errorf("Encrypted, SignaturePresent = %v, %v; want %v, %v", tok.Encrypted, tok.SignaturePresent, tt.wantEnc, tt.wantSig)
				}
				if tok.Header == nil {
					t.Error("Header is nil")
				}
				if tt.wantEnc && tok.Claims != nil {
					t.Errorf("Claims = %v, want nil for a JWE", tok.Claims)
				}
				if tt.wantClaim != "" {
					if _, ok := tok.Claims[tt.wantClaim]; !ok {
						t.Errorf("claim %q missing from %v", tt.wantClaim, tok.Claims)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse succeeded, want error")
			}
			if tok != nil {
				t.Errorf("token = %+v, want nil with an error", tok)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantErr)
			}
			switch target := tt.wantAs.(type) {
			case **SegmentCountError:
				if !errors.As(err, target) {
					t.Errorf("error %T is not a *SegmentCountError", err)
				}
			case **Base64Error:
				if !errors.As(err, target) {
					t.Errorf("error %T is not a *Base64Error", err)
				} else if (*target).Part != tt.wantPart {
					t.Errorf("Part = %q, want %q", (*target).Part, tt.wantPart)
				}
			case **JSONError:
				if !errors.As(err, target) {
					t.Errorf("error %T is not a *JSONError", err)
				} else if (*target).Part != tt.wantPart {
					t.Errorf("Part = %q, want %q", (*target).Part, tt.wantPart)
				}
			}
			msg := err.Error()
			if tt.wantMsg != "" && !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", msg, tt.wantMsg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one line", msg)
			}
			assertNoLeak(t, tt.input, msg)
		})
	}
}

// assertNoLeak fails if msg holds any run of 7 or more characters of the token,
// that is, more than the 6-character prefix an error may show.
func assertNoLeak(t *testing.T, input, msg string) {
	t.Helper()
	raw := []rune(normalize(input))
	for i := 0; i+7 <= len(raw); i++ {
		if chunk := string(raw[i : i+7]); strings.Contains(msg, chunk) {
			t.Errorf("message %q contains %q from the input", msg, chunk)
			return
		}
	}
}

func TestParseKeepsNumbersExact(t *testing.T) {
	tok, err := Parse(b64(`{"alg":"none"}`) + "." + b64(`{"big":12345678901234567890,"f":0.1}`) + ".")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := tok.Claims["big"].(json.Number); !ok || got.String() != "12345678901234567890" {
		t.Errorf("big = %#v, want json.Number 12345678901234567890", tok.Claims["big"])
	}
}

func TestSafePrefix(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"abcdefghijkl":      "", // 12 characters: the prefix would be half the input
		"abcdefghijklm":     "abcdef…",
		"ééééééééééééééééé": "éééééé…",
	} {
		if got := safePrefix(in); got != want {
			t.Errorf("safePrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRefusesDuplicatesAndDepth(t *testing.T) {
	deep := func(n int) string { return `{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}` }
	tests := []struct {
		name, header, payload string
		wantMsg               string
	}{
		{name: "exp twice", header: `{"alg":"HS256"}`, payload: `{"exp":1,"exp":4102444800}`, wantMsg: `not a JWT: the payload names "exp" twice`},
		{name: "a name twice in a nested object", header: `{"alg":"HS256"}`, payload: `{"realm_access":{"roles":[],"roles":["admin"]}}`, wantMsg: `the payload names "roles" twice`},
		{name: "header alg twice", header: `{"alg":"none","alg":"HS256"}`, payload: `{}`, wantMsg: `the header names "alg" twice`},
		{name: "payload nested too deep", header: `{"alg":"HS256"}`, payload: deep(maxNesting), wantMsg: "the payload nests objects and arrays more than 64 levels deep"},
		{name: "header nested too deep", header: deep(maxNesting), payload: `{}`, wantMsg: "the header nests objects and arrays more than 64 levels deep"},
		{name: "brackets inside strings do not count", header: `{"alg":"HS256"}`, payload: `{"x":"` + strings.Repeat(`[{\"`, 100) + `"}`},
		{name: "as deep as allowed", header: `{"alg":"HS256"}`, payload: deep(maxNesting - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(b64(tt.header) + "." + b64(tt.payload) + ".c2ln")
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) || !errors.Is(err, ErrNotJWT) {
				t.Fatalf("Parse = %v, %v; want an error containing %q", tok, err, tt.wantMsg)
			}
		})
	}
}

// TestParseRefusesHugeNesting: a 1 MiB token of deep nesting is refused, not rendered.
func TestParseRefusesHugeNesting(t *testing.T) {
	huge := b64(`{"alg":"HS256"}`) + "." + b64(`{"x":`+strings.Repeat("[", 700000)) + ".c2ln"
	if _, err := Parse(huge); err == nil || !strings.Contains(err.Error(), "more than 64 levels deep") {
		t.Errorf("a 1 MiB token of deep nesting: %v", err)
	}
}
