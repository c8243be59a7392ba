package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tokctl/tokctl/internal/tokens"
)

// Providers prints rep to w as `tokctl providers -o output` does: a
// table and the endpoints of each provider with an issuer (output "text"),
// or JSON ("json").
func Providers(w io.Writer, rep tokens.ProvidersReport, output string) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tFLOWS\tTOKEN URL\tNOTE")
	for _, in := range rep.Providers {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", in.Name, deref(in.Kind), orDash(strings.Join(in.Flows, ",")),
			deref(in.Endpoints.Token), strings.Join(in.Problems, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, in := range rep.Providers {
		e := in.Endpoints
		if e.Issuer == nil || e.Token == nil {
			continue
		}
		from := "the cached discovery document of " + *e.Issuer
		if e.Discovery != nil {
			from = *e.Discovery
		}
		fmt.Fprintf(w, "\n%s: endpoints from %s\n", in.Name, from)
		for _, row := range []struct {
			name string
			url  *string
		}{{"authorization", e.Authorization}, {"token", e.Token}, {"device", e.Device}, {"revocation", e.Revocation}, {"jwks", e.JWKS}} {
			fmt.Fprintf(w, "  %-14s %s\n", row.name, deref(row.url))
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
