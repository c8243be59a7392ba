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

// fakeGetter is a tokenGetter that hands out tok (or fails with err) and
// records what it was asked.
type fakeGetter struct {
	tok        *tokens.Token
	err        error
	gets       []tokens.GetRequest
	renewAhead []string
}

func (f *fakeGetter) Get(_ context.Context, q tokens.GetRequest) (*tokens.Token, error) {
	f.gets = append(f.gets, q)
	if f.err != nil {
		return nil, f.err
	}
	return f.tok, nil
}

func (f *fakeGetter) RenewAhead(_ context.Context, provider string, scopes []string) error {
	f.renewAhead = append(f.renewAhead, provider+" "+strings.Join(scopes, ","))
	return f.err
}

var getNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// testIDToken is an unsigned JWT that expires 20 minutes after getNow.
var testIDToken = b64url([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
	b64url([]byte(fmt.Sprintf(`{"iss":"https://idp","aud":"k8s","exp":%d}`, getNow.Add(20*time.Minute).Unix()))) + ".c2ln"

// TestTokenGetRun runs tokenGetRun on a fake of the token lifecycle: what
// each output prints (golden files), what it asks for, and how each
// failure ends (exit code, nothing on stdout).
func TestTokenGetRun(t *testing.T) {
	t.Setenv("KUBERNETES_EXEC_INFO", "")
	good := &tokens.Token{Provider: "kc", AccessToken: "tok123", TokenType: "bearer", Expiry: getNow.Add(90 * time.Minute),
		Scopes: []string{"openid", "email"}, IDToken: testIDToken}
	tests := []struct {
		name     string
		output   string
		tok      *tokens.Token
		err      error
		wantCode int
		wantErr  string // in the error; "" for none
	}{
		{name: "token", output: "token", tok: good},
		{name: "header", output: "header", tok: good},
		{name: "env", output: "env", tok: &tokens.Token{Provider: "kc", AccessToken: "a'b$(id)"}},
		{name: "json", output: "json", tok: good},
		{name: "id-token", output: "id-token", tok: good},
		{name: "exec-credential", output: "exec-credential", tok: good},
		{name: "exec-credential without ID token", output: "exec-credential",
			tok: &tokens.Token{Provider: "kc", AccessToken: "tok123", Expiry: getNow.Add(time.Hour)}},
		{name: "usage error", output: "id-token", err: failure.Usagef("kc: -o id-token: no"), wantCode: 2, wantErr: "kc: -o id-token: no"},
		{name: "login required", output: "token", err: &failure.LoginRequiredError{Provider: "kc", Reason: "no stored token"}, wantCode: 3,
			wantErr: "no stored token"},
		{name: "no ID token", output: "id-token", tok: &tokens.Token{Provider: "kc", AccessToken: "a"}, wantCode: 3,
			wantErr: "tokctl login kc --scope openid"},
		{name: "unverified ID token", output: "id-token", tok: &tokens.Token{Provider: "kc", AccessToken: "a", IDToken: testIDToken, IDTokenUnverified: true},
			wantCode: 1, wantErr: "the stored ID token is not verified"},
		{name: "unprintable token", output: "header", tok: &tokens.Token{Provider: "kc", AccessToken: "a\nX-Injected: 1"},
			wantCode: 1, wantErr: "not printable ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			fake := &fakeGetter{tok: tt.tok, err: tt.err}
			opts := &TokenGetOptions{IO: iostreams.Test(nil, &out, &errOut), Tokens: fake, Now: func() time.Time { return getNow },
				Provider: "kc", Output: tt.output, Scopes: []string{"openid"}, MinTTL: time.Minute}
			err := tokenGetRun(context.Background(), opts)
			if code := exitCode(err); code != tt.wantCode || tt.wantErr != "" && !strings.Contains(fmt.Sprint(err), tt.wantErr) {
				t.Fatalf("error %v (exit %d), want exit %d and %q", err, code, tt.wantCode, tt.wantErr)
			}
			if len(fake.gets) != 1 {
				t.Fatalf("%d token requests, want 1", len(fake.gets))
			}
			q := fake.gets[0]
			if q.Provider != "kc" || strings.Join(q.Scopes, " ") != "openid" || q.MinTTL != time.Minute || q.NoCache ||
				q.IDToken != (tt.output == "id-token") || q.FreshIDToken != (tt.output == "exec-credential") || q.RefreshAhead != nil {
				t.Errorf("request %+v", q)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr %q", errOut.String())
			}
			if tt.wantCode != 0 {
				if out.Len() != 0 {
					t.Errorf("stdout %q after an error", out.String())
				}
				return
			}
			assertGolden(t, "token-get-"+strings.ReplaceAll(tt.name, " ", "-"), out.Bytes())
		})
	}
}

// The background refresh renews ahead and prints nothing; a foreground
// run hands refresh-ahead to the lifecycle, which decides.
func TestTokenGetRunRefreshAhead(t *testing.T) {
	var out bytes.Buffer
	fake := &fakeGetter{tok: &tokens.Token{Provider: "p", AccessToken: "a"}}
	opts := &TokenGetOptions{IO: iostreams.Test(nil, &out, &out), Tokens: fake, Now: time.Now,
		Provider: "p", Output: "token", Scopes: []string{"a b"}, MinTTL: time.Minute, RefreshAheadChild: true}
	if err := tokenGetRun(context.Background(), opts); err != nil || len(fake.gets) != 0 || out.Len() != 0 ||
		strings.Join(fake.renewAhead, "|") != "p a b" {
		t.Fatalf("child: %v, gets %d, renew-ahead %q, output %q", err, len(fake.gets), fake.renewAhead, out.String())
	}

	var started []string
	opts.RefreshAheadChild = false
	opts.RefreshAhead = func(provider string, scopes []string, minTTL time.Duration) {
		started = append(started, fmt.Sprint(provider, scopes, minTTL))
	}
	if err := tokenGetRun(context.Background(), opts); err != nil || len(fake.gets) != 1 || fake.gets[0].RefreshAhead == nil {
		t.Fatalf("foreground: %v, requests %+v; want one with RefreshAhead", err, fake.gets)
	}
	fake.gets[0].RefreshAhead()
	if strings.Join(started, "|") != "p[a b] 1m0s" {
		t.Errorf("started %q", started)
	}
}

// TestNewCmdTokenGet checks that flags and arguments reach TokenGetOptions,
// that bad ones are usage errors (exit 2) before any work starts, and that
// building the command builds no Service.
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
		{"refresh-ahead child", []string{"ils", "--refresh-ahead-child"},
			TokenGetOptions{Provider: "ils", Output: "token", MinTTL: time.Minute, RefreshAheadChild: true}, 0},
		{"unknown output", []string{"ils", "-o", "yaml"}, TokenGetOptions{}, 2},
		{"negative min-ttl", []string{"ils", "--min-ttl", "-1s"}, TokenGetOptions{}, 2},
		{"no provider", nil, TokenGetOptions{}, 2},
		{"two providers", []string{"ils", "tilia"}, TokenGetOptions{}, 2},
		{"secret flag does not exist", []string{"ils", "--client-secret", "x"}, TokenGetOptions{}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{IO: iostreams.Test(nil, &bytes.Buffer{}, &bytes.Buffer{})}
			got := parseForTest(t, f, NewCmdTokenGet, tt.args, tt.wantCode)
			if tt.wantCode != 0 {
				return
			}
			if got.Tokens != f.svc || got.IO != f.IO || got.Now == nil || got.Interruptible == nil || got.RefreshAhead != nil {
				t.Errorf("dependencies: %+v", *got)
			}
			got.IO, got.Tokens, got.Now, got.Interruptible = nil, nil, nil, nil
			if fmt.Sprint(*got) != fmt.Sprint(tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
