package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/reference"
	"github.com/tokctl/tokctl/internal/tokens"
	"github.com/tokctl/tokctl/internal/tokens/render"
)

// statusReader reads what `tokctl status` shows; *tokens.Service is one.
type statusReader interface {
	Status(ctx context.Context) ([]tokens.StatusEntry, error)
}

// StatusOptions are the inputs of `tokctl status`.
type StatusOptions struct {
	IO     *iostreams.IOStreams
	Tokens statusReader
	Now    func() time.Time
	Output string
}

// NewCmdStatus builds `tokctl status`; runF replaces the work in tests.
func NewCmdStatus(f *Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which providers have a stored token",
		Long:  reference.Status,
		Example: `  tokctl status
  tokctl status --store file
  tokctl status -o json | jq '.[] | select(.state == "logged_in") | .provider'`,
		Args: cobra.NoArgs,
		RunE: runE(f, opts, runF, statusRun, func(args []string) error {
			if opts.Output != "text" && opts.Output != "json" {
				return usageErrorf("unknown output %q: use text or json", opts.Output)
			}
			opts.Tokens, opts.Now = f.Service(), f.now // bound at run time: building the tree stays free
			return nil
		}),
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	entries, err := opts.Tokens.Status(ctx)
	if err != nil {
		return err
	}
	return render.Status(opts.IO.Out, entries, opts.Output, opts.Now())
}
