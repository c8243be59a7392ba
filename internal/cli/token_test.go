package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/store"
)

func TestPrintToken(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	rec := &store.Record{
		AccessToken: "tok123", TokenType: "bearer", RefreshToken: "refresh-secret",
		Expiry: now.Add(90 * time.Minute), Scopes: []string{"a", "b"},
	}
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
			var out, errOut bytes.Buffer
			f := &Factory{IO: iostreams.Test(nil, &out, &errOut), Now: func() time.Time { return now }}
			if err := printToken(f, tt.output, rec); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
			if errOut.Len() != 0 || strings.Contains(out.String(), "refresh-secret") {
				t.Errorf("unexpected output: stdout %q stderr %q", out.String(), errOut.String())
			}
		})
	}
}

func TestPrintTokenJSONWithoutExpiry(t *testing.T) {
	var out bytes.Buffer
	f := &Factory{IO: iostreams.Test(nil, &out, &bytes.Buffer{})}
	if err := printToken(f, "json", &store.Record{AccessToken: "t"}); err != nil {
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

func TestSplitScopeFlags(t *testing.T) {
	got := splitScopeFlags([]string{"a", "b c", "d,e"})
	if strings.Join(got, "|") != "a|b|c|d|e" {
		t.Errorf("got %v", got)
	}
}

// TestNewCmdTokenGet checks that flags and arguments reach TokenGetOptions,
// and that bad ones are usage errors (exit 2) before any work starts.
func TestNewCmdTokenGet(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     TokenGetOptions
		wantCode int
	}{
		{"defaults", []string{"tilia"}, TokenGetOptions{Provider: "tilia", Output: "token", MinTTL: time.Minute}, 0},
		{"all flags", []string{"ils", "-o", "json", "--scope", "a", "--scope", "b c", "--min-ttl", "5m", "--no-cache"},
			TokenGetOptions{Provider: "ils", Output: "json", Scopes: []string{"a", "b c"}, MinTTL: 5 * time.Minute, NoCache: true}, 0},
		{"unknown output", []string{"ils", "-o", "yaml"}, TokenGetOptions{}, 2},
		{"negative min-ttl", []string{"ils", "--min-ttl", "-1s"}, TokenGetOptions{}, 2},
		{"no provider", nil, TokenGetOptions{}, 2},
		{"two providers", []string{"ils", "tilia"}, TokenGetOptions{}, 2},
		{"secret flag does not exist", []string{"ils", "--client-secret", "x"}, TokenGetOptions{}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{IO: iostreams.Test(nil, &bytes.Buffer{}, &bytes.Buffer{})}
			var got *TokenGetOptions
			cmd := NewCmdTokenGet(f, func(_ context.Context, o *TokenGetOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &failure.UsageError{Msg: err.Error()} })
			err := cmd.Execute()
			if code := exitCode(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Error("the command ran despite a usage error")
				}
				return
			}
			got.f = nil
			if fmt.Sprint(*got) != fmt.Sprint(tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_"
	if got := shellQuote(jwt); got != jwt {
		t.Errorf("shellQuote(JWT) = %q, want it unquoted", got)
	}
	var all strings.Builder
	for c := byte(0x21); c <= 0x7e; c++ {
		all.WriteByte(c)
	}
	dir := t.TempDir()
	for _, tok := range []string{jwt, "x;touch${IFS}" + dir + "/PWNED;#", "a'b'c", "'", "~root", "a:~/b", "$(id)", "`id`", "a\\", "!!", "*", all.String()} {
		line := "TOKCTL_ACCESS_TOKEN=" + shellQuote(tok)
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

func TestPrintTokenRefusesUnprintable(t *testing.T) {
	for name, rec := range map[string]*store.Record{
		"escape in token":   {Provider: "p", AccessToken: "a\x1b]52;c;eA==\a"},
		"newline in token":  {Provider: "p", AccessToken: "a\nTOKCTL_X=1"},
		"header injection":  {Provider: "p", AccessToken: "a", TokenType: "Bearer\r\nX-Injected: 1"},
		"escape in idtoken": {Provider: "p", AccessToken: "a", IDToken: "b\x1b[2J"},
	} {
		for _, output := range tokenOutputs {
			if name != "escape in idtoken" || output == "id-token" || output == "exec-credential" {
				var out bytes.Buffer
				f := &Factory{IO: iostreams.Test(nil, &out, &bytes.Buffer{})}
				err := printToken(f, output, rec)
				if err == nil || out.Len() != 0 || !strings.Contains(err.Error(), "tokctl logout p") {
					t.Errorf("%s, -o %s: printed %q, error %v; want nothing printed and an error", name, output, out.String(), err)
				}
			}
		}
	}
}
