package render

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/tokens"
)

func TestToken(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tok := &tokens.Token{AccessToken: "tok123", TokenType: "bearer", Expiry: now.Add(90 * time.Minute), Scopes: []string{"a", "b"}}
	tests := []struct{ output, want string }{
		{"token", "tok123\n"},
		{"header", "Authorization: Bearer tok123\n"},
		{"env", "TOKCTL_ACCESS_TOKEN=tok123\n"},
		{"json", `{
  "access_token": "tok123",
  "token_type": "Bearer",
  "expiry": "2026-11-24T11:30:00Z",
  "expires_in": 5400,
  "scope": "a b"
}
`},
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			var out bytes.Buffer
			if err := Token(&out, tok, tt.output, now); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
		})
	}
}

func TestTokenJSONWithoutExpiry(t *testing.T) {
	var out bytes.Buffer
	if err := Token(&out, &tokens.Token{AccessToken: "t"}, "json", time.Now()); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v["expiry"] != nil || v["expires_in"] != nil {
		t.Errorf("a token without expiry has expiry %v, expires_in %v; want null", v["expiry"], v["expires_in"])
	}
}

func TestShellQuote(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_"
	if got := ShellQuote(jwt); got != jwt {
		t.Errorf("ShellQuote(JWT) = %q, want it unquoted", got)
	}
	var all strings.Builder
	for c := byte(0x21); c <= 0x7e; c++ {
		all.WriteByte(c)
	}
	dir := t.TempDir()
	for _, tok := range []string{jwt, "x;touch${IFS}" + dir + "/PWNED;#", "a'b'c", "'", "~root", "a:~/b", "$(id)", "`id`", "a\\", "!!", "*", all.String()} {
		line := "TOKCTL_ACCESS_TOKEN=" + ShellQuote(tok)
		// What `eval "$(tokctl token get X -o env)"` does, in a real shell.
		out, err := exec.Command("sh", "-c", `eval "$1"; printf %s "$TOKCTL_ACCESS_TOKEN"`, "sh", line).CombinedOutput()
		if err != nil || string(out) != tok {
			t.Errorf("eval %q: %v, TOKCTL_ACCESS_TOKEN = %q, want %q", line, err, out, tok)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
		t.Error("eval of the env line ran a command")
	}
}

func TestTokenRefusesUnprintable(t *testing.T) {
	for name, tok := range map[string]*tokens.Token{
		"escape in token":   {Provider: "p", AccessToken: "a\x1b]52;c;eA==\a"},
		"newline in token":  {Provider: "p", AccessToken: "a\nTOKCTL_X=1"},
		"header injection":  {Provider: "p", AccessToken: "a", TokenType: "Bearer\r\nX-Injected: 1"},
		"escape in idtoken": {Provider: "p", AccessToken: "a", IDToken: "b\x1b[2J"},
	} {
		for _, output := range Outputs {
			if name != "escape in idtoken" || output == "id-token" || output == "exec-credential" {
				var out bytes.Buffer
				err := Token(&out, tok, output, time.Now())
				if err == nil || out.Len() != 0 || !strings.Contains(err.Error(), "tokctl logout p") {
					t.Errorf("%s, -o %s: printed %q, error %v; want nothing printed and an error", name, output, out.String(), err)
				}
			}
		}
	}
}

// The ID token tokctl could not verify is printed by no output; -o json
// leaves it out.
func TestTokenUnverifiedIDToken(t *testing.T) {
	tok := &tokens.Token{Provider: "kc", AccessToken: "at", IDToken: unsignedJWT(`{"iss":"x"}`), IDTokenUnverified: true}
	for _, output := range []string{"id-token", "exec-credential"} {
		var out bytes.Buffer
		err := Token(&out, tok, output, time.Now())
		if err == nil || out.Len() != 0 || !strings.Contains(err.Error(), "TOKCTL_KC_ISSUER") {
			t.Errorf("-o %s: printed %q, error %v; want a refusal naming TOKCTL_KC_ISSUER", output, out.String(), err)
		}
	}
	var out bytes.Buffer
	if err := Token(&out, tok, "json", time.Now()); err != nil || strings.Contains(out.String(), "id_token") {
		t.Errorf("-o json: %v, printed %s; want no id_token", err, out.String())
	}
}

// unsignedJWT is a JWT with the given claims (the signature is not checked
// by exec-credential).
func unsignedJWT(claims string) string {
	b64 := base64.RawURLEncoding.EncodeToString
	return b64([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + b64([]byte(claims)) + ".c2ln"
}

func TestTokenExecCredential(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	in := func(d time.Duration) time.Time { return now.Add(d) }
	idToken := unsignedJWT(fmt.Sprintf(`{"iss":"https://idp","aud":"k8s","exp":%d}`, in(20*time.Minute).Unix()))
	noExp := unsignedJWT(`{"iss":"https://idp","aud":"k8s"}`)
	expired := unsignedJWT(fmt.Sprintf(`{"exp":%d}`, in(-time.Second).Unix()))
	tests := []struct {
		name      string
		tok       tokens.Token
		env       string // KUBERNETES_EXEC_INFO
		token     string
		expiry    string // "" for none
		version   string
		loginNeed bool
	}{
		{name: "access token", tok: tokens.Token{AccessToken: "at", Expiry: in(time.Hour)},
			token: "at", expiry: "2026-11-24T11:00:00Z"},
		{name: "access token without expiry", tok: tokens.Token{AccessToken: "at"}, token: "at"},
		{name: "ID token, its own exp", tok: tokens.Token{AccessToken: "at", IDToken: idToken, Expiry: in(time.Hour)},
			token: idToken, expiry: "2026-11-24T10:20:00Z"},
		{name: "ID token without exp: the login's expiry", tok: tokens.Token{AccessToken: "at", IDToken: noExp, Expiry: in(time.Hour)},
			token: noExp, expiry: "2026-11-24T11:00:00Z"},
		{name: "expired ID token", tok: tokens.Token{Provider: "kc", AccessToken: "at", IDToken: expired, Expiry: in(time.Hour)},
			loginNeed: true},
		{name: "v1beta1 asked for", tok: tokens.Token{AccessToken: "at"}, token: "at", version: "v1beta1",
			env: `{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}}`},
		{name: "v1 asked for", tok: tokens.Token{AccessToken: "at"}, token: "at",
			env: `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`},
		{name: "unknown version asked for: v1", tok: tokens.Token{AccessToken: "at"}, token: "at",
			env: `{"apiVersion":"client.authentication.k8s.io/v9"}`},
		{name: "unreadable KUBERNETES_EXEC_INFO: v1", tok: tokens.Token{AccessToken: "at"}, token: "at", env: `{`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBERNETES_EXEC_INFO", tt.env)
			var out bytes.Buffer
			err := Token(&out, &tt.tok, "exec-credential", now)
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
