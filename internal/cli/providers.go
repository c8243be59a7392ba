package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/reference"
	"github.com/tokctl/tokctl/internal/tokens"
	"github.com/tokctl/tokctl/internal/tokens/render"
)

// providersDescriber describes the providers; *tokens.Service is one.
type providersDescriber interface {
	Describe(ctx context.Context) (tokens.ProvidersReport, error)
}

// ProvidersOptions are the inputs of `tokctl providers`.
type ProvidersOptions struct {
	IO      *iostreams.IOStreams
	Tokens  providersDescriber
	Verbose bool
	Output  string
}

// NewCmdProviders builds `tokctl providers`; runF replaces the work in tests.
func NewCmdProviders(f *Factory, runF func(context.Context, *ProvidersOptions) error) *cobra.Command {
	opts := &ProvidersOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "List built-in and configured providers",
		Long:  reference.Providers,
		Example: `  tokctl providers
  TOKCTL_TILIA_ENV=staging tokctl providers
  tokctl providers -o json`,
		Args: cobra.NoArgs,
		RunE: runE(f, opts, runF, providersRun, func(args []string) error {
			if opts.Output != "text" && opts.Output != "json" {
				return usageErrorf("unknown output %q: use one of text, json", opts.Output)
			}
			opts.Tokens, opts.Verbose = f.Service(), f.Verbose
			return nil
		}),
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func providersRun(ctx context.Context, opts *ProvidersOptions) error {
	rep, err := opts.Tokens.Describe(ctx)
	if err != nil {
		return err
	}
	if err := render.Providers(opts.IO.Out, rep, opts.Output); err != nil || opts.Output == "json" {
		return err
	}
	file := "the config file"
	if rep.ConfigFile != "" {
		file = rep.ConfigFile
	}
	fmt.Fprintf(opts.IO.ErrOut, "tokctl: to add any other OAuth2 or OpenID Connect server, name it under `providers:` in %s with `kind: oauth2` and its `issuer` (or `token_url`); see `tokctl providers --help`\n", file)
	if opts.Verbose {
		for _, k := range rep.Kinds {
			fmt.Fprintf(opts.IO.ErrOut, "kind %s: %s\n", k.Name, k.Summary)
		}
	}
	return nil
}
