package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
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

// NewCmdStatus builds `tokctl status`; runF, when not nil, runs instead of
// statusRun (tests).
func NewCmdStatus(f *Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IO, Now: f.now}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which providers have a stored token",
		Long: `Show one line per stored token (a provider keeps one per scope set and token
endpoint), or one line for a provider with none: whether it is logged in, when
the token expires, its scopes, and where it is stored. Never prints a token or
secret. -o json prints the same as a JSON array, one object per line of the
table, with the fields provider, state (logged_in, expired, other_endpoint,
unreadable or not_logged_in), store and, for a stored token, endpoint,
client_id, scopes, requested_scopes, default_scopes, expiry, expires_in,
obtained_at, refresh_token and id_token (whether there is one).`,
		Example: `  tokctl status
  tokctl status --store file
  tokctl status -o json | jq '.[] | select(.state == "logged_in") | .provider'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Output != "text" && opts.Output != "json" {
				return usageErrorf("unknown output %q: use text or json", opts.Output)
			}
			opts.Tokens = f.Service()
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			if runF != nil {
				return runF(ctx, opts)
			}
			return statusRun(ctx, opts)
		},
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
	if opts.Output == "json" {
		if entries == nil {
			entries = []tokens.StatusEntry{}
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tSTATUS\tEXPIRES\tSCOPES\tSTORE")
	for _, e := range entries {
		expires, scopes := "-", "-"
		if r := e.StatusRecord; r != nil {
			expires = "never"
			if r.Expiry != nil {
				expiry, _ := time.Parse(time.RFC3339, *r.Expiry)
				if left := expiry.Sub(opts.Now()); left <= 0 {
					expires = *r.Expiry + " (" + roundDuration(-left) + " ago)"
				} else {
					expires = *r.Expiry + " (in " + roundDuration(left) + ")"
				}
			}
			if len(r.Scopes) > 0 {
				scopes = tokens.EscapeControl(strings.Join(r.Scopes, ","))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Provider, stateText(e.State), expires, scopes, e.Store)
	}
	return tw.Flush()
}

// stateText is a state's words in the table.
func stateText(state string) string {
	switch state {
	case "logged_in":
		return "logged in"
	case "other_endpoint":
		return "stored for another endpoint"
	case "unreadable":
		return "unreadable record"
	case "not_logged_in":
		return "not logged in"
	}
	return state // expired
}

// roundDuration shows d coarsely: "59m", "2h5m", "3d4h".
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}
