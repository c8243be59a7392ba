package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/reference"
	"github.com/tokctl/tokctl/internal/tokens"
)

// refresher renews a token now; *tokens.Service is one.
type refresher interface {
	Refresh(ctx context.Context, name string, scopes []string) (*tokens.RefreshResult, error)
}

// RefreshOptions are the inputs of `tokctl refresh`.
type RefreshOptions struct {
	IO            *iostreams.IOStreams
	Tokens        refresher
	Now           func() time.Time
	Interruptible func(context.Context, string) (context.Context, context.CancelFunc)

	Provider string
	Scopes   []string
}

// NewCmdRefresh builds `tokctl refresh`; runF replaces the work in tests.
func NewCmdRefresh(f *Factory, runF func(context.Context, *RefreshOptions) error) *cobra.Command {
	opts := &RefreshOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "refresh PROVIDER",
		Short: "Get a new token now and store it",
		Long:  reference.Refresh,
		Example: `  tokctl refresh tiki
  tokctl refresh tilia --scope user_info && tokctl token get tilia --scope user_info`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: runE(f, opts, runF, refreshRun, func(args []string) error {
			opts.Provider, opts.Tokens, opts.Now, opts.Interruptible = args[0], f.Service(), f.now, f.Interruptible
			return nil
		}),
	}
	cmd.Flags().StringArrayVar(&opts.Scopes, "scope", nil, "scope of the token to renew (repeatable; replaces the configured scopes)")
	return cmd
}

func refreshRun(ctx context.Context, opts *RefreshOptions) error {
	ctx, stop := opts.Interruptible(ctx, opts.Provider)
	defer stop()
	res, err := opts.Tokens.Refresh(ctx, opts.Provider, opts.Scopes)
	if err != nil {
		return err
	}
	how := "new token"
	if res.Refreshed {
		how = "refreshed"
	}
	fmt.Fprintf(opts.IO.ErrOut, "tokctl: %s: %s, stored in the %s store%s\n", res.Provider, how, res.Store, expiryNote(opts.Now(), res.Token))
	return nil
}
