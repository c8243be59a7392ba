package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/assertion"
	"github.com/tokctl/tokctl/internal/provider"
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

// KeyPublicOptions are the inputs of `tokctl key public`.
type KeyPublicOptions struct {
	f        *Factory
	Provider string
	Output   string
}

var keyOutputs = []string{"jwk", "jwks", "pem"}

// NewCmdKeyPublic builds `tokctl key public`; runF replaces the work in tests.
func NewCmdKeyPublic(f *Factory, runF func(context.Context, *KeyPublicOptions) error) *cobra.Command {
	opts := &KeyPublicOptions{f: f}
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
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			if !slices.Contains(keyOutputs, opts.Output) {
				return usageErrorf("unknown output %q: use one of %s", opts.Output, strings.Join(keyOutputs, ", "))
			}
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			if runF != nil {
				return runF(ctx, opts)
			}
			return keyPublicRun(ctx, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "jwk", "output format: jwk, jwks or pem")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(keyOutputs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func keyPublicRun(ctx context.Context, opts *KeyPublicOptions) error {
	f := opts.f
	s, err := f.Settings(opts.Provider)
	if err != nil {
		return err
	}
	if _, err := provider.New(s, f.HTTP()); err != nil {
		return err
	}
	var stored []byte
	if s.PrivateKey == "" {
		b, err := f.Store()
		if err != nil {
			return err
		}
		if sc := tokens.ReadStoredClient(ctx, b, s.Name); sc.PrivateKey != "" && (s.ClientID == "" || s.ClientID == sc.ClientID) {
			stored = []byte(sc.PrivateKey)
		}
	}
	k, err := provider.LoadPrivateKey(s, stored)
	if err != nil {
		return err
	}
	signer, err := assertion.NewSigner(k, s.SigningAlg, s.PrivateKeyID)
	if err != nil {
		return &failure.ConfigError{Provider: s.Name, Msg: err.Error()}
	}
	if opts.Output == "pem" {
		out, err := signer.PublicPEM()
		if err != nil {
			return err
		}
		_, err = f.IO.Out.Write(out)
		return err
	}
	jwk, err := signer.PublicJWK()
	if err != nil {
		return err
	}
	var v any = jwk
	if opts.Output == "jwks" {
		v = struct {
			Keys []*assertion.JWK `json:"keys"`
		}{[]*assertion.JWK{jwk}}
	}
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
