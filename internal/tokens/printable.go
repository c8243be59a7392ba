package tokens

import (
	"fmt"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
)

// CheckPrintable reports why t must not be printed as output (a format of
// `tokctl token get -o`), nil when it may be. What is printed was checked
// when it arrived (oauth.CheckToken) and when it was read back
// (CheckRecord); this last check keeps that true for every path: a token is
// one printable word, a header one line. -o id-token needs an ID token, and
// an ID token that tokctl could not verify is never printed.
func CheckPrintable(t *Token, output string) error {
	if oauth.CheckTokenChars("access_token", t.AccessToken) != nil || oauth.CheckTokenType(t.TokenType) != nil ||
		(output == "id-token" || output == "exec-credential") && oauth.CheckTokenChars("id_token", t.IDToken) != nil {
		return fmt.Errorf("%s: the token holds characters that are not printable ASCII, so it is not printed; run `tokctl logout %s` and get a new one", t.Provider, t.Provider)
	}
	switch {
	case output == "id-token" && t.IDToken == "":
		return &failure.LoginRequiredError{Provider: t.Provider, Reason: "the stored token came without an ID token",
			Hint: fmt.Sprintf("log in with the openid scope: `tokctl login %s --scope openid`", t.Provider)}
	case (output == "id-token" || output == "exec-credential") && t.IDToken != "" && t.IDTokenUnverified:
		return fmt.Errorf("%s: the stored ID token is not verified, so tokctl will not print it: the provider has no `issuer` configured (%s), "+
			"and the ID token's own issuer does not vouch for this token endpoint; set `issuer` and run `tokctl login %s`",
			t.Provider, provider.EnvVar(t.Provider, "issuer"), t.Provider)
	}
	return nil
}

// IDTokenExpiry is the exp of t's ID token, or the zero time when it has
// none that can be read.
func (t *Token) IDTokenExpiry() time.Time {
	return idTokenExpiry(t.IDToken)
}

// idTokenExpiry is an ID token's exp, or the zero time when it has none
// that can be read.
func idTokenExpiry(raw string) time.Time {
	t, err := jwt.Parse(raw)
	if err != nil {
		return time.Time{}
	}
	return t.Times().Expires
}
