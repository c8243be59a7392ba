package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/provider"
)

// NewCmdProviders builds `tokctl providers`.
func NewCmdProviders(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "providers",
		Short: "List built-in and configured providers",
		Long: `List the built-in and configured providers with their kind, flows and token
endpoint (after the config file and TOKCTL_<NAME>_<KEY> variables are applied).`,
		Example: `  tokctl providers
  TOKCTL_TILIA_ENV=staging tokctl providers`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			return providersRun(ctx, f)
		},
	}
}

func providersRun(ctx context.Context, f *Factory) error {
	names, err := f.ProviderNames()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tFLOWS\tTOKEN URL\tNOTE")
	var discovered []provider.Provider
	for _, name := range names {
		p, err := f.Provider(name)
		if err != nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t%v\n", name, err)
			continue
		}
		note := ""
		err = p.Check()
		if err == nil && p.Endpoints().Issuer != "" {
			if err = p.Prepare(ctx); err == nil {
				discovered = append(discovered, p)
			}
		}
		if err != nil {
			note = strings.TrimPrefix(err.Error(), name+": ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, p.Kind(), strings.Join(p.Flows(), ","), orDash(p.Endpoints().Token), note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range discovered {
		e := p.Endpoints()
		fmt.Fprintf(f.IO.Out, "\n%s: endpoints from %s/.well-known/\n", p.Name(), strings.TrimSuffix(e.Issuer, "/"))
		for _, row := range [][2]string{{"authorization", e.Auth}, {"token", e.Token}, {"device", e.Device}, {"revocation", e.Revocation}, {"jwks", e.JWKS}} {
			fmt.Fprintf(f.IO.Out, "  %-14s %s\n", row[0], orDash(row[1]))
		}
	}
	if f.Verbose {
		for _, k := range provider.Kinds() {
			fmt.Fprintf(f.IO.ErrOut, "kind %s: %s\n", k.Name, k.Summary)
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
