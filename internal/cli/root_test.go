package cli

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/iostreams"
)

// A panic anywhere under Main ends in exit 1 and one line that names only
// the panic's type, never its value (which could hold a secret or token).
func TestRecoverPanicHidesTheValue(t *testing.T) {
	const secret = "client-secret-9bc00ca4"
	for name, value := range map[string]any{
		"string": "token " + secret,
		"error":  errors.New("refresh_token=" + secret),
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("TOKCTL_DEBUG", "")
			var stderr bytes.Buffer
			code := 0
			func() {
				defer recoverPanic(&stderr, &code)
				panic(value)
			}()
			if code != failure.ExitError {
				t.Errorf("code = %d, want %d", code, failure.ExitError)
			}
			out := stderr.String()
			if strings.Contains(out, secret) || !strings.HasPrefix(out, "tokctl: internal error (") || strings.Count(out, "\n") != 1 {
				t.Errorf("stderr = %q", out)
			}
		})
	}
	code := 0
	func() { defer recoverPanic(&bytes.Buffer{}, &code) }()
	if code != 0 {
		t.Errorf("no panic changed the code to %d", code)
	}
}

// newRootForArgs builds only the command that runs when the first argument names
// one, and the whole tree otherwise; the whole tree is what the table lists.
func TestNewRootForArgsBuildsWhatRuns(t *testing.T) {
	f := &Factory{IO: iostreams.Test(nil, &bytes.Buffer{}, &bytes.Buffer{})}
	names := func(args ...string) []string {
		root := newRootForArgs(f, args)
		root.InitDefaultCompletionCmd() // what Cobra adds at Execute, unless disabled
		var out []string
		for _, c := range root.Commands() {
			out = append(out, c.Name())
		}
		return out
	}
	var all []string
	for _, sc := range subcommands {
		all = append(all, sc.name)
		if got := names(sc.name, "--help"); len(got) != 1 || got[0] != sc.name {
			t.Errorf("tokctl %s: the tree holds %v, want only %s", sc.name, got, sc.name)
		}
	}
	full := append(slices.Clone(all), "completion", "help") // help: see knownHelpTopic
	slices.Sort(full)
	for _, args := range [][]string{nil, {"help"}, {"help", "token"}, {"completion", "bash"}, {"__complete", "tok"}, {"--help"}, {"-v", "token", "get", "x"}, {"tokne"}} {
		got := names(args...)
		slices.Sort(got)
		if !slices.Equal(got, full) {
			t.Errorf("tokctl %s: the tree holds %v, want %v", strings.Join(args, " "), got, full)
		}
	}
	var whole []string
	for _, c := range NewCmdRoot(f).Commands() {
		whole = append(whole, c.Name())
	}
	slices.Sort(whole)
	if !slices.Equal(whole, full) {
		t.Errorf("NewCmdRoot has %v, want the table, completion and help %v", whole, full)
	}
}

func TestHelpTopics(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		stdout   string // a line stdout must hold
		stderr   string // all of stderr
		noStdout bool
	}{
		{args: []string{"help", "bogus"}, code: 2, noStdout: true,
			stderr: "tokctl: unknown help topic \"bogus\"; `tokctl help` lists the commands and topics\n"},
		{args: []string{"help", "bogus", "more"}, code: 2, noStdout: true,
			stderr: "tokctl: unknown help topic \"bogus more\"; `tokctl help` lists the commands and topics\n"},
		{args: []string{"help", "token", "get"}, stdout: "  tokctl token get PROVIDER [flags]"},
		{args: []string{"help", "exit-codes"}, stdout: "  0         Success."},
		{args: []string{"help"}, stdout: "Additional help topics:"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(&Factory{IO: iostreams.Test(nil, &stdout, &stderr)}, tt.args)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if tt.noStdout && stdout.Len() > 0 {
				t.Errorf("stdout = %q, want nothing", &stdout)
			}
			if tt.stdout != "" && !slices.Contains(strings.Split(stdout.String(), "\n"), tt.stdout) {
				t.Errorf("stdout has no line %q:\n%s", tt.stdout, &stdout)
			}
			if stderr.String() != tt.stderr {
				t.Errorf("stderr = %q, want %q", &stderr, tt.stderr)
			}
		})
	}
}

// TestRunEscapesErrors: the error line may quote what tokctl did not write
// (here a key file's path; elsewhere a provider's text or a file's): no
// control character reaches the terminal, and a message of several lines
// (cobra's suggestions) keeps its newlines and tabs.
func TestRunEscapesErrors(t *testing.T) {
	hostile := filepath.Join(t.TempDir(), "k\x1b]52;c;eA==\a\u202e.pem")
	tests := []struct {
		args       []string
		code       int
		want, deny string
	}{
		{[]string{"decode", "--key", hostile, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}, 1, `k\x1b]52;c;eA==\x07\u202e.pem`, "\x1b"},
		{[]string{"logn"}, 2, "unknown command \"logn\" for \"tokctl\"\n\nDid you mean this?\n\tlogin\n", "\\x"},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(&Factory{IO: iostreams.Test(nil, &stdout, &stderr)}, tt.args)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, &stderr)
			}
			if !strings.HasPrefix(stderr.String(), "tokctl: ") || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want a tokctl line with %q", &stderr, tt.want)
			}
			if strings.Contains(stderr.String(), tt.deny) || strings.ContainsRune(stderr.String(), '\u202e') {
				t.Errorf("stderr = %q holds %q or an unescaped control", &stderr, tt.deny)
			}
		})
	}
}
