package cli

import (
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/tokens"
)

// What login and refresh still use; it goes once they moved onto
// tokens.Service.

// tokenRequest is a request for a token (see tokens.Request).
type tokenRequest = tokens.Request[provider.Provider]

// newTokenRequest resolves provider name's settings, lets the command apply
// its flags (edit may be nil) and checks the result, all before any I/O.
func newTokenRequest(f *Factory, name string, edit func(*provider.Settings)) (*tokenRequest, error) {
	s, err := f.Settings(name)
	if err != nil {
		return nil, err
	}
	if edit != nil {
		edit(&s)
	}
	return tokens.NewRequest[provider.Provider](s, f)
}

// withScopes edits the settings with the --scope flags, if any.
func withScopes(flags []string) func(*provider.Settings) {
	return func(s *provider.Settings) {
		if len(flags) > 0 {
			s.Scopes = tokens.SplitScopeFlags(flags)
		}
	}
}

// splitScopeFlags accepts --scope a --scope b as well as --scope "a b" or "a,b".
func splitScopeFlags(flags []string) []string { return tokens.SplitScopeFlags(flags) }
