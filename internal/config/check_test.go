package config

import (
	"errors"
	"strings"
	"testing"
)

var testSchema = Schema{
	ProviderKeys: []string{"kind", "client_id", "client_secret", "token_url", "scopes", "pkce", "redirect_uri", "issuer", "url"},
	ListKeys:     []string{"scopes"},
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		line     int
		provider string
		want     string // empty: valid
	}{
		{"the sample", sample, 0, "", ""},
		{"empty file", "", 0, "", ""},
		{"scopes as a string", "providers:\n  tilia:\n    scopes: user_info\n", 0, "", ""},
		{"scopes as a block list", "providers:\n  tilia:\n    scopes:\n      - a\n      - b\n", 0, "", ""},
		{"numbers and booleans are single values", "providers:\n  x:\n    client_id: 12345\n    pkce: false\n", 0, "", ""},
		{"keys in any case, as viper reads them", "providers:\n  tilia:\n    Client_ID: abc\n", 0, "", ""},
		{"an empty provider entry", "providers:\n  tilia:\n", 0, "", ""},
		{"an empty value", "store:\nproviders:\n  tilia:\n    client_id:\n", 0, "", ""},

		{"scope for scopes", "providers:\n  tilia:\n    client_id: abc\n    scope: [user_info]\n", 4, "tilia",
			"unknown key `scope` under providers.tilia; did you mean `scopes`?"},
		{"clientid", "providers:\n  tilia:\n    clientid: abc\n", 3, "tilia",
			"unknown key `clientid` under providers.tilia; did you mean `client_id`?"},
		{"an unknown key without a value", "providers:\n  tilia:\n    clientid:\n", 3, "tilia", "unknown key `clientid`"},
		{"the key as written, in its case", "providers:\n  tilia:\n    Scope: a\n", 3, "tilia", "unknown key `scope`"},
		{"a top-level provider", "provider:\n  tilia:\n    client_id: abc\n", 1, "",
			"unknown key `provider`; did you mean `providers`?"},
		{"nothing near", "providers:\n  tilia:\n    colour: red\n", 3, "tilia",
			"unknown key `colour` under providers.tilia; valid keys: kind, client_id, client_secret, token_url, scopes, pkce, redirect_uri, issuer, url"},
		{"store as a list", "store: [x]\n", 1, "", "`store` must be a single value (keyring, file or none), not a list"},
		{"providers as a list", "providers: [tilia]\n", 1, "", "`providers` must be a mapping of provider names to their settings, not a list"},
		{"a provider as a string", "providers:\n  tilia: abc\n", 2, "tilia", "`providers.tilia` must be a mapping of settings"},
		{"client_id as a list", "store: file\nproviders:\n  tilia:\n    client_id: [a]\n", 4, "tilia", "`client_id` must be a single value, not a list"},
		{"scopes as a mapping", "providers:\n  tilia:\n    scopes: {a: b}\n", 3, "tilia", "`scopes` must be a list of values or a single value, not a mapping"},
		{"scopes holding a list", "providers:\n  tilia:\n    scopes: [a, [b]]\n", 3, "tilia", "not a list holding a list"},
		{"second provider", "providers:\n  a:\n    kind: tilia\n  b:\n    kind: ils\n    tokenurl: x\n", 6, "b", "did you mean `token_url`?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.file)
			c, err := Load(path, true)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Check(testSchema)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Check = %v, want a *FileError", err)
			}
			if fe.File != path || fe.Line != tt.line || fe.Provider != tt.provider || !strings.Contains(fe.Msg, tt.want) {
				t.Errorf("Check = %+v, want line %d, provider %q, message with %q", fe, tt.line, tt.provider, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "config file "+path) {
				t.Errorf("error %q does not start with the file", err)
			}
		})
	}
}

func TestNearest(t *testing.T) {
	keys := []string{"kind", "client_id", "client_secret", "token_url", "scopes", "url"}
	tests := []struct{ word, want string }{
		{"scope", "scopes"},
		{"clientid", "client_id"},
		{"client-id", "client_id"},
		{"CLIENT_ID", "client_id"},
		{"tokenurl", "token_url"},
		{"clientsecret", "client_secret"},
		{"colour", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := Nearest(tt.word, keys); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	if got := Nearest("tillia", []string{"ils", "tiki", "tilia", "tiltify"}); got != "tilia" {
		t.Errorf("Nearest(tillia) = %q, want tilia", got)
	}
}

// A file too long to search gets yaml's own message, line and all.
func TestSyntaxErrorInALongFile(t *testing.T) {
	body := "providers:\n" + strings.Repeat("  # a comment\n", maxScanLines) + "  tilia:\n    kind: [tilia\n"
	_, err := Load(writeConfig(t, body), true)
	if err == nil || !strings.Contains(err.Error(), ": invalid YAML: line ") {
		t.Fatalf("Load = %v, want yaml's own message with its line", err)
	}
}

func TestCheckKindKeys(t *testing.T) {
	schema := testSchema
	schema.KindKeys = func(kind string) []string {
		return map[string][]string{
			"tilia":  {"kind", "client_id", "client_secret", "token_url", "scopes"},
			"tiki":   {"kind", "client_id", "client_secret", "token_url", "scopes", "url", "pkce"},
			"oauth2": {"kind", "client_id", "client_secret", "token_url", "scopes", "issuer", "pkce", "redirect_uri"},
		}[kind]
	}
	schema.KindEnv = func(name string) string { return "TOKCTL_TEST_" + strings.ToUpper(name) + "_KIND" }
	tests := []struct {
		name    string
		file    string
		envKind string // TOKCTL_TEST_X_KIND
		line    int
		want    string // empty: valid
	}{
		{"a key of the built-in kind", "providers:\n  tiki:\n    url: https://wiki.example.org\n", "", 0, ""},
		{"a key of another kind under a built-in", "providers:\n  tilia:\n    client_id: a\n    url: https://wiki.example.org\n", "", 4,
			"`url` is not a setting of kind tilia (providers.tilia); its keys: kind, client_id, client_secret, token_url, scopes"},
		{"a key of another kind under a named entry", "providers:\n  x:\n    kind: oauth2\n    url: https://wiki.example.org\n", "", 4,
			"`url` is not a setting of kind oauth2 (providers.x)"},
		{"an empty value is a setting too", "providers:\n  x:\n    kind: tilia\n    pkce:\n", "", 4, "`pkce` is not a setting of kind tilia"},
		{"the environment's kind wins", "providers:\n  x:\n    kind: tilia\n    url: https://wiki.example.org\n", "tiki", 0, ""},
		{"and is checked against too", "providers:\n  x:\n    kind: tiki\n    url: https://wiki.example.org\n", "tilia", 4, "`url` is not a setting of kind tilia"},
		{"an unknown kind is left to the provider", "providers:\n  x:\n    kind: nosuch\n    url: u\n", "", 0, ""},
		{"an entry without a kind that is no built-in", "providers:\n  x:\n    url: u\n", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TOKCTL_TEST_X_KIND", tt.envKind)
			path := writeConfig(t, tt.file)
			c, err := Load(path, true)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Check(schema)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Line != tt.line || !strings.Contains(fe.Msg, tt.want) {
				t.Fatalf("Check = %v, want line %d and a message with %q", err, tt.line, tt.want)
			}
		})
	}
}
