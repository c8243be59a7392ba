package main

import (
	"strings"
	"testing"

	"github.com/tokctl/tokctl/internal/fakeprovider"
)

// TestLoginMixUpPaste holds the mix-up defence (RFC 9207) on the paste-back
// path of --no-browser: the provider advertises the iss parameter, and a
// pasted redirect naming another issuer, or none, ends the login unexchanged.
func TestLoginMixUpPaste(t *testing.T) {
	srv := fakeprovider.StartTest(t, fakeprovider.Options{})
	env := []string{
		"TOKCTL_KC_KIND=oauth2",
		"TOKCTL_KC_ISSUER=" + srv.OIDCIssuer(),
		"TOKCTL_KC_CLIENT_ID=" + fakeprovider.OIDCPublicClientID,
		"TOKCTL_KC_SCOPES=openid",
	}
	tests := []struct {
		name      string
		iss       string // the redirect's iss; "-" for none
		wantErr   string
		wantLogin bool
	}{
		{name: "another issuer", iss: "https://evil.example.com/oidc", wantErr: `the redirect was issued by "https://evil.example.com/oidc"`},
		{name: "no iss", iss: "-", wantErr: "no iss"},
		{name: "the issuer", wantLogin: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset() // counts and hostility
			if err := srv.SetOIDCHostility(fakeprovider.OIDCHostility{CallbackIss: tt.iss}); err != nil {
				t.Fatal(err)
			}
			p := startLoginOf(t, srv, "kc", env)
			if p.authURL == nil {
				t.Fatalf("login exited before printing the URL:\n%s", p.stderr.String())
			}
			redirect := p.approve()
			if _, err := p.stdin.Write([]byte(redirect + "\n")); err != nil {
				t.Fatal(err)
			}
			code := p.exit()
			stderr := p.stderr.String()
			if tt.wantLogin {
				if code != 0 || !p.stored() {
					t.Fatalf("exit %d, stored %v:\n%s", code, p.stored(), stderr)
				}
				return
			}
			if code != 1 || !strings.Contains(stderr, tt.wantErr) || !strings.Contains(stderr, "mix-up") {
				t.Fatalf("exit %d, want 1 and %q:\n%s", code, tt.wantErr, stderr)
			}
			if n := srv.Count("oidc.token"); n != 0 {
				t.Errorf("the code was exchanged (%d token requests)", n)
			}
			if p.stored() {
				t.Error("a token was stored")
			}
		})
	}
}
