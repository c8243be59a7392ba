package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
)

// fakeTokens is the token service of the commands' tests: each method runs
// the test's function, which sees what the command passed.
type fakeTokens struct {
	login     func(tokens.LoginParams) (*tokens.LoginResult, error)
	logout    func(name string, all bool) (*tokens.LogoutResult, error)
	refresh   func(name string, scopes []string) (*tokens.RefreshResult, error)
	publicKey func(name, format string) ([]byte, error)
}

func (f *fakeTokens) Login(_ context.Context, lp tokens.LoginParams) (*tokens.LoginResult, error) {
	return f.login(lp)
}

func (f *fakeTokens) Logout(_ context.Context, name string, all bool) (*tokens.LogoutResult, error) {
	return f.logout(name, all)
}

func (f *fakeTokens) Refresh(_ context.Context, name string, scopes []string) (*tokens.RefreshResult, error) {
	return f.refresh(name, scopes)
}

func (f *fakeTokens) PublicKey(_ context.Context, name, format string) ([]byte, error) {
	return f.publicKey(name, format)
}

var testNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func testInterruptible(ctx context.Context, _ string) (context.Context, context.CancelFunc) {
	return context.WithCancel(ctx)
}

// testStreams are streams without a terminal, stdin holding in.
func testStreams(in string) (io *iostreams.IOStreams, out, errOut *bytes.Buffer) {
	out, errOut = &bytes.Buffer{}, &bytes.Buffer{}
	return iostreams.Test(strings.NewReader(in), out, errOut), out, errOut
}

func TestLoginRun(t *testing.T) {
	expiring := &tokens.Token{Provider: "tilia", AccessToken: "at", Expiry: testNow.Add(time.Hour)}
	tests := []struct {
		name  string
		opts  LoginOptions
		stdin string
		// login plays the service: it checks what loginRun passed.
		login func(t *testing.T, lp tokens.LoginParams) (*tokens.LoginResult, error)
		// wantExit is the exit code of loginRun's error; 0 when none.
		wantExit int
	}{
		{name: "credentials_stdin", opts: LoginOptions{LoginParams: tokens.LoginParams{Provider: "tilia", ClientID: "id", SecretStdin: true}}, stdin: "s3cret\nrest\n",
			login: func(t *testing.T, lp tokens.LoginParams) (*tokens.LoginResult, error) {
				if lp.Provider != "tilia" || lp.ClientID != "id" || !lp.SecretStdin || lp.KeyStdin {
					t.Errorf("params %+v", lp)
				}
				if s, err := lp.ReadSecret(); s != "s3cret" || err != nil {
					t.Errorf("ReadSecret = %q, %v; want the first line of stdin", s, err)
				}
				return &tokens.LoginResult{Provider: "tilia", Store: "file", Kept: tokens.KeptCredentials, Token: expiring}, nil
			}},
		{name: "no_terminal", opts: LoginOptions{LoginParams: tokens.LoginParams{Provider: "tilia", ClientID: "id"}},
			login: func(t *testing.T, lp tokens.LoginParams) (*tokens.LoginResult, error) {
				if lp.Prompter.CanPrompt() {
					t.Error("the prompter says it can ask without a terminal")
				}
				return nil, failure.Usagef("tilia: no client secret and no terminal to ask for it")
			}, wantExit: failure.ExitUsage},
		{name: "public_client", opts: LoginOptions{LoginParams: tokens.LoginParams{Provider: "kc", NoBrowser: true, Scopes: []string{"openid profile"}}, Timeout: time.Minute},
			login: func(t *testing.T, lp tokens.LoginParams) (*tokens.LoginResult, error) {
				if !lp.NoBrowser || strings.Join(lp.Scopes, "|") != "openid profile" {
					t.Errorf("params %+v", lp)
				}
				if fl := lp.Flow; fl == nil || fl.Open == nil || fl.CanOpen == nil || fl.Timeout != time.Minute || fl.Out == nil || fl.In == nil {
					t.Errorf("flow %+v", fl)
				}
				return &tokens.LoginResult{Provider: "kc", Store: "keyring", Kept: tokens.KeptToken, Token: &tokens.Token{Provider: "kc"}}, nil
			}},
		{name: "private_key", opts: LoginOptions{LoginParams: tokens.LoginParams{Provider: "svc", KeyStdin: true, ClientCredentials: true}}, stdin: "-----BEGIN PRIVATE KEY-----\n",
			login: func(t *testing.T, lp tokens.LoginParams) (*tokens.LoginResult, error) {
				if k, err := lp.ReadKey(); string(k) != "-----BEGIN PRIVATE KEY-----\n" || err != nil {
					t.Errorf("ReadKey = %q, %v; want stdin", k, err)
				}
				return &tokens.LoginResult{Provider: "svc", Store: "file", Kept: tokens.KeptKey, Token: expiring}, nil
			}},
		{name: "key_file_client", opts: LoginOptions{LoginParams: tokens.LoginParams{Provider: "svc", ClientCredentials: true}},
			login: func(*testing.T, tokens.LoginParams) (*tokens.LoginResult, error) {
				return &tokens.LoginResult{Provider: "svc", Store: "file", Kept: tokens.KeptClient, Token: expiring}, nil
			}},
		{name: "key_for_secret_client", opts: LoginOptions{LoginParams: tokens.LoginParams{Provider: "tilia", KeyStdin: true}},
			login: func(*testing.T, tokens.LoginParams) (*tokens.LoginResult, error) {
				return nil, failure.Usagef("tilia: --private-key-stdin is for a client that signs with a private key")
			}, wantExit: failure.ExitUsage},
		{name: "store_none", opts: LoginOptions{LoginParams: tokens.LoginParams{Provider: "tilia"}},
			login: func(*testing.T, tokens.LoginParams) (*tokens.LoginResult, error) {
				return nil, failure.Usagef("tilia: login keeps tokens in a store, but the store is `none`")
			}, wantExit: failure.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, out, errOut := testStreams(tt.stdin)
			opts := tt.opts
			opts.IO, opts.Now, opts.Interruptible = io, func() time.Time { return testNow }, testInterruptible
			opts.Tokens = &fakeTokens{login: func(lp tokens.LoginParams) (*tokens.LoginResult, error) { return tt.login(t, lp) }}
			err := loginRun(context.Background(), &opts)
			if got := exitCode(err); got != tt.wantExit {
				t.Errorf("exit %d (%v), want %d", got, err, tt.wantExit)
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q, want nothing", out)
			}
			assertGolden(t, "login_"+tt.name, errOut.Bytes())
		})
	}
}

// The commands parse their flags into their Options, check them, and hand
// the Options the Service only when they run.
func TestProviderCommandsParse(t *testing.T) {
	io, _, _ := testStreams("")
	f := &Factory{IO: io}
	var got any
	tests := []struct {
		name     string
		cmd      *cobra.Command
		args     []string
		want     string
		wantExit int
	}{
		{"login", NewCmdLogin(f, func(_ context.Context, o *LoginOptions) error { got = o; return nil }),
			[]string{"tilia", "--client-id", "id", "--scope", "a b"}, "tilia id [a b] 5m0s true", 0},
		{"login timeout", NewCmdLogin(f, func(_ context.Context, o *LoginOptions) error { got = o; return nil }),
			[]string{"tilia", "--timeout", "0s"}, "", failure.ExitUsage},
		{"logout", NewCmdLogout(f, func(_ context.Context, o *LogoutOptions) error { got = o; return nil }),
			[]string{"kc", "--all"}, "kc true true", 0},
		{"refresh", NewCmdRefresh(f, func(_ context.Context, o *RefreshOptions) error { got = o; return nil }),
			[]string{"tiki", "--scope", "read"}, "tiki [read] true", 0},
		{"key public", NewCmdKeyPublic(f, func(_ context.Context, o *KeyPublicOptions) error { got = o; return nil }),
			[]string{"svc", "-o", "pem"}, "svc pem true", 0},
		{"key public bad output", NewCmdKeyPublic(f, func(_ context.Context, o *KeyPublicOptions) error { got = o; return nil }),
			[]string{"svc", "-o", "der"}, "", failure.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			tt.cmd.SetArgs(tt.args)
			err := tt.cmd.Execute()
			if code := exitCode(err); code != tt.wantExit {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantExit)
			}
			var s string
			switch o := got.(type) {
			case *LoginOptions:
				s = fmt.Sprint(o.Provider, " ", o.ClientID, " ", o.Scopes, " ", o.Timeout, " ", o.Tokens != nil)
			case *LogoutOptions:
				s = fmt.Sprint(o.Provider, " ", o.All, " ", o.Tokens != nil)
			case *RefreshOptions:
				s = fmt.Sprint(o.Provider, " ", o.Scopes, " ", o.Tokens != nil)
			case *KeyPublicOptions:
				s = fmt.Sprint(o.Provider, " ", o.Output, " ", o.Tokens != nil)
			}
			if s != tt.want {
				t.Errorf("options %q, want %q", s, tt.want)
			}
		})
	}
}

func TestLogoutRun(t *testing.T) {
	tests := []struct {
		name    string
		all     bool
		removed int
		err     error
	}{
		{name: "none", removed: 0},
		{name: "one", removed: 1},
		{name: "many", removed: 3},
		{name: "all", all: true, removed: 1},
		{name: "error", err: errors.New("kc: the store is locked")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, out, errOut := testStreams("")
			opts := &LogoutOptions{IO: io, Interruptible: testInterruptible, Provider: "kc", All: tt.all}
			opts.Tokens = &fakeTokens{logout: func(name string, all bool) (*tokens.LogoutResult, error) {
				if name != "kc" || all != tt.all {
					t.Errorf("Logout(%q, %v)", name, all)
				}
				if tt.err != nil {
					return nil, tt.err
				}
				return &tokens.LogoutResult{Provider: "kc", Store: "file", Removed: tt.removed}, nil
			}}
			if err := logoutRun(context.Background(), opts); err != tt.err {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q, want nothing", out)
			}
			assertGolden(t, "logout_"+tt.name, errOut.Bytes())
		})
	}
}

func TestRefreshRun(t *testing.T) {
	tests := []struct {
		name      string
		refreshed bool
		tok       *tokens.Token
	}{
		{name: "refreshed", refreshed: true, tok: &tokens.Token{Expiry: testNow.Add(90*time.Minute + 400*time.Millisecond)}},
		{name: "new_token", tok: &tokens.Token{Expiry: testNow.Add(time.Hour)}},
		{name: "no_expiry", tok: &tokens.Token{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, out, errOut := testStreams("")
			opts := &RefreshOptions{IO: io, Now: func() time.Time { return testNow }, Interruptible: testInterruptible,
				Provider: "tiki", Scopes: []string{"read"}}
			opts.Tokens = &fakeTokens{refresh: func(name string, scopes []string) (*tokens.RefreshResult, error) {
				if name != "tiki" || strings.Join(scopes, " ") != "read" {
					t.Errorf("Refresh(%q, %q)", name, scopes)
				}
				return &tokens.RefreshResult{Provider: "tiki", Store: "keyring", Refreshed: tt.refreshed, Token: tt.tok}, nil
			}}
			if err := refreshRun(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q, want nothing", out)
			}
			assertGolden(t, "refresh_"+tt.name, errOut.Bytes())
		})
	}
}

func TestKeyPublicRun(t *testing.T) {
	for _, format := range []string{"jwk", "jwks", "pem"} {
		t.Run(format, func(t *testing.T) {
			io, out, errOut := testStreams("")
			opts := &KeyPublicOptions{IO: io, Provider: "svc", Output: format}
			opts.Tokens = &fakeTokens{publicKey: func(name, f string) ([]byte, error) {
				if name != "svc" || f != format {
					t.Errorf("PublicKey(%q, %q)", name, f)
				}
				return []byte("the " + f + " key\n"), nil
			}}
			if err := keyPublicRun(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			if out.String() != "the "+format+" key\n" || errOut.Len() > 0 {
				t.Errorf("stdout %q, stderr %q; want the key on stdout only", out, errOut)
			}
		})
	}
	io, out, _ := testStreams("")
	want := &failure.ConfigError{Provider: "svc", Msg: "no private key"}
	opts := &KeyPublicOptions{IO: io, Provider: "svc", Output: "jwk",
		Tokens: &fakeTokens{publicKey: func(string, string) ([]byte, error) { return nil, want }}}
	if err := keyPublicRun(context.Background(), opts); err != want || out.Len() > 0 {
		t.Errorf("err = %v, stdout %q; want the service's error and nothing printed", err, out)
	}
}
