package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const sample = `store: file
providers:
  tilia-staging:
    kind: tilia
    client_id: 3f2bfe5b-19b8-41c1-88d7-70a1586bce94
    token_url: https://auth.staging.tilia-inc.com/token
    scopes: [write_registrations, user_info]
  my-idp:
    kind: oauth2
    token_url: https://idp.example.com/oauth/token
    client_id: abc
    redirect_uri: http://127.0.0.1:8765/callback
  keycloak:
    kind: oauth2
    issuer: http://localhost:8080/realms/dev
    client_id: tokctl
    scopes:
      - openid
      - offline_access
  tiki:
    url: https://wiki.example.org
    scopes: "read write"
`

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// clearEnv unsets what a developer's shell may have set.
func clearEnv(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		t.Setenv(n, "")
		os.Unsetenv(n)
	}
}

func load(t *testing.T, body string) *Config {
	t.Helper()
	c, err := Load(writeConfig(t, body), true)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		path     string
		explicit bool
		wantErr  string // empty: success
	}{
		{"file with providers", writeConfig(t, sample), true, ""},
		{"empty file", writeConfig(t, ""), true, ""},
		{"missing file, default path", filepath.Join(dir, "nope", "config.yaml"), false, ""},
		{"missing file, named by the user", filepath.Join(dir, "nope", "config.yaml"), true, "nope/config.yaml does not exist"},
		{"broken yaml", writeConfig(t, "providers:\n  tilia:\n    kind: [tilia\n"), true, "line 3: invalid YAML: did not find expected ',' or ']'"},
		{"broken yaml on the default path", writeConfig(t, "providers: {\n"), false, "line 1: invalid YAML"},
		{"tab indentation", writeConfig(t, "providers:\n\ttilia:\n"), true, "line 2: invalid YAML: found character that cannot start any token"},
		{"indentation on line 4 of a nested block", writeConfig(t, "providers:\n  tilia:\n    client_id: abc\n   scopes: x\n"), true, "line 4: invalid YAML: did not find expected key"},
		{"mistake after a multi-line flow list", writeConfig(t, "providers:\n  tilia:\n    scopes: [a,\n      b]\n    x: : y\n"), true, "line 5: invalid YAML: mapping values are not allowed"},
		{"duplicate key", writeConfig(t, "providers:\n  tilia:\n    client_id: a\n    client_id: b\n"), true, "line 4: mapping key \"client_id\" already defined at line 3"},
		{"a list, not a mapping", writeConfig(t, "- a\n- b\n"), true, "line 1: the file must be a mapping of settings"},
		{"a directory", dir, false, dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.path, tt.explicit)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if c.File() != tt.path {
					t.Errorf("File() = %q, want %q", c.File(), tt.path)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q should name the file and contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestMissingFileIsEmpty(t *testing.T) {
	clearEnv(t, "TOKCTL_STORE", "TOKCTL_TILIA_CLIENT_ID")
	c, err := Load(filepath.Join(t.TempDir(), "config.yaml"), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Store() != "" || slices.Contains(c.ProviderNames(), "tilia") {
		t.Errorf("empty config has store %q, providers %q", c.Store(), c.ProviderNames())
	}
	if v, found := c.Lookup("tilia", "client_id", "TOKCTL_TILIA_CLIENT_ID"); found || v != "" {
		t.Errorf("Lookup = %q, %v; want unset", v, found)
	}
}

// Without a file (CI) everything comes from the environment, and viper is
// not set up at all.
func TestMissingFileReadsTheEnvironment(t *testing.T) {
	clearEnv(t, "TOKCTL_STORE", "TOKCTL_TILIA_CLIENT_ID", "TOKCTL_TILIA_SCOPES", "TOKCTL_ILS_CLIENT_ID", "TOKCTL_CORP_KIND")
	t.Setenv("TOKCTL_STORE", "file")
	t.Setenv("TOKCTL_TILIA_CLIENT_ID", "from-env")
	t.Setenv("TOKCTL_TILIA_SCOPES", "a,b")
	t.Setenv("TOKCTL_ILS_CLIENT_ID", "")
	t.Setenv("TOKCTL_CORP_KIND", "oauth2")
	c, err := Load(filepath.Join(t.TempDir(), "config.yaml"), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.v != nil {
		t.Error("viper was set up without a config file")
	}
	if got := c.Store(); got != "file" {
		t.Errorf("Store() = %q, want file", got)
	}
	for _, tt := range []struct {
		provider, key, env, want string
		found                    bool
	}{
		{"tilia", "client_id", "TOKCTL_TILIA_CLIENT_ID", "from-env", true},
		{"tilia", "scopes", "TOKCTL_TILIA_SCOPES", "a,b", true},
		{"ils", "client_id", "TOKCTL_ILS_CLIENT_ID", "", false},
	} {
		if got, found := c.Lookup(tt.provider, tt.key, tt.env); got != tt.want || found != tt.found {
			t.Errorf("Lookup(%s, %s) = %q, %v; want %q, %v", tt.provider, tt.key, got, found, tt.want, tt.found)
		}
	}
	if got := c.ProviderNames(); len(got) != 1 || got[0] != "corp" {
		t.Errorf("ProviderNames() = %q, want [corp]", got)
	}
}

func TestLookup(t *testing.T) {
	c := load(t, sample)
	tests := []struct {
		name, provider, key string
		env                 map[string]string
		want                string
		found               bool
	}{
		{"from the file", "my-idp", "client_id", nil, "abc", true},
		{"env beats file", "my-idp", "client_id", map[string]string{"TOKCTL_MY_IDP_CLIENT_ID": "from-env"}, "from-env", true},
		{"env only", "tilia", "client_secret", map[string]string{"TOKCTL_TILIA_CLIENT_SECRET": "s3cret"}, "s3cret", true},
		{"empty env does not hide the file", "my-idp", "client_id", map[string]string{"TOKCTL_MY_IDP_CLIENT_ID": ""}, "abc", true},
		{"flow list becomes comma-joined", "tilia-staging", "scopes", nil, "write_registrations,user_info", true},
		{"block list becomes comma-joined", "keycloak", "scopes", nil, "openid,offline_access", true},
		{"string scopes kept as written", "tiki", "scopes", nil, "read write", true},
		{"env scopes beat the file list", "tilia-staging", "scopes", map[string]string{"TOKCTL_TILIA_STAGING_SCOPES": "user_info"}, "user_info", true},
		{"url", "tiki", "url", nil, "https://wiki.example.org", true},
		{"unset key", "my-idp", "client_secret", nil, "", false},
		{"unset provider", "ils", "client_id", nil, "", false},
		{"other provider's env ignored", "ils", "client_id", map[string]string{"TOKCTL_TILIA_CLIENT_ID": "x"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			envVar := "TOKCTL_" + strings.ToUpper(strings.ReplaceAll(tt.provider, "-", "_")) + "_" + strings.ToUpper(tt.key)
			clearEnv(t, envVar)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, found := c.Lookup(tt.provider, tt.key, envVar)
			if got != tt.want || found != tt.found {
				t.Errorf("Lookup(%q, %q) = %q, %v; want %q, %v", tt.provider, tt.key, got, found, tt.want, tt.found)
			}
		})
	}
}

func TestStore(t *testing.T) {
	tests := []struct {
		name, file, env, want string
	}{
		{"from the file", "store: file\n", "", "file"},
		{"env beats the file", "store: file\n", "none", "none"},
		{"env only", "", "keyring", "keyring"},
		{"neither", "providers: {}\n", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t, "TOKCTL_STORE")
			if tt.env != "" {
				t.Setenv("TOKCTL_STORE", tt.env)
			}
			if got := load(t, tt.file).Store(); got != tt.want {
				t.Errorf("Store() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProviderNames(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		want    []string
		wantNot []string
	}{
		{"from the file", sample, nil, []string{"keycloak", "my-idp", "tiki", "tilia-staging"}, nil},
		{"from a KIND variable", "", map[string]string{"TOKCTL_WORKIDP_KIND": "oauth2"}, []string{"workidp"}, nil},
		{"both, sorted", sample, map[string]string{"TOKCTL_AAA_KIND": "tilia"}, []string{"aaa", "keycloak", "my-idp", "tiki", "tilia-staging"}, nil},
		{"empty KIND variable ignored", "", map[string]string{"TOKCTL_GHOST_KIND": ""}, nil, []string{"ghost"}},
		{"other variables ignored", "", map[string]string{"TOKCTL_STORE": "file", "TOKCTL_OTHER_CLIENT_ID": "x", "XTOKCTL_Y_KIND": "z"}, nil,
			[]string{"store", "other", "other_client_id", "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got := load(t, tt.file).ProviderNames()
			if !slices.IsSorted(got) {
				t.Errorf("ProviderNames() = %q, not sorted", got)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("ProviderNames() = %q, lacks %q", got, w)
				}
			}
			for _, w := range tt.wantNot {
				if slices.Contains(got, w) {
					t.Errorf("ProviderNames() = %q, has %q", got, w)
				}
			}
			if tt.env == nil && tt.file == sample {
				// Only the environment may add names beyond the file's.
				for _, n := range got {
					if !slices.Contains(tt.want, n) && os.Getenv("TOKCTL_"+strings.ToUpper(n)+"_KIND") == "" {
						t.Errorf("ProviderNames() has unexpected %q", n)
					}
				}
			}
		})
	}
}

func TestPath(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		name string
		flag string
		env  map[string]string
		want string
	}{
		{"flag wins", "/etc/tokctl.yaml", map[string]string{"TOKCTL_CONFIG": "/env.yaml", "XDG_CONFIG_HOME": "/xdg"}, "/etc/tokctl.yaml"},
		{"TOKCTL_CONFIG", "", map[string]string{"TOKCTL_CONFIG": "/env.yaml", "XDG_CONFIG_HOME": "/xdg"}, "/env.yaml"},
		{"XDG_CONFIG_HOME", "", map[string]string{"XDG_CONFIG_HOME": "/xdg"}, filepath.Join("/xdg", "tokctl", "config.yaml")},
		{"HOME fallback", "", map[string]string{"HOME": home}, filepath.Join(home, ".config", "tokctl", "config.yaml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t, "TOKCTL_CONFIG", "XDG_CONFIG_HOME")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := Path(tt.flag)
			if err != nil || got != tt.want {
				t.Errorf("Path(%q) = %q, %v; want %q", tt.flag, got, err, tt.want)
			}
		})
	}
	t.Run("no home", func(t *testing.T) {
		clearEnv(t, "TOKCTL_CONFIG", "XDG_CONFIG_HOME", "HOME")
		if _, err := Path(""); err == nil {
			t.Error("Path with no HOME succeeded, want an error")
		}
	})
}
