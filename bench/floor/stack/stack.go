// Package stack links tokctl's libraries into a floor program, without any
// of tokctl's own code: a floor built with -tags stack (its stack.go imports
// this package) plus some of the tags below is the floor with those
// libraries added, each used the way tokctl uses it on its fast paths, or
// only linked where tokctl's fast paths do not call it.
//
//	ladder_cobra    cobra and pflag, a `token get` command tree executed
//	ladder_viper    viper and its dependencies, linked, not set up
//	ladder_keyring  go-keyring and godbus, linked, not called
//	ladder_server   net/http's server (the login's loopback listener), linked
//	ladder_rest     fatih/color, pkg/browser, x/oauth2, x/term, linked
//
// With every tag, a floor becomes its stack floor: what any program built on
// tokctl's libraries pays to do the floor's work, before its own code adds
// anything. Readnet built with the tags one at a time is the ladder of
// `make bench`. The uses run in init functions, before the floor's main.
package stack

import (
	"net/http"
	"os"
)

// never is false at run time, and the compiler cannot know it: code behind
// it is linked but does not run.
var never = len(os.Args) > 99

// net/http's client is linked into every stack floor, as into tokctl: the
// keyring floor alone does not link it.
func init() {
	if never {
		_, _ = http.Get(os.Args[1])
	}
}
