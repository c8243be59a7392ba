package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
)

// fakeProviders is a providersDescriber with a fixed report.
type fakeProviders struct {
	report tokens.ProvidersReport
	err    error
}

func (f fakeProviders) Describe(context.Context) (tokens.ProvidersReport, error) {
	return f.report, f.err
}

// providersReport has a provider with a problem, one whose endpoints come
// from a discovery document, one from a cached one, and two kinds.
func providersReport(configFile string) tokens.ProvidersReport {
	s := func(v string) *string { return &v }
	return tokens.ProvidersReport{
		ConfigFile: configFile,
		Providers: []tokens.ProviderInfo{
			{Name: "ils", Kind: s("ils"), BuiltIn: true, Flows: []string{"client_credentials"}, Scopes: []string{},
				Endpoints: tokens.ProviderEndpoints{Token: s("https://api.ils.live/api/oauth/token")},
				Problems:  []string{"no client id: set `client_id` under providers.ils in the config file, or TOKCTL_ILS_CLIENT_ID"}},
			{Name: "kc", Kind: s("oauth2"), Flows: []string{"authorization_code", "refresh_token"}, ClientID: s("tokctl"), PublicClient: true,
				Scopes: []string{"openid"}, Problems: []string{},
				Endpoints: tokens.ProviderEndpoints{Issuer: s("https://kc.example.com/realms/dev"),
					Discovery: s("https://kc.example.com/realms/dev/.well-known/openid-configuration"),
					Token:     s("https://kc.example.com/realms/dev/token"), Authorization: s("https://kc.example.com/realms/dev/auth"),
					JWKS: s("https://kc.example.com/realms/dev/certs")}},
			{Name: "offline", Kind: s("oauth2"), Flows: []string{"authorization_code"}, ClientID: s("tokctl"), Scopes: []string{}, Problems: []string{},
				Endpoints: tokens.ProviderEndpoints{Issuer: s("https://offline.example.com"), Token: s("https://offline.example.com/token"),
					Device: s("https://offline.example.com/device"), Revocation: s("https://offline.example.com/revoke")}},
			{Name: "broken", Flows: []string{}, Scopes: []string{}, Problems: []string{"unknown kind \"nope\"", "second problem"}},
		},
		Kinds: []tokens.KindInfo{{Name: "ils", BuiltIn: true, Summary: "ILS (client credentials)"}, {Name: "oauth2", Summary: "any RFC 6749 server"}},
	}
}

func TestProvidersRun(t *testing.T) {
	tests := []struct {
		name       string
		output     string
		verbose    bool
		tokens     fakeProviders
		wantOut    string // golden file of stdout; "" for none
		wantErrOut string // golden file of stderr; "" for none
		wantErr    string
	}{
		{name: "text", output: "text", tokens: fakeProviders{report: providersReport("/home/u/.config/tokctl/config.yaml")},
			wantOut: "providers_text", wantErrOut: "providers_text_stderr"},
		{name: "text, no config file", output: "text", tokens: fakeProviders{report: providersReport("")},
			wantOut: "providers_text", wantErrOut: "providers_text_noconfig_stderr"},
		{name: "-v lists the kinds", output: "text", verbose: true, tokens: fakeProviders{report: providersReport("/c.yaml")},
			wantOut: "providers_text", wantErrOut: "providers_verbose_stderr"},
		{name: "json", output: "json", tokens: fakeProviders{report: providersReport("/c.yaml")}, wantOut: "providers_json"},
		{name: "json, -v", output: "json", verbose: true, tokens: fakeProviders{report: providersReport("/c.yaml")}, wantOut: "providers_json"},
		{name: "config error", output: "text", tokens: fakeProviders{err: errors.New("config: bad file")}, wantErr: "config: bad file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			opts := &ProvidersOptions{IO: iostreams.Test(strings.NewReader(""), &out, &errOut), Tokens: tt.tokens,
				Verbose: tt.verbose, Output: tt.output}
			err := providersRun(context.Background(), opts)
			if got := errText(err); got != tt.wantErr {
				t.Fatalf("error %q, want %q", got, tt.wantErr)
			}
			for _, stream := range []struct {
				golden string
				got    *bytes.Buffer
			}{{tt.wantOut, &out}, {tt.wantErrOut, &errOut}} {
				if stream.golden == "" {
					if stream.got.Len() != 0 {
						t.Errorf("unexpected output: %q", stream.got.String())
					}
					continue
				}
				assertGolden(t, stream.golden, stream.got.Bytes())
			}
		})
	}
}

// TestNewCmdProviders checks what the command hands providersRun, and that
// a bad -o is a usage error before anything is read.
func TestNewCmdProviders(t *testing.T) {
	tests := []struct {
		args     []string
		verbose  bool
		want     string // the Output providersRun gets; "" when it must not run
		wantCode int
	}{
		{args: nil, want: "text"},
		{args: []string{"-o", "json"}, verbose: true, want: "json"},
		{args: []string{"-o", "yaml"}, wantCode: 2},
		{args: []string{"ils"}, wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := &Factory{IO: iostreams.Test(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}), Timeout: time.Minute, Verbose: tt.verbose}
			got := parseForTest(t, f, NewCmdProviders, tt.args, tt.wantCode)
			if tt.want == "" {
				return
			}
			if got == nil || got.Output != tt.want || got.Tokens == nil || got.Verbose != tt.verbose {
				t.Errorf("options %+v, want output %q, verbose %v, with a describer", got, tt.want, tt.verbose)
			}
		})
	}
}
