package cli

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
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
		Long: `Print the public half of PROVIDER's private key (the private_key file, else the
key stored by ` + "`tokctl login PROVIDER --private-key-stdin`" + `), so that you can
register it with the client at the provider: as a JWK (default; its kid is the
private_key_id setting or the key's RFC 7638 thumbprint, the kid tokctl puts in
every assertion, and its alg the one tokctl signs with), as a JWK Set (-o jwks,
what a JWKS upload or URL takes), or as a PEM public key (-o pem).
The private key itself is never printed.`,
		Example: `  tokctl key public svc                 # paste into the client's JWK field
  tokctl key public svc -o jwks > jwks.json
  tokctl key public svc -o pem`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: runOnProvider(f, opts, &opts.Provider, func(sv *tokens.Service) { opts.Tokens = sv }, func() error {
			if !slices.Contains(keyOutputs, opts.Output) {
				return usageErrorf("unknown output %q: use one of %s", opts.Output, strings.Join(keyOutputs, ", "))
			}
			return nil
		}, runF, keyPublicRun),
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
