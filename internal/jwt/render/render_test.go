package render

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/golden"

	"github.com/tokctl/tokctl/internal/jwt"
)

// builtNow is the fixed clock for the token built in the tests.
var builtNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// builtToken is an HS256 token with scp array, aud array, nbf in the future and
// claims that test rendering: a big integer, nested JSON, HTML and control characters.
func builtToken(t testing.TB) string {
	return signHS256(t,
		map[string]any{"alg": "HS256", "typ": "JWT", "kid": "2026-11"},
		map[string]any{
			"iss":         "https://idp.example.com/",
			"sub":         "user-42",
			"aud":         []string{"tokctl", "https://api.example.com"},
			"exp":         builtNow.Add(2 * time.Hour).Unix(),
			"nbf":         builtNow.Add(5 * time.Minute).Unix(),
			"iat":         builtNow.Add(-time.Minute).Unix(),
			"jti":         "b7c1e0",
			"scp":         []string{"read", "write:all"},
			"azp":         "cli",
			"big":         json.Number("12345678901234567890"),
			"ratio":       0.5,
			"nested":      map[string]any{"roles": []string{"admin"}, "n": 1},
			"name":        "Zoë <admin> & co",
			"evil":        "\x1b[31mred\u202e\u009b",
			"with space":  true,
			"\x1b[2Jwipe": 1,
		},
		[]byte("secret"))
}

func TestRenderGolden(t *testing.T) {
	tiliaIat := time.Unix(1600560976, 0).UTC()
	tiliaExp := time.Unix(1600564576, 0).UTC()
	tests := []struct {
		name  string
		token string
		now   time.Time
	}{
		{"tilia", tiliaToken(t), tiliaIat.Add(time.Minute)},
		{"tilia_expired", tiliaToken(t), tiliaExp.Add(3 * time.Hour)},
		{"built", builtToken(t), builtNow},
		{"jwe", jweSample, builtNow},
	}
	for _, tt := range tests {
		tok, err := jwt.Parse(tt.token)
		if err != nil {
			t.Fatalf("%s: Parse: %v", tt.name, err)
		}
		t.Run(tt.name+"/text", func(t *testing.T) {
			var b bytes.Buffer
			if err := Text(&b, tok, tt.now, false); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), "\x1b") {
				t.Error("output without colour contains an escape code")
			}
			assertGolden(t, tt.name+".txt", b.Bytes())
		})
		t.Run(tt.name+"/colour", func(t *testing.T) {
			var b bytes.Buffer
			if err := Text(&b, tok, tt.now, true); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "\x1b[") {
				t.Error("output with colour has no escape code")
			}
			assertGolden(t, tt.name+".colour.txt", b.Bytes())
		})
		t.Run(tt.name+"/json", func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, tok, tt.now); err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b.Bytes()) || !strings.HasSuffix(b.String(), "}\n") {
				t.Errorf("not one JSON value with a trailing newline:\n%s", b.String())
			}
			assertGolden(t, tt.name+".json", b.Bytes())
		})
	}
}

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Assert(t, filepath.Join("testdata", name), got)
}

func TestRenderJSONFields(t *testing.T) {
	tok, err := jwt.Parse(tiliaToken(t))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1600560976+60, 0)
	var b bytes.Buffer
	if err := JSON(&b, tok, now); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Claims    map[string]json.RawMessage `json:"claims"`
		ExpiresAt *string                    `json:"expires_at"`
		ExpiresIn *int64                     `json:"expires_in"`
		Scopes    []string                   `json:"scopes"`
		Verdict   string                     `json:"verdict"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if string(got.Claims["exp"]) != "1600564576" || got.ExpiresAt == nil || *got.ExpiresAt != "2020-09-20T01:16:16Z" ||
		got.ExpiresIn == nil || *got.ExpiresIn != 3540 || len(got.Scopes) != 19 || got.Verdict != "valid" {
		t.Errorf("unexpected JSON:\n%s", b.String())
	}
}

func TestRenderNoExpiryJSON(t *testing.T) {
	tok := &jwt.Token{Header: map[string]any{"alg": "none"}, Claims: map[string]any{}}
	var b bytes.Buffer
	if err := JSON(&b, tok, builtNow); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"expires_at": null`, `"expires_in": null`, `"scopes": []`, `"verdict": "valid"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := Text(&b, tok, builtNow, false); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "scopes: (none)\nsignature: none (unsecured token)\nvalid: no expiry\n") {
		t.Errorf("unexpected text:\n%s", b.String())
	}
}

func TestRenderNilToken(t *testing.T) {
	if err := Text(&bytes.Buffer{}, nil, builtNow, true); err == nil {
		t.Error("Text(nil) succeeded")
	}
	if err := JSON(&bytes.Buffer{}, nil, builtNow); err == nil {
		t.Error("JSON(nil) succeeded")
	}
}

// TestVerifyGolden shows verification outcomes in text and JSON: verified with a kid,
// and a failure.
func TestVerifyGolden(t *testing.T) {
	now := time.Unix(1800000000, 0).Add(-time.Hour)
	claims := map[string]any{"iss": "https://idp.example.com/", "sub": "user-42", "exp": 1800000000, "scope": "read write"}
	secret := "a secret of 32 bytes or more, as RFC 7518 requires"
	good := signHS256(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": "2026-11"}, claims, []byte(secret))
	tests := []struct {
		name, token, secret string
	}{
		{"verified", good, secret},
		{"verify_failed", good, "another secret of 32 bytes or more, as RFC 7518 requires"},
		{"verify_jwe", jweSample, secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := jwt.Parse(tt.token)
			if err != nil {
				t.Fatal(err)
			}
			_ = tok.Verify(mustParseSecret(t, []byte(tt.secret)))
			var text, js bytes.Buffer
			if err := Text(&text, tok, now, false); err != nil {
				t.Fatal(err)
			}
			if err := JSON(&js, tok, now); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, tt.name+".txt", text.Bytes())
			assertGolden(t, tt.name+".json", js.Bytes())
		})
	}
}

func TestHumanSeconds(t *testing.T) {
	for s, want := range map[int64]string{
		0: "0s", 45: "45s", 60: "1m", 61: "1m1s", 3540: "59m", 3599: "59m59s", 3600: "1h",
		3720: "1h2m", 3725: "1h2m", 86400: "1d", 273600: "3d4h", 273659: "3d4h",
	} {
		if got := humanSeconds(s); got != want {
			t.Errorf("humanSeconds(%d) = %q, want %q", s, got, want)
		}
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(59 * time.Minute), "in 59m"},
		{now.Add(59*time.Minute + 999*time.Millisecond), "in 59m"},
		{now.Add(-3 * time.Hour), "3h ago"},
		{now, "0s ago"},
		{now.Add(time.Millisecond), "in 0s"},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "in 2912442d"},
	} {
		if got := relative(tt.t, now); got != tt.want {
			t.Errorf("relative(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

// TestRenderIsLinear holds decode's output to a small multiple of its input, for the
// shapes that made it quadratic: deep nesting, and many small values deep down.
// maxNesting is the deepest nesting jwt.Parse accepts.
const maxNesting = 64

func TestRenderIsLinear(t *testing.T) {
	now := time.Unix(1800000000, 0)
	shapes := map[string]string{
		"deepest allowed nesting":      `{"x":` + strings.Repeat("[", maxNesting-1) + strings.Repeat("]", maxNesting-1) + `}`,
		"many values deep down":        `{"x":` + strings.Repeat("[", maxNesting-1) + strings.Repeat("1,", 50000) + "1" + strings.Repeat("]", maxNesting-1) + `}`,
		"many objects at the indented": `{"x":[[[[` + strings.Repeat(`{"a":1},`, 20000) + `{}]]]]}`,
	}
	for name, payload := range shapes {
		t.Run(name, func(t *testing.T) {
			raw := b64(`{"alg":"HS256"}`) + "." + b64(payload) + ".c2ln"
			tok, err := jwt.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			var text, js bytes.Buffer
			if err := Text(&text, tok, now, false); err != nil {
				t.Fatal(err)
			}
			if err := JSON(&js, tok, now); err != nil {
				t.Fatal(err)
			}
			for out, n := range map[string]int{"text": text.Len(), "json": js.Len()} {
				if n > 8*len(raw)+4096 {
					t.Errorf("%s output is %d bytes for a %d-byte token", out, n, len(raw))
				}
			}
			if !json.Valid(js.Bytes()) {
				t.Error("the JSON output is not valid JSON")
			}
		})
	}
}
