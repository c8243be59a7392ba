package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/store"
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
		Short: "Remove the stored token of a provider",
		Long: `Remove the stored token of PROVIDER. With --all, also remove the client id and
secret that ` + "`tokctl login`" + ` stored.`,
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
	cmd.Flags().BoolVar(&opts.All, "all", false, "also remove the stored client secret")
	return cmd
}

func logoutRun(ctx context.Context, opts *LogoutOptions) error {
	f := opts.f
	if _, err := f.Settings(opts.Provider); err != nil {
		return err
	}
	b, err := f.Store()
	if err != nil {
		return err
	}
	_, getErr := b.Get(ctx, store.TokenKey(opts.Provider))
	if err := b.Delete(ctx, store.TokenKey(opts.Provider)); err != nil {
		return err
	}
	what := "removed the stored token"
	if errors.Is(getErr, store.ErrNotFound) {
		what = "no stored token"
	}
	if opts.All {
		if err := b.Delete(ctx, store.SecretKey(opts.Provider)); err != nil {
			return err
		}
		what += " and any stored client secret"
	}
	f.infof("%s: %s (%s store)", opts.Provider, what, b.Name())
	return nil
}
