package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tokctl/tokctl/internal/termtext"
	"github.com/tokctl/tokctl/internal/tokens"
)

// Status prints entries to w as `tokctl status -o output` does: a
// table (output "text"), with expiry times relative to now and scopes with
// control characters escaped, or a JSON array ("json").
func Status(w io.Writer, entries []tokens.StatusEntry, output string, now time.Time) error {
	if output == "json" {
		if entries == nil {
			entries = []tokens.StatusEntry{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tSTATUS\tEXPIRES\tSCOPES\tSTORE")
	for _, e := range entries {
		expires, scopes := "-", "-"
		if r := e.StatusRecord; r != nil {
			expires = "never"
			if r.Expiry != nil {
				expiry, _ := time.Parse(time.RFC3339, *r.Expiry)
				if left := expiry.Sub(now); left <= 0 {
					expires = *r.Expiry + " (" + roundDuration(-left) + " ago)"
				} else {
					expires = *r.Expiry + " (in " + roundDuration(left) + ")"
				}
			}
			if len(r.Scopes) > 0 {
				scopes = termtext.Escape(strings.Join(r.Scopes, ","))
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
