// Package reference is the part of tokctl's reference that is not a
// command: the environment, the exit codes, the files. `tokctl help NAME`
// shows the first two, and the man pages (cmd/gendocs) carry all three as
// sections, from these same words.
package reference

import (
	"strings"

	"github.com/tokctl/tokctl/internal/tokens"
)

// Reference is one part of the reference: what `gh help environment` is to gh.
type Reference struct {
	// Topic is the help topic's name; empty for a man page section only.
	Topic string
	// Section is the man page section's title.
	Section string
	// Short is the topic's one line in `tokctl --help`.
	Short string
	// Intro and Outro are paragraphs around the entries.
	Intro, Outro string
	// Entries are the terms and what they mean.
	Entries []ReferenceEntry
}

// ReferenceEntry is one term of a Reference and its meaning.
type ReferenceEntry struct{ Term, Text string }

// All are the exit codes, the environment, the exit codes and the files, in man
// page order.
func All() []Reference {
	return []Reference{ExitCodes(), Environment(), files()}
}

// Environment is `tokctl help environment`: every variable tokctl reads.
func Environment() Reference {
	return Reference{
		Topic:   "environment",
		Section: "ENVIRONMENT",
		Short:   "Environment variables tokctl reads",
		Intro: "Flags win over the environment, and the environment wins over the config file. " +
			"An empty variable counts as unset.",
		Entries: []ReferenceEntry{
			{"TOKCTL_<NAME>_<KEY>", "The setting providers.NAME.KEY of the config file, for provider NAME: " +
				"NAME and KEY in upper case, each - in NAME written _. For example, for a provider my-idp: " +
				"TOKCTL_MY_IDP_CLIENT_ID, TOKCTL_MY_IDP_CLIENT_SECRET, TOKCTL_MY_IDP_SCOPES (scopes separated by commas " +
				"or spaces). A provider can live in the environment alone: TOKCTL_<NAME>_KIND=oauth2 plus its " +
				"other settings. KEY is any of " + strings.Join(tokens.SettingKeys(), ", ") + "."},
			{"TOKCTL_CONFIG", "The config file, instead of $XDG_CONFIG_HOME/tokctl/config.yaml (--config wins)."},
			{"TOKCTL_STORE", "Where tokens are kept: keyring, file or none (--store wins; it wins over store: in the config file)."},
			{"TOKCTL_REFRESH_AHEAD", "false turns refresh-ahead off: `token get` then never renews a token in the last " +
				"quarter of its life in the background (wins over refresh_ahead: in the config file; default true)."},
			{"TOKCTL_DEBUG", "When set, an internal error also prints its stack trace."},
			{"NO_COLOR", "When set, no colour (also with TERM=dumb, and whenever the output is not a terminal)."},
			{"BROWSER", "The browser `tokctl login` opens: commands separated by colons, the first used; %s in it stands for the URL."},
			{"SSH_CONNECTION, SSH_TTY, DISPLAY, WAYLAND_DISPLAY", "Without BROWSER, `tokctl login` opens no browser " +
				"over SSH, or on Linux without a display: it prints the URL instead."},
			{"HTTPS_PROXY, HTTP_PROXY, NO_PROXY", "The proxy for requests to providers, and the hosts reached without it."},
			{"XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME, HOME", "Where the config file, the file store and the " +
				"discovery cache are (see FILES in tokctl(1))."},
			{"DBUS_SESSION_BUS_ADDRESS", "On Linux, the session bus of the Secret Service that holds the keyring."},
			{"KUBERNETES_EXEC_INFO", "Set by kubectl for its exec credential plugins: `token get -o exec-credential` " +
				"answers in the ExecCredential version it names (client.authentication.k8s.io/v1 or v1beta1; v1 without it)."},
			{"ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN", "Set by GitHub Actions in a job with " +
				"`permissions: id-token: write`: `client_assertion: github-actions` fetches the job's ID token with them. " +
				"`client_assertion: env:VAR` reads the variable VAR."},
		},
	}
}

// ExitCodes is `tokctl help exit-codes`.
func ExitCodes() Reference {
	return Reference{
		Topic:   "exit-codes",
		Section: "EXIT STATUS",
		Short:   "What tokctl's exit codes mean",
		Intro:   "Every command ends with one of these codes; the message on stderr names the provider and says what to do next.",
		Entries: []ReferenceEntry{
			{"0", "Success."},
			{"1", "Any other error, e.g. the provider refused the request for another reason (invalid_scope)."},
			{"2", "Usage or configuration error: unknown flag, command or provider; missing argument; a missing or " +
				"invalid setting; an unknown key in the config file. Nothing was sent."},
			{"3", "Login required: nothing stored and no credentials, or the refresh token was rejected (invalid_grant)."},
			{"4", "The provider rejected the client credentials (401/403, invalid_client, unauthorized_client)."},
			{"5", "The provider is unreachable or failing: network error, timeout, 5xx or 429 after retries, unreadable response."},
			{"130, 143", "Stopped by Ctrl-C (SIGINT) or SIGTERM."},
			{"126, 127", "tokctl exec: CMD cannot be run (126) or is not found (127). Once CMD runs, tokctl exec " +
				"exits with CMD's own code (128+N when signal N killed it)."},
		},
	}
}

func files() Reference {
	return Reference{
		Section: "FILES",
		Entries: []ReferenceEntry{
			{"$XDG_CONFIG_HOME/tokctl/config.yaml", "The config file (else ~/.config/tokctl/config.yaml; --config or TOKCTL_CONFIG name another)."},
			{"$XDG_STATE_HOME/tokctl/", "The file store and the locks (else ~/.local/state/tokctl/): a directory 0700, files 0600, written atomically."},
			{"$XDG_CACHE_HOME/tokctl/discovery/", "Cached OpenID Connect discovery documents (else ~/.cache/tokctl/discovery/)."},
		},
		Outro: "The keyring store keeps its items under the service name tokctl.",
	}
}

// Text is the reference as plain text, for a terminal.
func (r Reference) Text() string {
	var b strings.Builder
	if r.Intro != "" {
		b.WriteString(wrap(r.Intro, 0) + "\n\n")
	}
	// Short terms (the exit codes) make a table; long ones head their text.
	width := 0
	for _, e := range r.Entries {
		width = max(width, len(e.Term))
	}
	for _, e := range r.Entries {
		if width <= 10 {
			text := wrap(e.Text, width+4)
			b.WriteString("  " + e.Term + strings.Repeat(" ", width+2-len(e.Term)) + text[width+4:] + "\n")
			continue
		}
		b.WriteString(e.Term + "\n" + wrap(e.Text, 4) + "\n\n")
	}
	if width <= 10 {
		b.WriteString("\n")
	}
	if r.Outro != "" {
		b.WriteString(wrap(r.Outro, 0) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// wrap fills text to 80 columns, each line indented by indent spaces.
func wrap(text string, indent int) string {
	var b strings.Builder
	pad := strings.Repeat(" ", indent)
	col := 0
	for _, w := range strings.Fields(text) {
		if col > indent && col+1+len(w) > 80 {
			b.WriteString("\n")
			col = 0
		}
		if col == 0 {
			b.WriteString(pad)
			col = indent
		} else {
			b.WriteString(" ")
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
