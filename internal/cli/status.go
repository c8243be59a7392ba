package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/store"
	"github.com/tokctl/tokctl/internal/tokens"
)

// NewCmdStatus builds `tokctl status`.
func NewCmdStatus(f *Factory) *cobra.Command {
	var output string
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
			if output != "text" && output != "json" {
				return usageErrorf("unknown output %q: use text or json", output)
			}
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			return statusRun(ctx, f, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// statusEntry is one line of `tokctl status`, and its JSON form.
type statusEntry struct {
	Provider string `json:"provider"`
	// State is logged_in, expired, other_endpoint, unreadable or not_logged_in.
	State string `json:"state"`
	Store string `json:"store"`
	*statusRecord
}

// statusRecord is what status shows of a stored record: never a token.
type statusRecord struct {
	Endpoint        string    `json:"endpoint"`
	ClientID        string    `json:"client_id,omitempty"`
	Scopes          []string  `json:"scopes"`
	RequestedScopes []string  `json:"requested_scopes"`
	DefaultScopes   bool      `json:"default_scopes"`
	Expiry          *string   `json:"expiry"`
	ExpiresIn       *int64    `json:"expires_in"`
	ObtainedAt      time.Time `json:"obtained_at"`
	RefreshToken    bool      `json:"refresh_token"`
	IDToken         bool      `json:"id_token"`
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

func statusRun(ctx context.Context, f *Factory, output string) error {
	names, err := f.ProviderNames()
	if err != nil {
		return err
	}
	b, err := f.Store()
	if err != nil {
		return err
	}
	var entries []statusEntry
	for _, name := range names {
		recs, err := store.Records(ctx, b, name)
		if store.Unusable(err) {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err != nil {
			return fmt.Errorf("%s: reading the %s store: %w", name, b.Name(), err)
		}
		if len(recs) == 0 {
			entries = append(entries, statusEntry{Provider: name, State: "not_logged_in", Store: b.Name()})
		}
		for _, sr := range recs {
			entries = append(entries, describeStored(f, b, name, sr))
		}
	}
	if output == "json" {
		if entries == nil {
			entries = []statusEntry{}
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tSTATUS\tEXPIRES\tSCOPES\tSTORE")
	for _, e := range entries {
		expires, scopes := "-", "-"
		if r := e.statusRecord; r != nil {
			expires = "never"
			if r.Expiry != nil {
				expiry, _ := time.Parse(time.RFC3339, *r.Expiry)
				if left := expiry.Sub(f.now()); left <= 0 {
					expires = *r.Expiry + " (" + roundDuration(-left) + " ago)"
				} else {
					expires = *r.Expiry + " (in " + roundDuration(left) + ")"
				}
			}
			if len(r.Scopes) > 0 {
				scopes = oauth.EscapeControl(strings.Join(r.Scopes, ","))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Provider, stateText(e.State), expires, scopes, e.Store)
	}
	return tw.Flush()
}

// describeStored summarises one stored record of name, without secrets.
func describeStored(f *Factory, b store.Backend, name string, sr store.StoredRecord) statusEntry {
	e := statusEntry{Provider: name, Store: b.Name()}
	rec := sr.Record
	if rec == nil || tokens.CheckRecord(rec) != nil {
		e.State = "unreadable"
		return e
	}
	e.State = "logged_in"
	if p, err := f.Provider(name); err == nil && p.RecordEndpoint() != rec.Endpoint {
		e.State = "other_endpoint"
	}
	r := &statusRecord{
		Endpoint: withoutUserinfo(rec.Endpoint), ClientID: rec.ClientID,
		Scopes: nonNil(rec.Scopes), RequestedScopes: nonNil(rec.RequestedScopes), DefaultScopes: rec.DefaultScopes,
		ObtainedAt: rec.ObtainedAt, RefreshToken: rec.RefreshToken != "", IDToken: rec.IDToken != "",
	}
	if !rec.Expiry.IsZero() {
		exp := rec.Expiry.UTC().Format(time.RFC3339)
		left := rec.Expiry.Sub(f.now())
		secs := int64(left.Seconds())
		r.Expiry, r.ExpiresIn = &exp, &secs
		if left <= 0 && e.State == "logged_in" {
			e.State = "expired"
		}
	}
	e.statusRecord = r
	return e
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
