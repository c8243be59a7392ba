// Command fakeprovider runs tokctl's fake OAuth2 provider on a loopback address, for
// demos and black-box tests. It prints the base URL on stdout, and on stderr its routes
// (with the tokctl setting that points at each) and the demo clients, then serves until
// SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/tokctl/tokctl/internal/fakeprovider"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage): // the flag package has already explained
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, err) // errors from fakeprovider already name it
		os.Exit(1)
	}
}

// errUsage marks a command line the flag package has already reported on stderr.
var errUsage = errors.New("usage")

// config is the parsed command line.
type config struct {
	opts     fakeprovider.Options
	addrFile string
}

func run(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serve runs the fake until ctx ends.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	srv, err := fakeprovider.Start(cfg.opts)
	if err != nil {
		return err
	}
	if cfg.addrFile != "" {
		if err := writeAtomic(cfg.addrFile, srv.URL()+"\n"); err != nil {
			_ = srv.Close()
			return err
		}
	}
	fmt.Fprintln(stdout, srv.URL())
	printRoutes(stderr, srv.URL(), srv.Routes())
	fmt.Fprintln(stderr)
	printClients(stderr, srv.Clients())
	<-ctx.Done()
	return srv.Close()
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("fakeprovider", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.opts.Addr, "addr", "127.0.0.1:0", "listen `address`; must be loopback")
	fs.StringVar(&cfg.addrFile, "addr-file", "", "once listening, write the base URL to this `path`")
	fs.BoolVar(&cfg.opts.TiliaExpiresAsNumber, "tilia-expires-number", false, "send Tilia's expires_in as a number, not a string")
	fs.DurationVar(&cfg.opts.TTL, "ttl", 0, "override every access-token lifetime (e.g. 30s)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, errUsage
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("fakeprovider: unexpected arguments %q", fs.Args())
	}
	if cfg.opts.TTL < 0 {
		return config{}, errors.New("fakeprovider: -ttl must not be negative")
	}
	return cfg, nil
}

// writeAtomic renames a finished temp file into place, so a script polling for the
// file never reads a half-written URL.
func writeAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakeprovider-addr-*")
	if err != nil {
		return fmt.Errorf("fakeprovider: write -addr-file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("fakeprovider: write -addr-file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("fakeprovider: write -addr-file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("fakeprovider: write -addr-file: %w", err)
	}
	return nil
}

// routeSettings are the tokctl settings that point a provider at a route
// (NAME is any name of the instance, e.g. TOKCTL_MYIDP_KIND=oauth2).
var routeSettings = map[string]string{
	"tilia.token":          "TOKCTL_TILIA_TOKEN_URL",
	"ils.token":            "TOKCTL_ILS_TOKEN_URL",
	"tiki.token":           "TOKCTL_TIKI_URL=<url>/tiki",
	"tiki.authorize":       "TOKCTL_TIKI_URL=<url>/tiki",
	"tiltify.token":        "TOKCTL_TILTIFY_TOKEN_URL",
	"tiltify.authorize":    "TOKCTL_TILTIFY_AUTH_URL",
	"tiltify-v3.token":     "TOKCTL_TILTIFY_TOKEN_URL, with TOKCTL_TILTIFY_API=v3",
	"tiltify-v3.authorize": "TOKCTL_TILTIFY_AUTH_URL, with TOKCTL_TILTIFY_API=v3",
	"oauth2.token":         "TOKCTL_NAME_TOKEN_URL, with TOKCTL_NAME_KIND=oauth2",
	"oauth2.authorize":     "TOKCTL_NAME_AUTH_URL, with TOKCTL_NAME_KIND=oauth2",
	"oidc.discovery":       "TOKCTL_NAME_ISSUER=<url>/oidc, with TOKCTL_NAME_KIND=oauth2",
	"api.whoami":           "curl -H \"Authorization: Bearer $(tokctl token get NAME)\" <url>/api/whoami",
}

// printRoutes shows every route's URL and how tokctl is pointed at it, so
// nobody has to read a script to find /tilia/token.
func printRoutes(w io.Writer, base string, routes []fakeprovider.Route) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tURL\tUSE WITH")
	for _, r := range routes {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, base+r.Path, strings.ReplaceAll(routeSettings[r.Name], "<url>", base))
	}
	fmt.Fprintf(tw, "(control)\t%s/_fake/stats\tGET: requests per route; POST %s/_fake/reset; POST or DELETE %s/_fake/fault\n", base, base, base)
	_ = tw.Flush()
}

// printClients shows the fixed demo credentials; they are published constants of the
// fake, not real secrets, and a demo needs them to configure tokctl.
func printClients(w io.Writer, clients []fakeprovider.Client) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tCLIENT ID\tCLIENT SECRET\tAUTH")
	for _, c := range clients {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Provider, c.ID, c.Secret, c.AuthMethod)
	}
	_ = tw.Flush()
}
