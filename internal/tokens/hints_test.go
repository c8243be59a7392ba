package tokens

import (
	"testing"

	"github.com/tokctl/tokctl/internal/provider"
)

func TestSettingSource(t *testing.T) {
	t.Setenv("TOKCTL_MY_IDP_CLIENT_ID", "")
	t.Setenv("TOKCTL_MY_IDP_CLIENT_SECRET", "from-env")
	s := provider.Settings{Name: "my-idp", ConfigFile: "/etc/tokctl.yaml", ClientID: "abc", ClientSecret: "from-env"}
	tests := []struct {
		name, key, value, want string
	}{
		{"the environment wins", "client_secret", "from-env", "TOKCTL_MY_IDP_CLIENT_SECRET"},
		{"else the config file", "client_id", "abc", "`client_id` under providers.my-idp in /etc/tokctl.yaml"},
		{"unset: the variable that sets it", "token_url", "", "TOKCTL_MY_IDP_TOKEN_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SettingSource(s, tt.key, tt.value); got != tt.want {
				t.Errorf("SettingSource(%s) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
	if got, want := SettingsCredentialsFix(s), "check `client_id` under providers.my-idp in /etc/tokctl.yaml and TOKCTL_MY_IDP_CLIENT_SECRET"; got != want {
		t.Errorf("SettingsCredentialsFix = %q, want %q", got, want)
	}
}
