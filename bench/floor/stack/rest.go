//go:build ladder_rest

package stack

import (
	"os"

	"github.com/fatih/color"
	"github.com/pkg/browser"
	"golang.org/x/oauth2"
	"golang.org/x/term"
)

// The small rest: colours, the browser opener, PKCE helpers, hidden input.
func init() {
	if never {
		_ = browser.OpenURL(os.Args[2])
		_ = oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
		_, _ = term.ReadPassword(0)
		color.New(color.FgRed).Fprintln(os.Stderr, "x")
	}
}
