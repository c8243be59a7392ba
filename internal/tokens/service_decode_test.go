package tokens

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/store"
)

// jwksServer serves a JWK Set of one key on 127.0.0.1, and the User-Agent
// of each request to agents.
func jwksServer(t *testing.T, agents chan<- string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents <- r.Header.Get("User-Agent")
		fmt.Fprint(w, `{"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestServiceFetchJWKS(t *testing.T) {
	agents := make(chan string, 4)
	srv := jwksServer(t, agents)
	withUser := strings.Replace(srv.URL, "http://", "http://user:pw@", 1) + "/jwks"
	for _, verbose := range []bool{false, true} {
		sv, errOut := newTestService(t, "", time.Now())
		sv.Verbose = verbose
		keys, err := sv.FetchJWKS(context.Background(), withUser)
		if err != nil {
			t.Fatalf("verbose %v: %v", verbose, err)
		}
		if got := keys.Describe(); !strings.Contains(got, "1 usable key") {
			t.Errorf("keys: %s", got)
		}
		if got := <-agents; got != "tokctl/test" {
			t.Errorf("User-Agent %q: not the Service's outbound client", got)
		}
		line := "tokctl: fetching the JWK Set " + srv.URL + "/jwks\n"
		if verbose && !strings.HasPrefix(errOut.String(), line) {
			t.Errorf("-v stderr %q, want it to start with %q (no userinfo)", errOut.String(), line)
		}
		if !verbose && errOut.Len() != 0 {
			t.Errorf("stderr without -v: %q", errOut.String())
		}
		if strings.Contains(errOut.String(), "pw") {
			t.Errorf("the password reached stderr: %q", errOut.String())
		}
	}
	sv, _ := newTestService(t, "", time.Now())
	if _, err := sv.FetchJWKS(context.Background(), "http://idp.example.com/jwks"); err == nil {
		t.Error("a plain-http JWKS URL off loopback was fetched")
	}
}

func TestServiceProviderKeys(t *testing.T) {
	srv := startFake(t)
	sv, _ := newTestService(t, `providers:
  kc:
    kind: oauth2
    issuer: `+srv.OIDCIssuer()+`
    client_id: tokctl
  plain:
    kind: oauth2
    token_url: https://idp.example.com/token
    client_id: tokctl
  broken:
    kind: oauth2
`, time.Now())
	tests := []struct {
		name     string
		required bool
		wantKeys bool
		wantErr  string
	}{
		{name: "kc", required: true, wantKeys: true},
		{name: "kc", wantKeys: true},
		{name: "plain", required: true, wantErr: "plain publishes no JWKS (set `jwks_url` or `issuer`)"},
		{name: "plain"},
		{name: "broken", required: true, wantErr: "broken: "},
		{name: "broken"},
	}
	for _, tt := range tests {
		keys, err := sv.ProviderKeys(context.Background(), tt.name, tt.required)
		if got := errString(err); !strings.HasPrefix(got, tt.wantErr) || (got == "") != (tt.wantErr == "") {
			t.Errorf("%s, required %v: error %q, want %q", tt.name, tt.required, got, tt.wantErr)
		}
		if (keys != nil) != tt.wantKeys {
			t.Errorf("%s, required %v: keys %s", tt.name, tt.required, keys.Describe())
		}
	}
}

func TestServiceStoredToken(t *testing.T) {
	sv, _ := newTestService(t, `providers:
  kc:
    kind: oauth2
    token_url: https://idp.example.com/token
    client_id: tokctl
`, time.Now())
	p, err := sv.Provider("kc")
	if err != nil {
		t.Fatal(err)
	}
	save(t, sv, &store.Record{Provider: "kc", Endpoint: p.RecordEndpoint(), AccessToken: "at-kc", IDToken: "id.kc.x", DefaultScopes: true, ObtainedAt: time.Now()})
	save(t, sv, &store.Record{Provider: "ils", Endpoint: "https://old.example.com/token", AccessToken: "at-ils", ObtainedAt: time.Now()})
	tests := []struct {
		name     string
		idToken  bool
		want     string
		wantErr  string
		wantCode int
	}{
		{name: "kc", want: "at-kc"},
		{name: "kc", idToken: true, want: "id.kc.x"},
		{name: "ils", want: "at-ils"}, // stored for another endpoint: still shown
		{name: "ils", idToken: true, wantErr: "ils: the stored token came without an ID token", wantCode: 1},
		{name: "tilia", wantErr: "tilia: no stored token; run `tokctl token get tilia` first", wantCode: 2},
		{name: "nope", wantErr: "nope: unknown provider", wantCode: 2},
	}
	for _, tt := range tests {
		got, err := sv.StoredToken(context.Background(), tt.name, tt.idToken)
		if got != tt.want || !strings.HasPrefix(errString(err), tt.wantErr) || failure.ExitCode(err) != tt.wantCode {
			t.Errorf("%s, id token %v: %q, %v (exit %d), want %q, %q (exit %d)", tt.name, tt.idToken, got, err, failure.ExitCode(err), tt.want, tt.wantErr, tt.wantCode)
		}
	}
}

func TestServiceIsProvider(t *testing.T) {
	sv, _ := newTestService(t, "providers:\n  kc:\n    kind: oauth2\n    token_url: https://idp.example.com/token\n", time.Now())
	for name, want := range map[string]bool{"kc": true, "tilia": true, "nope": false, "./kc": false, "jwks.json": false} {
		if got := sv.IsProvider(name); got != want {
			t.Errorf("IsProvider(%q) = %v, want %v", name, got, want)
		}
	}
	// A path is never looked up: the config file is not even read.
	broken := &Service{ConfigFile: filepath.Join(t.TempDir(), "missing.yaml")}
	if broken.IsProvider("./jwks.json") || broken.cfg != nil {
		t.Error("a path was looked up as a provider")
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fakeKeySource is a KeySource with one provider, kc, whose JWKS is keys;
// it records the calls.
type fakeKeySource struct {
	keys  *jwt.Keys
	calls []string
}

func (f *fakeKeySource) IsProvider(name string) bool {
	f.calls = append(f.calls, "IsProvider "+name)
	return name == "kc"
}

func (f *fakeKeySource) ProviderKeys(_ context.Context, name string, required bool) (*jwt.Keys, error) {
	f.calls = append(f.calls, fmt.Sprintf("ProviderKeys %s %v", name, required))
	return f.keys, nil
}

func (f *fakeKeySource) FetchJWKS(_ context.Context, rawURL string) (*jwt.Keys, error) {
	f.calls = append(f.calls, "FetchJWKS "+rawURL)
	return f.keys, nil
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	const jwks = `{"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}`
	secret := strings.Repeat("s", 40)
	for name, data := range map[string]string{"jwks": jwks, "kc": jwks, "secret": secret + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	providerKeys, err := jwt.ParseJWKS([]byte(jwks))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		spec      KeySpec
		stdin     string
		wantKeys  string // what Describe says; "" for no keys
		wantNote  string
		wantErr   string
		wantCode  int
		wantCalls string
	}{
		{name: "nothing"},
		{name: "--hmac-secret-file", spec: KeySpec{SecretFile: "secret"}, wantKeys: "an HMAC shared secret (40 bytes)",
			wantNote: "tokctl: --hmac-secret-file secret: an HMAC shared secret (40 bytes)\n"},
		{name: "--hmac-secret-file -", spec: KeySpec{SecretFile: "-"}, stdin: secret, wantKeys: "an HMAC shared secret (40 bytes)",
			wantNote: "tokctl: --hmac-secret-file -: an HMAC shared secret (40 bytes)\n"},
		{name: "--hmac-secret-file -, too large", spec: KeySpec{SecretFile: "-"}, stdin: strings.Repeat("s", 1<<20+1),
			wantErr: "decode: --hmac-secret-file: stdin: larger than 1 MiB: not a secret", wantCode: 1},
		{name: "--key missing", spec: KeySpec{KeyFile: "nope.pem"}, wantErr: "decode: --key: open nope.pem: no such file or directory", wantCode: 1},
		{name: "--jwks URL", spec: KeySpec{JWKS: "https://idp.example.com/jwks"}, wantKeys: providerKeys.Describe(),
			wantCalls: "FetchJWKS https://idp.example.com/jwks"},
		// A provider's name wins over the file kc in the current directory.
		{name: "--jwks provider", spec: KeySpec{JWKS: "kc"}, wantKeys: providerKeys.Describe(), wantCalls: "IsProvider kc; ProviderKeys kc true"},
		{name: "--jwks bare name", spec: KeySpec{JWKS: "jwks"}, wantCode: 2, wantCalls: "IsProvider jwks",
			wantErr: `decode: --jwks: no provider is named "jwks"; give a JWK Set file as a path (--jwks ./jwks) or an https URL`},
		{name: "--jwks path", spec: KeySpec{JWKS: "./jwks"}, wantKeys: providerKeys.Describe(), wantCalls: "IsProvider ./jwks",
			wantNote: "tokctl: --jwks ./jwks: " + providerKeys.Describe() + "\n"},
		{name: "--provider", spec: KeySpec{Provider: "kc"}, wantKeys: providerKeys.Describe(), wantCalls: "ProviderKeys kc false"},
		{name: "--key wins over --provider", spec: KeySpec{KeyFile: "jwks", Provider: "kc"}, wantKeys: "a JWK Set (1 usable key)",
			wantNote: "tokctl: --key jwks: a JWK Set (1 usable key)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var notes bytes.Buffer
			src := &fakeKeySource{keys: providerKeys}
			tt.spec.Stdin, tt.spec.Notes = strings.NewReader(tt.stdin), &notes
			keys, err := LoadKeys(context.Background(), tt.spec, src)
			if errString(err) != tt.wantErr || failure.ExitCode(err) != tt.wantCode {
				t.Fatalf("error %v (exit %d), want %q (exit %d)", err, failure.ExitCode(err), tt.wantErr, tt.wantCode)
			}
			if got := describeKeys(keys); got != tt.wantKeys {
				t.Errorf("keys %q, want %q", got, tt.wantKeys)
			}
			if notes.String() != tt.wantNote {
				t.Errorf("notes %q, want %q", notes.String(), tt.wantNote)
			}
			if got := strings.Join(src.calls, "; "); got != tt.wantCalls {
				t.Errorf("calls %q, want %q", got, tt.wantCalls)
			}
		})
	}
}

func describeKeys(keys *jwt.Keys) string {
	if keys == nil {
		return ""
	}
	return keys.Describe()
}

func TestKeySpecCheck(t *testing.T) {
	tests := []struct {
		spec         KeySpec
		tokenOnStdin bool
		wantErr      string
	}{
		{spec: KeySpec{}},
		{spec: KeySpec{KeyFile: "k.pem", Provider: "kc"}},
		{spec: KeySpec{JWKS: "https://idp.example.com/jwks"}},
		{spec: KeySpec{JWKS: "http://127.0.0.1:8080/jwks"}},
		{spec: KeySpec{SecretFile: "-"}},
		{spec: KeySpec{SecretFile: "-"}, tokenOnStdin: true, wantErr: "--hmac-secret-file - reads the secret from stdin, so give the token as an argument"},
		{spec: KeySpec{KeyFile: "k.pem", JWKS: "./jwks"}, wantErr: "give one of --key, --hmac-secret-file and --jwks"},
		{spec: KeySpec{KeyFile: "k.pem", SecretFile: "-"}, tokenOnStdin: true, wantErr: "give one of --key, --hmac-secret-file and --jwks"},
		{spec: KeySpec{JWKS: "http://idp.example.com/jwks"},
			wantErr: "decode: --jwks: refusing plain-http JWKS URL http://idp.example.com/jwks: use https (http is allowed only on loopback)"},
	}
	for _, tt := range tests {
		err := tt.spec.Check(tt.tokenOnStdin)
		if errString(err) != tt.wantErr || (err != nil && failure.ExitCode(err) != 2) {
			t.Errorf("%+v, token on stdin %v: %v (exit %d), want %q (exit 2)", tt.spec, tt.tokenOnStdin, err, failure.ExitCode(err), tt.wantErr)
		}
	}
}
