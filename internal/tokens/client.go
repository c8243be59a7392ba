package tokens

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// StoredClient is the client id and secret (or private key, PKCS #8 PEM)
// `tokctl login` keeps.
type StoredClient struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	PrivateKey   string `json:"private_key,omitempty"`
}

// ReadStoredClient returns what `tokctl login` stored for provider name, or
// zero values (also when b is nil).
func ReadStoredClient(ctx context.Context, b Store, name string) StoredClient {
	var sc StoredClient
	if b == nil {
		return sc
	}
	if raw, err := b.Get(ctx, store.SecretKey(name)); err == nil {
		_ = json.Unmarshal(raw, &sc)
	}
	return sc
}

// WriteStoredClient keeps the client id and secret (or private key) for
// later commands.
func WriteStoredClient(ctx context.Context, b Store, name string, c provider.Credentials) error {
	raw, err := json.Marshal(StoredClient{ClientID: c.ID, ClientSecret: c.Secret, PrivateKey: string(c.PrivateKey)})
	if err != nil {
		return err
	}
	return b.Set(ctx, store.SecretKey(name), raw)
}

// ClientCredentials finds the client id and secret (or stored private
// key): settings (environment, config file) first, then the store b (which
// may be nil). A client that signs with a key or a CI token needs only its
// id here; the provider finds the key or token when it makes the assertion.
func ClientCredentials(ctx context.Context, p Provider, s provider.Settings, b Store) (provider.Credentials, error) {
	c := provider.Credentials{ID: s.ClientID, Secret: s.ClientSecret}
	if c.ID == "" || c.Secret == "" {
		if sc := ReadStoredClient(ctx, b, p.Name()); c.ID == "" || c.ID == sc.ClientID {
			c.ID, c.Secret = sc.ClientID, sc.ClientSecret
			if sc.PrivateKey != "" {
				c.PrivateKey = []byte(sc.PrivateKey)
			}
		}
	}
	if c.ID != "" && (c.Secret != "" || len(c.PrivateKey) > 0 || provider.UsesKey(p)) {
		if c.ID == s.ClientID && c.Secret == s.ClientSecret {
			c.Fix = SettingsCredentialsFix(s)
		} else {
			c.Fix = StoredCredentialsFix(p.Name())
		}
		return c, nil
	}
	if provider.UsesKey(p) {
		return c, &failure.LoginRequiredError{Provider: p.Name(), Reason: "no client id",
			Hint: fmt.Sprintf("set %s", provider.EnvVar(p.Name(), "client_id"))}
	}
	if c.ID != "" && provider.IsPublicClient(p) {
		return c, &failure.LoginRequiredError{
			Provider: p.Name(),
			Reason:   "no stored token, and a public client (no secret) has no client-credentials grant",
		}
	}
	missing := provider.EnvVar(p.Name(), "client_secret")
	if c.ID == "" {
		missing = provider.EnvVar(p.Name(), "client_id") + " and " + missing
	}
	hint := fmt.Sprintf("set %s (see `tokctl help environment`)", missing)
	if supports(p, provider.GrantAuthorizationCode) {
		hint = fmt.Sprintf("run `tokctl login %s`, or set %s", p.Name(), missing)
	}
	return c, &failure.LoginRequiredError{
		Provider: p.Name(),
		Reason:   "no stored token and no client credentials",
		Hint:     hint,
	}
}

// The next step an error names matches where the failing setting came from:
// a secret stored by `tokctl login` → run it again; the config file → the
// file and key; the environment → the variable.

// StoredCredentialsFix is the next step when the client id and secret that
// `tokctl login` stored are rejected.
func StoredCredentialsFix(name string) string {
	return fmt.Sprintf("run `tokctl login %s --client-id ID` again to replace the client id and secret it stored", name)
}

// SettingsCredentialsFix is the next step when the client id and secret
// from the environment or the config file are rejected: each named where it
// was set.
func SettingsCredentialsFix(s provider.Settings) string {
	return "check " + SettingSource(s, "client_id", s.ClientID) + " and " + SettingSource(s, "client_secret", s.ClientSecret)
}

// SettingSource names where setting key of s, whose value is value, came
// from: its environment variable when that is set (the environment wins),
// else the key in the config file, the only other source of Settings. An
// unset one is named by its variable, the way to set it.
func SettingSource(s provider.Settings, key, value string) string {
	env := provider.EnvVar(s.Name, key)
	if value == "" || os.Getenv(env) != "" || s.ConfigFile == "" {
		return env
	}
	return fmt.Sprintf("`%s` under providers.%s in %s", key, s.Name, s.ConfigFile)
}
