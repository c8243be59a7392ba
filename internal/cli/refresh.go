package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// RefreshOptions are the inputs of `tokctl refresh`.
type RefreshOptions struct {
	f        *Factory
	Provider string
	Scopes   []string
}

// NewCmdRefresh builds `tokctl refresh`.
func NewCmdRefresh(f *Factory) *cobra.Command {
	opts := &RefreshOptions{f: f}
	cmd := &cobra.Command{
		Use:   "refresh PROVIDER",
		Short: "Get a new token now and store it",
		Long: `Get a new token for PROVIDER now, whatever the stored one's expiry: with the
stored refresh token when there is one (the provider may rotate it; the new one
is stored before tokctl exits), else with the client credentials. Prints a
one-line summary to stderr and nothing to stdout.`,
		Example: `  tokctl refresh tiki
  tokctl refresh tilia --scope user_info && tokctl token get tilia --scope user_info`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			return refreshRun(ctx, opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Scopes, "scope", nil, "scope of the token to renew (repeatable; replaces the configured scopes)")
	return cmd
}

func refreshRun(ctx context.Context, opts *RefreshOptions) error {
	f := opts.f
	ctx, stop := f.Interruptible(ctx, opts.Provider)
	defer stop()
	r, err := newTokenRequest(f, opts.Provider, withScopes(opts.Scopes))
	if err != nil {
		return err
	}
	name := r.Provider().Name()
	b, err := f.KeepingStore(name, "refresh", fmt.Sprintf("use `tokctl token get %s --no-cache`", name))
	if err != nil {
		return err
	}
	rec, refreshed, err := f.Tokens().Refresh(ctx, r, b)
	if err != nil {
		return err
	}
	how := "new token"
	if refreshed {
		how = "refreshed"
	}
	f.infof("%s: %s, stored in the %s store%s", r.Provider().Name(), how, b.Name(), expiryNote(f, rec))
	return nil
}
