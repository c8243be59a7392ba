package tokens

import (
	"slices"
	"strings"

	"github.com/tokctl/tokctl/internal/provider"
)

// What the commands' help says about the provider kinds comes from the
// kinds themselves (each adapter's register call in internal/provider), so
// a kind that is added or removed is added to or removed from the help too.

// Kind is a provider kind as `tokctl providers` lists it.
type Kind struct {
	Name string
	// BuiltIn: a provider of the same name exists without configuration.
	BuiltIn bool
	// Summary is one line: the API and its flows.
	Summary string
}

// Kinds lists the provider kinds, sorted by name.
func Kinds() []Kind {
	var out []Kind
	for _, k := range provider.Kinds() {
		out = append(out, Kind{Name: k.Name, BuiltIn: k.BuiltIn, Summary: k.Summary})
	}
	return out
}

// BuiltInTitles names the APIs of the built-in kinds, for help text: "ILS,
// Tiki, Tilia, Tiltify".
func BuiltInTitles() string {
	var titles []string
	for _, k := range provider.Kinds() {
		if k.BuiltIn {
			titles = append(titles, k.Title)
		}
	}
	return strings.Join(titles, ", ")
}

// SettingKeys are the settings a provider entry may have (providers.NAME.KEY
// in the config file, TOKCTL_NAME_KEY in the environment), for `tokctl help
// environment`.
func SettingKeys() []string { return slices.Clone(provider.Keys) }

// LoginFlowsHelp is the part of `tokctl login --help` that says how a login
// goes for each kind: two paragraphs, the browser login's and the client
// credentials', each naming the kinds whose login it is by default.
func LoginFlowsHelp() string { return loginFlowsHelp(provider.Kinds()) }

// loginFlowsHelp is LoginFlowsHelp for the kinds ks.
func loginFlowsHelp(ks []provider.Kind) string {
	browser := loginKinds(ks, provider.LoginBrowser)
	cc := append(loginKinds(ks, provider.LoginClientCredentials), "or --client-credentials")
	return `For providers with a browser login (` + strings.Join(browser, ", ") + `) tokctl
listens on 127.0.0.1 (http://127.0.0.1:<random port>/callback, or the configured
redirect_uri), opens the authorization page in your browser ($BROWSER if set),
checks the state and PKCE, exchanges the code and stores the tokens; later
` + "`tokctl token get`" + ` refreshes them silently. With --no-browser (e.g. over SSH) the URL
is only printed: open it anywhere, and if the final page does not load, paste
its address back into the terminal.

For client-credentials providers (` + strings.Join(cc, ", ") + `) tokctl
asks for the client id and secret (hidden input), verifies them with one token
request, and stores them, so ` + "`tokctl token get`" + ` needs no environment variables.
A client secret is never a flag value: it comes from a prompt, from the
environment, or from stdin with --client-secret-stdin.`
}

// loginKinds names the kinds of ks whose login is flow by default, as the
// help names them: the built-in ones first, each group in the order of ks.
func loginKinds(ks []provider.Kind, flow string) []string {
	var builtIn, other []string
	for _, k := range ks {
		if k.Login != flow {
			continue
		}
		name := k.Name
		if k.LoginAs != "" {
			name = k.LoginAs
		}
		if k.BuiltIn {
			builtIn = append(builtIn, name)
		} else {
			other = append(other, name)
		}
	}
	return append(builtIn, other...)
}
