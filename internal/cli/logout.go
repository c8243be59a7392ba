package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
)

// loggerOut logs out; *tokens.Service is one.
type loggerOut interface {
	Logout(ctx context.Context, name string, all bool) (*tokens.LogoutResult, error)
}

// LogoutOptions are the inputs of `tokctl logout`.
type LogoutOptions struct {
	IO            *iostreams.IOStreams
	Tokens        loggerOut
	Interruptible func(context.Context, string) (context.Context, context.CancelFunc)

	Provider string
	All      bool
}

// NewCmdLogout builds `tokctl logout`; runF replaces the work in tests.
func NewCmdLogout(f *Factory, runF func(context.Context, *LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{IO: f.IO}
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
		RunE:              runOnProvider(f, opts, &opts.Provider, func(sv *tokens.Service) { opts.Tokens, opts.Interruptible = sv, f.Interruptible }, nil, runF, logoutRun),
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "also remove the stored client secret or private key")
	return cmd
}

func logoutRun(ctx context.Context, opts *LogoutOptions) error {
	ctx, stop := opts.Interruptible(ctx, opts.Provider)
	defer stop()
	res, err := opts.Tokens.Logout(ctx, opts.Provider, opts.All)
	if err != nil {
		return err
	}
	what := "removed the stored token"
	switch {
	case res.Removed == 0:
		what = "no stored token"
	case res.Removed > 1:
		what = fmt.Sprintf("removed %d stored tokens", res.Removed)
	}
	if opts.All {
		what += " and any stored client secret"
	}
	fmt.Fprintf(opts.IO.ErrOut, "tokctl: %s: %s (%s store)\n", res.Provider, what, res.Store)
	return nil
}
