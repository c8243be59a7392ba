package cli

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/reference"
)

// NewCmdKey builds `tokctl key`.
func NewCmdKey(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Show the key a client signs its assertions with",
		Example: `  tokctl key public svc                 # paste into the client's JWK field
  tokctl key public svc -o pem`,
		RunE: runGroup,
	}
	cmd.AddCommand(NewCmdKeyPublic(f, nil))
	return cmd
}

// publicKeyer prints a provider's public key; *tokens.Service is one.
type publicKeyer interface {
	PublicKey(ctx context.Context, name, format string) ([]byte, error)
}

// KeyPublicOptions are the inputs of `tokctl key public`.
type KeyPublicOptions struct {
	IO     *iostreams.IOStreams
	Tokens publicKeyer

	Provider string
	Output   string
}

var keyOutputs = []string{"jwk", "jwks", "pem"}

// NewCmdKeyPublic builds `tokctl key public`; runF replaces the work in tests.
func NewCmdKeyPublic(f *Factory, runF func(context.Context, *KeyPublicOptions) error) *cobra.Command {
	opts := &KeyPublicOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "public PROVIDER",
		Short: "Print the public key to register at the provider",
		Long:  reference.KeyPublic,
		Example: `  tokctl key public svc                 # paste into the client's JWK field
  tokctl key public svc -o jwks > jwks.json
  tokctl key public svc -o pem`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: runE(f, opts, runF, keyPublicRun, func(args []string) error {
			if !slices.Contains(keyOutputs, opts.Output) {
				return usageErrorf("unknown output %q: use one of %s", opts.Output, strings.Join(keyOutputs, ", "))
			}
			opts.Provider, opts.Tokens = args[0], f.Service()
			return nil
		}),
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "jwk", "output format: jwk, jwks or pem")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(keyOutputs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func keyPublicRun(ctx context.Context, opts *KeyPublicOptions) error {
	out, err := opts.Tokens.PublicKey(ctx, opts.Provider, opts.Output)
	if err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(out)
	return err
}
