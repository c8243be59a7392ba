package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
)

// providersOutputs are the formats of `tokctl providers -o`.
var providersOutputs = []string{"text", "json"}

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

// NewCmdProviders builds `tokctl providers`; runF, when not nil, runs
// instead of providersRun (tests).
func NewCmdProviders(f *Factory, runF func(context.Context, *ProvidersOptions) error) *cobra.Command {
	opts := &ProvidersOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "List built-in and configured providers",
		Long: `List the built-in and configured providers with their kind, flows and token
endpoint (after the config file and TOKCTL_<NAME>_<KEY> variables are applied),
and what is missing: a setting, a client id, an issuer that cannot be reached.
An issuer's endpoints are read from its discovery document, whose URL is shown.

Any other OAuth2 or OpenID Connect server is added by naming it under
providers in the config file with kind: oauth2, e.g.

  providers:
    my-idp:
      kind: oauth2
      issuer: https://idp.example.com   # discovery; or token_url (and auth_url)
      client_id: tokctl                 # no secret: a public client (PKCE)

-o json prints the same as JSON with stable field names: never a token or secret.`,
		Example: `  tokctl providers
  TOKCTL_TILIA_ENV=staging tokctl providers
  tokctl providers -o json`,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			for _, o := range providersOutputs {
				if opts.Output == o {
					return nil
				}
			}
			return usageErrorf("unknown output %q: use one of %s", opts.Output, strings.Join(providersOutputs, ", "))
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Tokens, opts.Verbose = f.Service(), f.Verbose
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			if runF != nil {
				return runF(ctx, opts)
			}
			return providersRun(ctx, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(providersOutputs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func providersRun(ctx context.Context, opts *ProvidersOptions) error {
	rep, err := opts.Tokens.Describe(ctx)
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	if err := writeProvidersText(opts.IO, rep.Providers); err != nil {
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

func writeProvidersText(io *iostreams.IOStreams, infos []tokens.ProviderInfo) error {
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tFLOWS\tTOKEN URL\tNOTE")
	for _, in := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", in.Name, deref(in.Kind), orDash(strings.Join(in.Flows, ",")),
			deref(in.Endpoints.Token), strings.Join(in.Problems, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, in := range infos {
		e := in.Endpoints
		if e.Issuer == nil || e.Token == nil {
			continue
		}
		from := "the cached discovery document of " + *e.Issuer
		if e.Discovery != nil {
			from = *e.Discovery
		}
		fmt.Fprintf(io.Out, "\n%s: endpoints from %s\n", in.Name, from)
		for _, row := range []struct {
			name string
			url  *string
		}{{"authorization", e.Authorization}, {"token", e.Token}, {"device", e.Device}, {"revocation", e.Revocation}, {"jwks", e.JWKS}} {
			fmt.Fprintf(io.Out, "  %-14s %s\n", row.name, deref(row.url))
		}
	}
	return nil
}

// deref is *s, or "-" for nil or "".
func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return orDash(*s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
