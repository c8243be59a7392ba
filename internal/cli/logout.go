package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
	"github.com/tokctl/tokctl/internal/tokens"
)

// LogoutOptions are the inputs of `tokctl logout`.
type LogoutOptions struct {
	f        *Factory
	Provider string
	All      bool
}

// NewCmdLogout builds `tokctl logout`.
func NewCmdLogout(f *Factory) *cobra.Command {
	opts := &LogoutOptions{f: f}
	cmd := &cobra.Command{
		Use:   "logout PROVIDER",
		Short: "Revoke and remove the stored token of a provider",
		Long: `Remove the stored tokens of PROVIDER (one per scope set). When the provider
has a revocation endpoint (RFC 7009; from its discovery document or
revocation_url), tokctl first asks it to revoke each refresh token (else the
access token) — only when the token came from the token endpoint configured
now: after a change of endpoint it warns and sends nothing. A failed revocation
is a warning and the local token is removed anyway. With --all, also remove the
client id and secret (or private key) and the scopes that ` + "`tokctl login`" + ` stored.`,
		Example: `  tokctl logout tilia
  tokctl logout tiltify --all`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			return logoutRun(ctx, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "also remove the stored client secret or private key")
	return cmd
}

func logoutRun(ctx context.Context, opts *LogoutOptions) error {
	f := opts.f
	name := opts.Provider
	ctx, stop := f.Interruptible(ctx, name)
	defer stop()
	s, err := f.Settings(name)
	if err != nil {
		return err
	}
	b, err := f.Store()
	if err != nil {
		return err
	}
	removed, err := f.Tokens().Forget(ctx, b, name, opts.All, func(rec *store.Record) { revoke(ctx, f, s, b, rec) })
	if err != nil {
		return err
	}
	what := "removed the stored token"
	switch {
	case removed == 0:
		what = "no stored token"
	case removed > 1:
		what = fmt.Sprintf("removed %d stored tokens", removed)
	}
	if opts.All {
		what += " and any stored client secret"
	}
	f.infof("%s: %s (%s store)", name, what, b.Name())
	return nil
}

// revoke asks the provider to revoke the stored refresh token, else the
// access token (RFC 7009), when it has a revocation endpoint — and only
// when the token came from the endpoint configured now: after a change of
// configuration, the token and the client secret are not sent to another
// deployment. A failure is a warning: logout removes the local record
// whatever the provider says.
func revoke(ctx context.Context, f *Factory, s provider.Settings, b store.Backend, rec *store.Record) {
	p, err := provider.New(s, f.HTTP())
	if err != nil || p.Check() != nil && !tokens.OnlyScopesMissing[provider.Provider](s, f) || p.Endpoints().Issuer == "" && s.RevocationURL == "" {
		return
	}
	if rec.Endpoint != p.RecordEndpoint() {
		f.warnf("%s: not revoking a token issued by %s at the provider configured now (%s); removing it here anyway",
			p.Name(), withoutUserinfo(rec.Endpoint), withoutUserinfo(p.RecordEndpoint()))
		return
	}
	token, hint := rec.RefreshToken, "refresh_token"
	if token == "" {
		token, hint = rec.AccessToken, "access_token"
	}
	creds := provider.Credentials{ID: rec.ClientID}
	if c, err := tokens.ClientCredentials(ctx, p, s, b); err == nil && c.ID == rec.ClientID {
		creds.Secret = c.Secret
	}
	switch err := p.Revoke(ctx, creds, token, hint); {
	case err == nil:
		f.infof("%s: the provider revoked the %s", p.Name(), strings.ReplaceAll(hint, "_", " "))
	case errors.Is(err, provider.ErrNoRevocation):
	default:
		f.warnf("%s: could not revoke the token at the provider (%v); removing it here anyway", p.Name(), err)
	}
}

// withoutUserinfo is rawURL without user name or password.
func withoutUserinfo(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "an unreadable URL"
	}
	u.User = nil
	return u.String()
}
