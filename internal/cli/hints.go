package cli

import (
	"fmt"
	"os"

	"github.com/tokctl/tokctl/internal/provider"
)

// The next step an error names matches where the failing setting came from:
// a secret stored by `tokctl login` → run it again; the config file → the
// file and key; the environment → the variable.

// storedCredentialsFix is the next step when the client id and secret that
// `tokctl login` stored are rejected.
func storedCredentialsFix(name string) string {
	return fmt.Sprintf("run `tokctl login %s --client-id ID` again to replace the client id and secret it stored", name)
}

// settingsCredentialsFix is the next step when the client id and secret
// from the environment or the config file are rejected: each named where it
// was set.
func settingsCredentialsFix(s provider.Settings) string {
	return "check " + settingSource(s, "client_id", s.ClientID) + " and " + settingSource(s, "client_secret", s.ClientSecret)
}

// settingSource names where setting key of s, whose value is value, came
// from: its environment variable when that is set (the environment wins),
// else the key in the config file, the only other source of Settings. An
// unset one is named by its variable, the way to set it.
func settingSource(s provider.Settings, key, value string) string {
	env := provider.EnvVar(s.Name, key)
	if value == "" || os.Getenv(env) != "" || s.ConfigFile == "" {
		return env
	}
	return fmt.Sprintf("`%s` under providers.%s in %s", key, s.Name, s.ConfigFile)
}
