package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/store"
)

// DecodeOptions are the inputs of `tokctl decode`.
type DecodeOptions struct {
	f            *Factory
	Token        string
	Output       string
	Provider     string
	RequireValid bool
}

// maxTokenInput bounds what decode reads from stdin.
const maxTokenInput = 1 << 20

// NewCmdDecode builds `tokctl decode`.
func NewCmdDecode(f *Factory) *cobra.Command {
	opts := &DecodeOptions{f: f}
	cmd := &cobra.Command{
		Use:   "decode [TOKEN|-]",
		Short: "Show what is inside a JWT",
		Long: `Decode a JWT from the argument, or from stdin when the argument is - or missing:
its header, its claims (registered claims first), times as RFC 3339 and relative,
its scopes, and a verdict (valid, expired, not yet valid). A leading "Bearer " or
"Authorization:" is ignored. The signature is not verified.`,
		Example: `  tokctl token get tilia | tokctl decode
  tokctl decode --provider ils
  tokctl decode -o json "$TOKEN" | jq .claims.scopes
  tokctl decode --require-valid "$TOKEN" || echo expired`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Token = args[0]
			}
			if opts.Output != "text" && opts.Output != "json" {
				return usageErrorf("unknown output %q: use text or json", opts.Output)
			}
			if opts.Provider != "" && opts.Token != "" {
				return usageErrorf("give a TOKEN or --provider, not both")
			}
			return decodeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&opts.Provider, "provider", "", "decode the stored token of this provider")
	cmd.Flags().BoolVar(&opts.RequireValid, "require-valid", false, "exit 1 when the token is expired or not yet valid")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("provider", completeProviders(f))
	return cmd
}

func decodeRun(ctx context.Context, opts *DecodeOptions) error {
	f := opts.f
	input, err := decodeInput(ctx, opts)
	if err != nil {
		return err
	}
	tok, err := jwt.Parse(input)
	if err != nil {
		return err
	}
	now := f.now()
	if opts.Output == "json" {
		err = jwt.RenderJSON(f.IO.Out, tok, now)
	} else {
		err = jwt.RenderText(f.IO.Out, tok, now, f.IO.ColorEnabled())
	}
	if err != nil {
		return err
	}
	if opts.RequireValid && !tok.Encrypted {
		switch v := tok.Verdict(now); v {
		case jwt.Expired, jwt.NotYetValid:
			fmt.Fprintf(f.IO.ErrOut, "tokctl: token is %s\n", v)
			return &silentError{code: exitError}
		}
	}
	return nil
}

// decodeInput returns the token to decode: the argument, the stored token
// of --provider, or stdin.
func decodeInput(ctx context.Context, opts *DecodeOptions) (string, error) {
	f := opts.f
	switch {
	case opts.Provider != "":
		if _, err := f.Settings(opts.Provider); err != nil {
			return "", err
		}
		b, err := f.Store()
		if err != nil {
			return "", err
		}
		rec, err := store.LoadRecord(ctx, b, opts.Provider)
		if errors.Is(err, store.ErrNotFound) {
			return "", usageErrorf("%s: no stored token; run `tokctl token get %s` first", opts.Provider, opts.Provider)
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", opts.Provider, err)
		}
		return rec.AccessToken, nil
	case opts.Token != "" && opts.Token != "-":
		return opts.Token, nil
	}
	raw, err := io.ReadAll(io.LimitReader(f.IO.In, maxTokenInput+1))
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
