package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/store"
)

// NewCmdStatus builds `tokctl status`.
func NewCmdStatus(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show which providers have a stored token",
		Long: `Show one line per provider: whether a token is stored, when it expires, its
scopes, and where it is stored. Never prints a token or secret.`,
		Example: `  tokctl status
  tokctl status --store file`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			return statusRun(ctx, f)
		},
	}
}

func statusRun(ctx context.Context, f *Factory) error {
	names, err := f.ProviderNames()
	if err != nil {
		return err
	}
	b, err := f.Store()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tSTATUS\tEXPIRES\tSCOPES\tSTORE")
	for _, name := range names {
		state, expires, scopes, err := describeStored(ctx, f, b, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, state, expires, scopes, b.Name())
	}
	return tw.Flush()
}

// describeStored summarises the stored record of name, without secrets.
func describeStored(ctx context.Context, f *Factory, b store.Backend, name string) (state, expires, scopes string, err error) {
	rec, err := store.LoadRecord(ctx, b, name)
	var corrupt *store.CorruptError
	switch {
	case store.Unusable(err):
		return "", "", "", err
	case errors.As(err, &corrupt):
		return "unreadable record", "-", "-", nil
	case err != nil:
		return "not logged in", "-", "-", nil
	case checkRecord(rec) != nil:
		return "unreadable record", "-", "-", nil
	}
	state = "logged in"
	if p, err := f.Provider(name); err == nil && p.Endpoint() != rec.Endpoint {
		state = "stored for another endpoint"
	}
	expires = "never"
	if !rec.Expiry.IsZero() {
		left := rec.Expiry.Sub(f.now())
		if left <= 0 {
			state = "expired"
			expires = rec.Expiry.UTC().Format(time.RFC3339) + " (" + roundDuration(-left) + " ago)"
		} else {
			expires = rec.Expiry.UTC().Format(time.RFC3339) + " (in " + roundDuration(left) + ")"
		}
	}
	scopes = oauth.EscapeControl(strings.Join(rec.Scopes, ","))
	if scopes == "" {
		scopes = "-"
	}
	return state, expires, scopes, nil
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
