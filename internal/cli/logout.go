package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/reference"
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
		Long:  reference.Logout,
		Example: `  tokctl logout tilia
  tokctl logout tiltify --all`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: runE(f, opts, runF, logoutRun, func(args []string) error {
			opts.Provider, opts.Tokens, opts.Interruptible = args[0], f.Service(), f.Interruptible
			return nil
		}),
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
