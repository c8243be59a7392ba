package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/tokctl/tokctl/internal/fakeprovider"
)

// TestServePrintsRoutes: a newcomer finds every route's URL, and the tokctl
// setting that points at it, in what the program prints, not in a script.
func TestServePrintsRoutes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // print, then stop at once
	var stdout, stderr bytes.Buffer
	if err := serve(ctx, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSpace(stdout.String())
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+$`).MatchString(base) {
		t.Fatalf("stdout %q, want the base URL", stdout.String())
	}
	out := stderr.String()
	for _, want := range []string{
		"tilia.token +" + base + "/tilia/token +TOKCTL_TILIA_TOKEN_URL\n",
		"tiki.token +" + base + "/tiki/api/oauth/access_token +TOKCTL_TIKI_URL=" + base + "/tiki\n",
		"oidc.discovery +" + base + "/oidc/.well-known/openid-configuration +TOKCTL_NAME_ISSUER=" + base + "/oidc, with TOKCTL_NAME_KIND=oauth2\n",
		`\(control\) +` + base + "/_fake/stats ",
		"tilia +" + fakeprovider.TiliaClientID + " +" + fakeprovider.TiliaClientSecret,
	} {
		if !regexp.MustCompile("(?m)^" + want).MatchString(out) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	// Every route the server answers is listed.
	srv, err := fakeprovider.Start(fakeprovider.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, r := range srv.Routes() {
		if !strings.Contains(out, r.Name) || !strings.Contains(out, base+r.Path) {
			t.Errorf("route %s (%s) is not listed", r.Name, r.Path)
		}
	}
}
