package tokens

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokctl/tokctl/internal/provider"
)

// The login help names each kind in the paragraph of its default login, and
// a kind that is gone (its adapter file deleted) is named nowhere.
func TestLoginFlowsHelp(t *testing.T) {
	help := LoginFlowsHelp()
	for _, want := range []string{
		"For providers with a browser login (tiki, tiltify, oauth2 with auth_url) tokctl\n",
		"For client-credentials providers (ils, tilia, or --client-credentials) tokctl\n",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	for _, gone := range provider.Kinds() {
		ks := slices.DeleteFunc(provider.Kinds(), func(k provider.Kind) bool { return k.Name == gone.Name })
		name := gone.Name
		if gone.LoginAs != "" {
			name = gone.LoginAs
		}
		if h := loginFlowsHelp(ks); regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(h) {
			t.Errorf("without kind %s, the help still names it:\n%s", gone.Name, h)
		}
	}
}

// SettingKeys are the registered kinds' keys, and a copy.
func TestSettingKeys(t *testing.T) {
	keys := SettingKeys()
	for _, k := range provider.Kinds() {
		for _, key := range provider.KindKeys(k.Name) {
			if !slices.Contains(keys, key) {
				t.Errorf("key %s of kind %s is missing", key, k.Name)
			}
		}
	}
	keys[0] = "changed"
	if SettingKeys()[0] == "changed" {
		t.Error("SettingKeys returns the registry's own slice")
	}
	if got := len(Kinds()); got != len(provider.Kinds()) || got == 0 {
		t.Errorf("Kinds() has %d kinds", got)
	}
}

// The root help names every built-in kind by its title, and only those.
func TestBuiltInTitles(t *testing.T) {
	got := BuiltInTitles()
	if got != "ILS, Tiki, Tilia, Tiltify" {
		t.Errorf("BuiltInTitles() = %q", got)
	}
	for _, k := range provider.Kinds() {
		if k.BuiltIn && k.Title == "" {
			t.Errorf("built-in kind %s has no Title for the help", k.Name)
		}
		if !k.BuiltIn && k.Title != "" && strings.Contains(got, k.Title) {
			t.Errorf("configured-only kind %s is named among the built-in ones", k.Name)
		}
	}
}
