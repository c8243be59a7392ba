package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
	"github.com/tokctl/tokctl/internal/tokens"
)

// providersOutputs are the formats of `tokctl providers -o`.
var providersOutputs = []string{"text", "json"}

// ProvidersOptions are the flags of `tokctl providers`.
type ProvidersOptions struct {
	f      *Factory
	Output string
}

// NewCmdProviders builds `tokctl providers`.
func NewCmdProviders(f *Factory) *cobra.Command {
	opts := &ProvidersOptions{f: f}
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
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			return providersRun(ctx, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(providersOutputs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// providerInfo is one provider as `tokctl providers` shows it; its JSON
// field names are a stable interface. It holds no secret.
type providerInfo struct {
	Name         string            `json:"name"`
	Kind         *string           `json:"kind"`
	BuiltIn      bool              `json:"built_in"`
	Flows        []string          `json:"flows"`
	ClientID     *string           `json:"client_id"`
	PublicClient bool              `json:"public_client"`
	Scopes       []string          `json:"scopes"`
	Endpoints    providerEndpoints `json:"endpoints"`
	// Problems are what keeps the provider from working, each with the fix.
	Problems []string `json:"problems"`
}

// providerEndpoints are a provider's URLs, null when it has none.
type providerEndpoints struct {
	Issuer        *string `json:"issuer"`
	Discovery     *string `json:"discovery"`
	Token         *string `json:"token"`
	Authorization *string `json:"authorization"`
	Device        *string `json:"device_authorization"`
	Revocation    *string `json:"revocation"`
	JWKS          *string `json:"jwks"`
}

// kindInfo is an adapter a configured provider can name as its kind.
type kindInfo struct {
	Name    string `json:"name"`
	BuiltIn bool   `json:"built_in"`
	Summary string `json:"summary"`
}

func providersRun(ctx context.Context, opts *ProvidersOptions) error {
	f := opts.f
	names, err := f.ProviderNames()
	if err != nil {
		return err
	}
	// Client ids stored by `tokctl login` count; a store that cannot be
	// read only means they are not known.
	b, _ := f.Store()
	infos := make([]providerInfo, 0, len(names))
	for _, name := range names {
		infos = append(infos, describeProvider(ctx, f, b, name))
	}
	if opts.Output == "json" {
		return writeProvidersJSON(f, infos)
	}
	if err := writeProvidersText(f, infos); err != nil {
		return err
	}
	file := "the config file"
	if cfg, err := f.Config(); err == nil && cfg.File() != "" {
		file = cfg.File()
	}
	f.infof("to add any other OAuth2 or OpenID Connect server, name it under `providers:` in %s with `kind: oauth2` and its `issuer` (or `token_url`); see `tokctl providers --help`", file)
	if f.Verbose {
		for _, k := range provider.Kinds() {
			fmt.Fprintf(f.IO.ErrOut, "kind %s: %s\n", k.Name, k.Summary)
		}
	}
	return nil
}

// describeProvider resolves name and reads its discovery document when it
// has an issuer; what fails becomes a problem, not an error.
func describeProvider(ctx context.Context, f *Factory, b store.Backend, name string) providerInfo {
	info := providerInfo{Name: name, BuiltIn: provider.IsBuiltIn(name), Flows: []string{}, Scopes: []string{}, Problems: []string{}}
	p, err := f.Provider(name)
	if err != nil {
		info.Problems = append(info.Problems, problem(name, err))
		return info
	}
	info.Kind = nullable(p.Kind())
	if err := p.Check(); err != nil {
		info.Problems = append(info.Problems, problem(name, err))
	} else if p.Endpoints().Issuer != "" {
		if err := p.Prepare(ctx); err != nil {
			info.Problems = append(info.Problems, problem(name, err))
		}
	}
	id := p.ClientID()
	if id == "" {
		id = tokens.ReadStoredClient(ctx, b, name).ClientID
	}
	if id == "" {
		info.Problems = append(info.Problems, "no client id: "+missingClientIDHint(p))
	}
	if !provider.Supports(p, provider.GrantClientCredentials) && !provider.Supports(p, provider.GrantAuthorizationCode) && !provider.Supports(p, provider.GrantDeviceCode) {
		info.Problems = append(info.Problems, fmt.Sprintf("no way to get a first token: a client secret (%s) for client credentials, or `auth_url` or `issuer` for a login",
			provider.EnvVar(name, "client_secret")))
	}
	info.ClientID = nullable(id)
	info.PublicClient = p.PublicClient()
	info.Flows = append(info.Flows, p.Flows()...)
	info.Scopes = append(info.Scopes, p.Scopes()...)
	e := p.Endpoints()
	// Shown without userinfo (a password in a configured URL) and with
	// control characters escaped (discovered URLs come from the provider).
	shown := func(u string) *string { return nullable(oauth.EscapeControl(oauth.HideUserinfo(u))) }
	info.Endpoints = providerEndpoints{
		Issuer: shown(e.Issuer), Discovery: shown(e.Discovery), Token: shown(e.Token),
		Authorization: shown(e.Auth), Device: shown(e.Device), Revocation: shown(e.Revocation), JWKS: shown(e.JWKS),
	}
	return info
}

// missingClientIDHint says where a client id can come from.
func missingClientIDHint(p provider.Provider) string {
	name := p.Name()
	hint := fmt.Sprintf("set `client_id` under providers.%s in the config file, or %s", name, provider.EnvVar(name, "client_id"))
	if provider.Supports(p, provider.GrantClientCredentials) && !p.PublicClient() {
		hint = fmt.Sprintf("run `tokctl login %s --client-id ID`, or %s", name, hint)
	}
	return hint
}

// problem is err without the provider name it starts with.
func problem(name string, err error) string {
	return strings.TrimPrefix(err.Error(), name+": ")
}

func writeProvidersText(f *Factory, infos []providerInfo) error {
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
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
		fmt.Fprintf(f.IO.Out, "\n%s: endpoints from %s\n", in.Name, from)
		for _, row := range []struct {
			name string
			url  *string
		}{{"authorization", e.Authorization}, {"token", e.Token}, {"device", e.Device}, {"revocation", e.Revocation}, {"jwks", e.JWKS}} {
			fmt.Fprintf(f.IO.Out, "  %-14s %s\n", row.name, deref(row.url))
		}
	}
	return nil
}

func writeProvidersJSON(f *Factory, infos []providerInfo) error {
	out := struct {
		Providers []providerInfo `json:"providers"`
		Kinds     []kindInfo     `json:"kinds"`
	}{Providers: infos, Kinds: []kindInfo{}}
	for _, k := range provider.Kinds() {
		out.Kinds = append(out.Kinds, kindInfo{Name: k.Name, BuiltIn: k.BuiltIn, Summary: k.Summary})
	}
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// nullable is nil for "", so that JSON says null for what is not there.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref is *s, or "-" for nil.
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
