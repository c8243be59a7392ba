package jwt

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

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
		tok, err := Parse(tt.token)
		if err != nil {
			t.Fatalf("%s: Parse: %v", tt.name, err)
		}
		t.Run(tt.name+"/text", func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderText(&b, tok, tt.now, false); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), "\x1b") {
				t.Error("output without colour contains an escape code")
			}
			golden(t, tt.name+".txt", b.Bytes())
		})
		t.Run(tt.name+"/colour", func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderText(&b, tok, tt.now, true); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "\x1b[") {
				t.Error("output with colour has no escape code")
			}
			golden(t, tt.name+".colour.txt", b.Bytes())
		})
		t.Run(tt.name+"/json", func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderJSON(&b, tok, tt.now); err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b.Bytes()) || !strings.HasSuffix(b.String(), "}\n") {
				t.Errorf("not one JSON value with a trailing newline:\n%s", b.String())
			}
			golden(t, tt.name+".json", b.Bytes())
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/jwt -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./internal/jwt -update to accept)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestRenderJSONFields(t *testing.T) {
	tok, err := Parse(tiliaToken(t))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1600560976+60, 0)
	var b bytes.Buffer
	if err := RenderJSON(&b, tok, now); err != nil {
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
	tok := &Token{Header: map[string]any{"alg": "none"}, Claims: map[string]any{}}
	var b bytes.Buffer
	if err := RenderJSON(&b, tok, builtNow); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"expires_at": null`, `"expires_in": null`, `"scopes": []`, `"verdict": "valid"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := RenderText(&b, tok, builtNow, false); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "scopes: (none)\nsignature: none (unsecured token)\nvalid: no expiry\n") {
		t.Errorf("unexpected text:\n%s", b.String())
	}
}

func TestRenderNilToken(t *testing.T) {
	if err := RenderText(&bytes.Buffer{}, nil, builtNow, true); err == nil {
		t.Error("RenderText(nil) succeeded")
	}
	if err := RenderJSON(&bytes.Buffer{}, nil, builtNow); err == nil {
		t.Error("RenderJSON(nil) succeeded")
	}
}
