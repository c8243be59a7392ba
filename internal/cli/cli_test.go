package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"usage", usageErrorf("bad"), 2},
		{"config", &oauth.ConfigError{Provider: "tiki", Msg: "no url"}, 2},
		{"cobra unknown flag", errors.New("unknown flag: --x"), 2},
		{"cobra unknown command", errors.New(`unknown command "x" for "tokctl"`), 2},
		{"login required", &oauth.LoginRequiredError{Provider: "ils"}, 3},
		{"credentials", &oauth.CredentialsRejectedError{Provider: "ils", Status: 401}, 4},
		{"unavailable", &oauth.UnavailableError{Provider: "ils", Status: 503}, 5},
		{"wrapped unavailable", fmt.Errorf("x: %w", &oauth.UnavailableError{Provider: "ils"}), 5},
		{"provider refused", &oauth.ProviderError{Provider: "ils", Status: 400}, 1},
		{"silent", &silentError{code: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestSameScopes(t *testing.T) {
	tests := []struct {
		a, b []string
		want bool
	}{
		{nil, nil, true},
		{[]string{"a", "b"}, []string{"b", "a"}, true},
		{[]string{"a", "a", "b"}, []string{"b", "a"}, true},
		{[]string{"a"}, []string{"a", "b"}, false},
		{[]string{"a"}, nil, false},
	}
	for _, tt := range tests {
		if got := sameScopes(tt.a, tt.b); got != tt.want {
			t.Errorf("sameScopes(%v, %v) = %v", tt.a, tt.b, got)
		}
	}
}

func TestMatches(t *testing.T) {
	p, err := provider.New(provider.Settings{Name: "tilia", ClientID: "id", Scopes: []string{"a", "b"}}, &oauth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	good := store.Record{Endpoint: "https://auth.tilia-inc.com/token", ClientID: "id", RequestedScopes: []string{"b", "a"}}
	tests := []struct {
		name   string
		change func(*store.Record)
		want   bool
	}{
		{"same", func(*store.Record) {}, true},
		{"staging endpoint", func(r *store.Record) { r.Endpoint = "https://auth.staging.tilia-inc.com/token" }, false},
		{"other client", func(r *store.Record) { r.ClientID = "other" }, false},
		{"other scopes", func(r *store.Record) { r.RequestedScopes = []string{"a"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.change(&r)
			if got := matches(&r, p); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}

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

func TestRoundDuration(t *testing.T) {
	tests := map[time.Duration]string{
		30 * time.Second:                "30s",
		59*time.Minute + 59*time.Second: "59m",
		2*time.Hour + 5*time.Minute:     "2h5m",
		75 * time.Hour:                  "3d3h",
	}
	for d, want := range tests {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%v) = %q, want %q", d, got, want)
		}
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
			cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{msg: err.Error()} })
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
