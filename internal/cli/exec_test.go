package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
)

// TestExecRun runs real commands with a fake of the token lifecycle: the
// token in the variable, CMD's exit status as tokctl's, and CMD not run
// when it cannot be found or no token can be had.
func TestExecRun(t *testing.T) {
	t.Setenv("MY_TOKEN", "old")
	tests := []struct {
		name     string
		command  []string
		err      error // of the token request
		wantCode int
		wantGets int
		golden   string // of stdout and stderr; "" for none
	}{
		{name: "env var set", command: []string{"sh", "-c", `printf '%s\n' "$MY_TOKEN"`}, wantGets: 1, golden: "exec-env"},
		{name: "exit code passed on", command: []string{"sh", "-c", "exit 7"}, wantCode: 7, wantGets: 1},
		{name: "killed by a signal", command: []string{"sh", "-c", "kill -TERM $$"}, wantCode: 143, wantGets: 1},
		{name: "not found", command: []string{"tokctl-test-no-such-command", "x"}, wantCode: 127, golden: "exec-not-found"},
		{name: "token error: CMD not run", command: []string{"sh", "-c", "echo ran"}, wantGets: 1, wantCode: 3,
			err: &failure.LoginRequiredError{Provider: "tilia", Reason: "no stored token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			fake := &fakeGetter{tok: &tokens.Token{Provider: "tilia", AccessToken: "tok123"}, err: tt.err}
			opts := &ExecOptions{Env: "MY_TOKEN", Command: tt.command, Token: TokenGetOptions{
				IO: iostreams.Test(strings.NewReader(""), &out, &errOut), Tokens: fake, Now: time.Now,
				Provider: "tilia", MinTTL: time.Minute}}
			err := execRun(context.Background(), opts)
			if code := exitCode(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d; stderr %q", code, err, tt.wantCode, errOut.String())
			}
			if len(fake.gets) != tt.wantGets {
				t.Errorf("%d token requests, want %d", len(fake.gets), tt.wantGets)
			}
			if tt.wantCode == 3 && out.Len() != 0 {
				t.Errorf("CMD ran: stdout %q", out.String())
			}
			if tt.golden != "" {
				assertGolden(t, tt.golden, []byte("stdout:\n"+out.String()+"stderr:\n"+errOut.String()))
			}
		})
	}
}

// TestNewCmdExec checks that flags and arguments reach ExecOptions, that
// bad ones are usage errors (exit 2) before any work starts, and that
// building the command builds no Service.
func TestNewCmdExec(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     string // Provider Scopes MinTTL Env Command
		wantCode int
	}{
		{"defaults", []string{"tilia", "--", "curl", "-v"}, "tilia [] 1m0s TOKCTL_ACCESS_TOKEN [curl -v]", 0},
		{"all flags", []string{"ils", "--env", "ILS_TOKEN", "--scope", "a", "--min-ttl", "10m", "--", "sh", "-c", "x"},
			"ils [a] 10m0s ILS_TOKEN [sh -c x]", 0},
		{"invalid --env", []string{"ils", "--env", "A-B", "--", "sh"}, "", 2},
		{"no --", []string{"ils", "sh"}, "", 2},
		{"no command", []string{"ils", "--"}, "", 2},
		{"negative min-ttl", []string{"ils", "--min-ttl", "-1s", "--", "sh"}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{IO: iostreams.Test(nil, &bytes.Buffer{}, &bytes.Buffer{})}
			got := parseForTest(t, f, NewCmdExec, tt.args, tt.wantCode)
			if tt.wantCode != 0 {
				return
			}
			o := got.Token
			if s := fmt.Sprint(o.Provider, " ", o.Scopes, " ", o.MinTTL, " ", got.Env, " ", got.Command); s != tt.want {
				t.Errorf("options %q, want %q", s, tt.want)
			}
			if o.Tokens != f.svc || o.IO != f.IO || o.Interruptible == nil || o.RefreshAhead != nil {
				t.Errorf("dependencies: %+v", o)
			}
		})
	}
}
