package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/store"
)

func TestValidEnvName(t *testing.T) {
	for name, want := range map[string]bool{
		"TOKCTL_ACCESS_TOKEN": true, "API_TOKEN": true, "_x": true, "a1": true, "Token": true,
		"": false, "1A": false, "A-B": false, "A=B": false, "A B": false, "É": false, "A\x00": false,
	} {
		if got := validEnvName(name); got != want {
			t.Errorf("validEnvName(%q) = %v, want %v", name, got, want)
		}
	}
}

// unsignedJWT is a JWT with the given claims (the signature is not checked
// by exec-credential).
func unsignedJWT(claims string) string {
	return b64url([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + b64url([]byte(claims)) + ".c2ln"
}

func TestWriteExecCredential(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	in := func(d time.Duration) time.Time { return now.Add(d) }
	idToken := unsignedJWT(fmt.Sprintf(`{"iss":"https://idp","aud":"k8s","exp":%d}`, in(20*time.Minute).Unix()))
	noExp := unsignedJWT(`{"iss":"https://idp","aud":"k8s"}`)
	expired := unsignedJWT(fmt.Sprintf(`{"exp":%d}`, in(-time.Second).Unix()))
	tests := []struct {
		name      string
		rec       store.Record
		env       string // KUBERNETES_EXEC_INFO
		token     string
		expiry    string // "" for none
		version   string
		loginNeed bool
	}{
		{name: "access token", rec: store.Record{AccessToken: "at", Expiry: in(time.Hour)},
			token: "at", expiry: "2026-11-24T11:00:00Z"},
		{name: "access token without expiry", rec: store.Record{AccessToken: "at"}, token: "at"},
		{name: "ID token, its own exp", rec: store.Record{AccessToken: "at", IDToken: idToken, Expiry: in(time.Hour)},
			token: idToken, expiry: "2026-11-24T10:20:00Z"},
		{name: "ID token without exp: the login's expiry", rec: store.Record{AccessToken: "at", IDToken: noExp, Expiry: in(time.Hour)},
			token: noExp, expiry: "2026-11-24T11:00:00Z"},
		{name: "expired ID token", rec: store.Record{Provider: "kc", AccessToken: "at", IDToken: expired, Expiry: in(time.Hour)},
			loginNeed: true},
		{name: "v1beta1 asked for", rec: store.Record{AccessToken: "at"}, token: "at", version: "v1beta1",
			env: `{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}}`},
		{name: "v1 asked for", rec: store.Record{AccessToken: "at"}, token: "at",
			env: `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`},
		{name: "unknown version asked for: v1", rec: store.Record{AccessToken: "at"}, token: "at",
			env: `{"apiVersion":"client.authentication.k8s.io/v9"}`},
		{name: "unreadable KUBERNETES_EXEC_INFO: v1", rec: store.Record{AccessToken: "at"}, token: "at", env: `{`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBERNETES_EXEC_INFO", tt.env)
			var out bytes.Buffer
			f := &Factory{IO: iostreams.Test(nil, &out, &bytes.Buffer{}), Now: func() time.Time { return now }}
			err := printToken(f, "exec-credential", &tt.rec)
			if tt.loginNeed {
				var le *failure.LoginRequiredError
				if !errors.As(err, &le) || out.Len() != 0 || !strings.Contains(err.Error(), "tokctl login kc") {
					t.Fatalf("err %v, stdout %q; want login required and nothing printed", err, out.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				APIVersion, Kind string
				Status           map[string]string
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			version := tt.version
			if version == "" {
				version = "v1"
			}
			if got.APIVersion != "client.authentication.k8s.io/"+version || got.Kind != "ExecCredential" {
				t.Errorf("apiVersion %q, kind %q", got.APIVersion, got.Kind)
			}
			if got.Status["token"] != tt.token {
				t.Errorf("status.token %q, want %q", got.Status["token"], tt.token)
			}
			exp, has := got.Status["expirationTimestamp"]
			if exp != tt.expiry || has != (tt.expiry != "") {
				t.Errorf("status.expirationTimestamp %q (present %v), want %q", exp, has, tt.expiry)
			}
			if len(got.Status) > 2 {
				t.Errorf("status has more members: %v", got.Status)
			}
		})
	}
}

// An ID token that is due makes a stored record unservable for
// exec-credential only: the other outputs serve the access token.
func TestServableIDTokenDue(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	f := &Factory{Now: func() time.Time { return now }}
	rec := &store.Record{AccessToken: "at", Expiry: now.Add(time.Hour),
		IDToken: unsignedJWT(fmt.Sprintf(`{"exp":%d}`, now.Add(30*time.Second).Unix()))}
	for output, want := range map[string]bool{"token": true, "json": true, "exec-credential": false} {
		if got := servable(f, rec, &TokenGetOptions{Output: output, MinTTL: time.Minute}); got != want {
			t.Errorf("-o %s: servable %v, want %v", output, got, want)
		}
	}
	if !servable(f, rec, &TokenGetOptions{Output: "exec-credential", MinTTL: 10 * time.Second}) {
		t.Error("-o exec-credential --min-ttl 10s: an ID token with 30s left is not served")
	}
}
