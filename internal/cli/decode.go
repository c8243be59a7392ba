package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/jwt/render"
	"github.com/tokctl/tokctl/internal/reference"
	"github.com/tokctl/tokctl/internal/tokens"
)

// decodeSource is what decode needs of the providers, the store and the
// network; *tokens.Service is one.
type decodeSource interface {
	StoredToken(ctx context.Context, name string, idToken bool) (string, error)
	DecodeKeys(ctx context.Context, spec tokens.KeySpec) (*jwt.Keys, error)
}

// DecodeOptions are the inputs of `tokctl decode`.
type DecodeOptions struct {
	IO           *iostreams.IOStreams
	Tokens       decodeSource
	Now          func() time.Time
	Token        string
	Output       string
	RequireValid bool
	IDToken      bool // --id-token: the stored ID token of --provider
	// KeySpec holds --key, --hmac-secret-file, --jwks and --provider.
	tokens.KeySpec
}

// maxTokenInput bounds what decode reads from stdin.
const maxTokenInput = 1 << 20

// NewCmdDecode builds `tokctl decode`; runF replaces the work in tests.
func NewCmdDecode(f *Factory, runF func(context.Context, *DecodeOptions) error) *cobra.Command {
	opts := &DecodeOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "decode [TOKEN|-]",
		Short: "Show what is inside a JWT, and verify its signature",
		Long:  reference.Decode,
		Example: `  tokctl token get tilia | tokctl decode
  tokctl decode --provider ils
  tokctl decode -o json "$TOKEN" | jq .claims.scopes
  tokctl decode --require-valid "$TOKEN" || echo expired
  tokctl decode --jwks https://idp.example.com/.well-known/jwks.json "$TOKEN"
  tokctl decode --key public.pem --require-valid "$TOKEN"
  tokctl decode --jwks keycloak "$ID_TOKEN"
  tokctl decode --hmac-secret-file hs256.secret -o json "$TOKEN" | jq .signature_verified`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("tokctl decode takes one TOKEN argument (or - or nothing for stdin), got %d", len(args))
			}
			return nil
		},
		RunE: runE(f, opts, runF, decodeRun, func(args []string) error {
			if len(args) == 1 {
				opts.Token = args[0]
			}
			if opts.Output != "text" && opts.Output != "json" {
				return usageErrorf("unknown output %q: use text or json", opts.Output)
			}
			if opts.Provider != "" && opts.Token != "" {
				return usageErrorf("give a TOKEN or --provider, not both")
			}
			if opts.IDToken && opts.Provider == "" {
				return usageErrorf("--id-token needs --provider")
			}
			if err := opts.KeySpec.Check(opts.Provider == "" && (opts.Token == "" || opts.Token == "-")); err != nil {
				return err
			}
			opts.Tokens, opts.Now = f.Service(), f.now // bound at run time: building the tree stays free
			return nil
		}),
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&opts.Provider, "provider", "", "decode the stored token of this provider (verified with its JWKS when it has one)")
	cmd.Flags().BoolVar(&opts.IDToken, "id-token", false, "with --provider: decode the stored OpenID Connect ID token")
	cmd.Flags().BoolVar(&opts.RequireValid, "require-valid", false, "exit 1 when the token is expired or not yet valid")
	cmd.Flags().StringVar(&opts.KeyFile, "key", "", "verify the signature with this public key or certificate (PEM or DER), JWK or JWK Set `FILE`")
	cmd.Flags().StringVar(&opts.SecretFile, "hmac-secret-file", "", "verify an HS256/384/512 signature with the shared secret in this `FILE` (- for stdin)")
	cmd.Flags().StringVar(&opts.JWKS, "jwks", "", "verify the signature with the JWKS of this `PROVIDER`, or the JWK Set at this URL or FILE (./FILE)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("provider", completeProviders(f))
	return cmd
}

func decodeRun(ctx context.Context, opts *DecodeOptions) error {
	input, err := decodeInput(ctx, opts)
	if err != nil {
		return err
	}
	tok, err := jwt.Parse(input)
	if err != nil {
		if fi, serr := os.Stat(opts.Token); opts.Token != "" && opts.Token != "-" && serr == nil && fi.Mode().IsRegular() {
			return fmt.Errorf("decode: %w; %s is a file: pass its content with `tokctl decode - < %s`", err, opts.Token, opts.Token)
		}
		return fmt.Errorf("decode: %w", err)
	}
	var keys *jwt.Keys
	if explicit := opts.KeyFile != "" || opts.SecretFile != "" || opts.JWKS != ""; explicit || !tok.Encrypted {
		spec := opts.KeySpec
		spec.Stdin, spec.Notes = opts.IO.In, opts.IO.ErrOut
		if keys, err = opts.Tokens.DecodeKeys(ctx, spec); err != nil {
			return err
		}
	}
	var verifyErr error
	if keys != nil {
		verifyErr = tok.Verify(keys)
	}
	now := opts.Now()
	if opts.Output == "json" {
		err = render.JSON(opts.IO.Out, tok, now)
	} else {
		err = render.Text(opts.IO.Out, tok, now, opts.IO.ColorEnabled())
	}
	if err != nil {
		return err
	}
	if verifyErr != nil {
		return fmt.Errorf("decode: %w", verifyErr)
	}
	if opts.RequireValid && !tok.Encrypted {
		switch tok.Verdict(now) {
		case jwt.Expired:
			return fmt.Errorf("decode: the token is expired (exp %s)", tok.Times().Expires.Format(time.RFC3339))
		case jwt.NotYetValid:
			return fmt.Errorf("decode: the token is not valid yet (nbf %s)", tok.Times().NotBefore.Format(time.RFC3339))
		}
	}
	return nil
}

// decodeInput returns the token to decode: the argument, the stored token
// of --provider, or stdin.
func decodeInput(ctx context.Context, opts *DecodeOptions) (string, error) {
	switch {
	case opts.Provider != "":
		return opts.Tokens.StoredToken(ctx, opts.Provider, opts.IDToken)
	case opts.Token != "" && opts.Token != "-":
		return opts.Token, nil
	}
	raw, err := io.ReadAll(io.LimitReader(opts.IO.In, maxTokenInput+1))
	if err != nil {
		return "", fmt.Errorf("reading stdin: %w", err)
	}
	if len(raw) > maxTokenInput {
		return "", usageErrorf("input larger than 1 MiB: not a token")
	}
	if strings.TrimSpace(string(raw)) == "" {
		return "", usageErrorf("no token: pass one as an argument or on stdin")
	}
	return string(raw), nil
}
