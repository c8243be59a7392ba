package tokens

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// fileService is a Service on a file store and config in a fresh home, with
// env as the environment; errOut is its stderr.
func fileService(t *testing.T, env map[string]string) (sv *Service, errOut *bytes.Buffer) {
	t.Helper()
	home := t.TempDir()
	for k, v := range map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"),
		"XDG_CONFIG_HOME": filepath.Join(home, "config"), "XDG_CACHE_HOME": filepath.Join(home, "cache"),
		"TOKCTL_CONFIG": "", "TOKCTL_STORE": ""} {
		t.Setenv(k, v)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	errOut = &bytes.Buffer{}
	return &Service{StoreKind: "file", ErrOut: errOut}, errOut
}

// prompter is a Prompter with a terminal (tty) that answers in turn.
type prompter struct {
	tty     bool
	answers []string
	asked   []string
}

func (p *prompter) CanPrompt() bool { return p.tty }

func (p *prompter) Prompt(q string) (string, error) { return p.answer(q) }

func (p *prompter) PromptSecret(q string) (string, error) { return p.answer(q) }

func (p *prompter) answer(q string) (string, error) {
	p.asked = append(p.asked, q)
	if len(p.answers) == 0 {
		return "", errors.New("no answer")
	}
	a := p.answers[0]
	p.answers = p.answers[1:]
	return a, nil
}

func secretOnStdin(s string) func() (string, error) { return func() (string, error) { return s, nil } }

func TestServiceLoginClientCredentials(t *testing.T) {
	tests := []struct {
		name  string
		lp    LoginParams
		store string
		// wantErr is a part of the error; empty means success.
		wantErr   string
		wantUsage bool
		wantKept  Kept
		// wantFetches counts the token requests the login made.
		wantFetches int
	}{
		{name: "secret from stdin", lp: LoginParams{ClientID: fakeprovider.TiliaClientID, SecretStdin: true,
			ReadSecret: secretOnStdin(fakeprovider.TiliaClientSecret)}, wantKept: KeptCredentials, wantFetches: 1},
		{name: "id and secret at the prompt", lp: LoginParams{Prompter: &prompter{tty: true,
			answers: []string{fakeprovider.TiliaClientID, fakeprovider.TiliaClientSecret}}}, wantKept: KeptCredentials, wantFetches: 1},
		{name: "no terminal to ask for the secret", lp: LoginParams{ClientID: fakeprovider.TiliaClientID},
			wantErr: "tilia: no client secret and no terminal to ask for it: pipe it to `tokctl login tilia --client-secret-stdin`, or set TOKCTL_TILIA_CLIENT_SECRET", wantUsage: true},
		{name: "no client id with the secret on stdin", lp: LoginParams{SecretStdin: true, ReadSecret: secretOnStdin("s")},
			wantErr: "no client id: use --client-id, or set TOKCTL_TILIA_CLIENT_ID"},
		{name: "empty stdin", lp: LoginParams{ClientID: fakeprovider.TiliaClientID, SecretStdin: true, ReadSecret: secretOnStdin("")},
			wantErr: "tilia: --client-secret-stdin: no secret on stdin", wantUsage: true},
		{name: "a key for a client without one", lp: LoginParams{ClientID: fakeprovider.TiliaClientID, KeyStdin: true},
			wantErr: "tilia: --private-key-stdin is for a client that signs with a private key", wantUsage: true},
		{name: "both stdin flags", lp: LoginParams{SecretStdin: true, KeyStdin: true},
			wantErr: "tilia: --private-key-stdin and --client-secret-stdin both read stdin: use one", wantUsage: true},
		{name: "store none", store: "none", lp: LoginParams{ClientID: fakeprovider.TiliaClientID, SecretStdin: true, ReadSecret: secretOnStdin("s")},
			wantErr: "tilia: login keeps tokens in a store, but the store is `none`; use --store keyring or --store file", wantUsage: true},
		{name: "wrong secret", lp: LoginParams{ClientID: fakeprovider.TiliaClientID, SecretStdin: true, ReadSecret: secretOnStdin("wrong")},
			wantErr: "tilia: the provider rejected the client credentials", wantFetches: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startFake(t)
			sv, _ := fileService(t, map[string]string{"TOKCTL_TILIA_TOKEN_URL": srv.URL() + "/tilia/token", "TOKCTL_TILIA_SCOPES": "user_info"})
			if tt.store != "" {
				sv.StoreKind = tt.store
			}
			lp := tt.lp
			lp.Provider = "tilia"
			if lp.Prompter == nil {
				lp.Prompter = &prompter{}
			}
			res, err := sv.Login(context.Background(), lp)
			if got := srv.Count("tilia.token"); got != tt.wantFetches {
				t.Errorf("%d token requests, want %d", got, tt.wantFetches)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				var ue *failure.UsageError
				if errors.As(err, &ue) != tt.wantUsage {
					t.Errorf("usage error: %v, want %v (%T)", !tt.wantUsage, tt.wantUsage, err)
				}
				if tt.store == "" {
					if sc := storedClient(t, sv); sc.ClientSecret != "" {
						t.Error("a failed login stored a client secret")
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Provider != "tilia" || res.Store != "file" || res.Kept != tt.wantKept || res.Token == nil || res.Token.AccessToken == "" {
				t.Errorf("result %+v", res)
			}
			if sc := storedClient(t, sv); sc.ClientID != fakeprovider.TiliaClientID || sc.ClientSecret != fakeprovider.TiliaClientSecret {
				t.Errorf("stored client %q, want the verified one", sc.ClientID)
			}
		})
	}
}

func storedClient(t *testing.T, sv *Service) StoredClient {
	t.Helper()
	b, err := sv.Store()
	if err != nil {
		t.Fatal(err)
	}
	return ReadStoredClient(context.Background(), b, "tilia")
}

// A login naming scopes makes them the default; a later login naming none
// asks for them again (Tilia requires scopes: without the remembered ones
// it is a configuration error).
func TestServiceLoginRemembersScopes(t *testing.T) {
	srv := startFake(t)
	sv, _ := fileService(t, map[string]string{"TOKCTL_TILIA_TOKEN_URL": srv.URL() + "/tilia/token",
		"TOKCTL_TILIA_CLIENT_ID": fakeprovider.TiliaClientID, "TOKCTL_TILIA_CLIENT_SECRET": fakeprovider.TiliaClientSecret})
	ctx := context.Background()
	lp := LoginParams{Provider: "tilia", Prompter: &prompter{}}
	if _, err := sv.Login(ctx, lp); err == nil {
		t.Fatal("a login without scopes for a provider that needs them succeeded")
	}
	lp.Scopes = []string{"user_info,write_registrations"}
	if _, err := sv.Login(ctx, lp); err != nil {
		t.Fatal(err)
	}
	b, _ := sv.Store()
	ix, err := LoadIndex(ctx, b, "tilia")
	if err != nil || strings.Join(ix.DefaultScopes, " ") != "user_info write_registrations" {
		t.Fatalf("default scopes %q (%v), want the login's", ix.DefaultScopes, err)
	}
	lp.Scopes = nil
	res, err := sv.Login(ctx, lp)
	if err != nil {
		t.Fatalf("a login with remembered scopes: %v", err)
	}
	if got := strings.Join(res.Token.Scopes, " "); !strings.Contains(got, "user_info") {
		t.Errorf("token scopes %q, want the remembered ones", got)
	}
}

func TestLoginClient(t *testing.T) {
	p := &fakeProvider{name: "p"}
	s := provider.Settings{Name: "p"}
	stored := StoredClient{ClientID: "stored-id", ClientSecret: "stored-secret"}
	tests := []struct {
		name      string
		s         provider.Settings
		lp        LoginParams
		answers   []string
		wantID    string
		wantSec   string
		wantFix   string
		entered   bool
		wantAsked int
	}{
		{name: "settings first", s: provider.Settings{Name: "p", ClientID: "env-id", ClientSecret: "env-secret"},
			wantID: "env-id", wantSec: "env-secret", wantFix: "check TOKCTL_P_CLIENT_ID and TOKCTL_P_CLIENT_SECRET"},
		{name: "then what a login stored", s: s, wantID: "stored-id", wantSec: "stored-secret", wantFix: StoredCredentialsFix("p")},
		{name: "--client-id asks for its secret", s: s, lp: LoginParams{ClientID: "stored-id"}, answers: []string{"typed"},
			wantID: "stored-id", wantSec: "typed", entered: true, wantAsked: 1, wantFix: "check --client-id and the secret entered"},
		{name: "stdin", s: s, lp: LoginParams{ClientID: "new-id", SecretStdin: true, ReadSecret: secretOnStdin("piped")},
			wantID: "new-id", wantSec: "piped", entered: true, wantFix: "check --client-id and the secret read from stdin"},
		{name: "stored id, secret from settings", s: provider.Settings{Name: "p", ClientSecret: "env-secret"},
			wantID: "stored-id", wantSec: "env-secret", wantFix: "check the client id stored by `tokctl login p` and TOKCTL_P_CLIENT_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TOKCTL_P_CLIENT_ID", "")
			t.Setenv("TOKCTL_P_CLIENT_SECRET", "")
			b := newMemStore()
			if err := WriteStoredClient(context.Background(), b, "p", provider.Credentials{ID: stored.ClientID, Secret: stored.ClientSecret}); err != nil {
				t.Fatal(err)
			}
			ask := &prompter{tty: true, answers: tt.answers}
			tt.lp.Prompter = ask
			if tt.lp.ClientID != "" {
				tt.s.ClientID = tt.lp.ClientID // as Login's settings do
			}
			got, err := loginClient(context.Background(), tt.lp, p, tt.s, b)
			if err != nil {
				t.Fatal(err)
			}
			if got.creds.ID != tt.wantID || got.creds.Secret != tt.wantSec || got.entered != tt.entered {
				t.Errorf("got id %q secret %q entered %v, want %q %q %v", got.creds.ID, got.creds.Secret, got.entered, tt.wantID, tt.wantSec, tt.entered)
			}
			if got.creds.Fix != tt.wantFix {
				t.Errorf("Fix = %q, want %q", got.creds.Fix, tt.wantFix)
			}
			if len(ask.asked) != tt.wantAsked {
				t.Errorf("asked %q, want %d questions", ask.asked, tt.wantAsked)
			}
		})
	}
}

// logout revokes a stored token only at the endpoint that issued
// it; after a change of issuer it warns, sends nothing and still removes
// the record.
func TestServiceLogoutRevokesOnlyAtTheIssuingEndpoint(t *testing.T) {
	tests := []struct {
		name        string
		endpoint    func(p provider.Provider) string
		wantRevoked bool
		wantOut     string
	}{
		{"same endpoint", func(p provider.Provider) string { return p.RecordEndpoint() }, true,
			"tokctl: kc: the provider revoked the access token\n"},
		{"another endpoint", func(provider.Provider) string { return "https://user:pw@old.example.com/token" }, false,
			"tokctl: warning: kc: not revoking a token issued by https://old.example.com/token at the provider configured now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startFake(t)
			sv, errOut := fileService(t, map[string]string{"TOKCTL_KC_KIND": "oauth2", "TOKCTL_KC_ISSUER": srv.OIDCIssuer(),
				"TOKCTL_KC_CLIENT_ID": fakeprovider.OIDCClientID, "TOKCTL_KC_CLIENT_SECRET": fakeprovider.OIDCClientSecret})
			ctx := context.Background()
			p, err := sv.Provider("kc")
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Prepare(ctx); err != nil {
				t.Fatal(err)
			}
			tok, err := p.(provider.ClientCredentialsGrant).ClientCredentials(ctx, provider.Credentials{ID: fakeprovider.OIDCClientID, Secret: fakeprovider.OIDCClientSecret})
			if err != nil {
				t.Fatal(err)
			}
			at := tok.AccessToken
			b, _ := sv.Store()
			rec := &store.Record{Provider: "kc", Endpoint: tt.endpoint(p), ClientID: fakeprovider.OIDCClientID, AccessToken: at}
			if err := store.SaveRecord(ctx, b, rec); err != nil {
				t.Fatal(err)
			}
			res, err := sv.Logout(ctx, "kc", false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Removed != 1 || res.Store != "file" || res.Provider != "kc" {
				t.Errorf("result %+v", res)
			}
			if got := srv.Revoked(at); got != tt.wantRevoked {
				t.Errorf("revoked: %v, want %v", got, tt.wantRevoked)
			}
			if tt.wantRevoked != (srv.Count("oidc.revoke") == 1) {
				t.Errorf("%d revocation requests", srv.Count("oidc.revoke"))
			}
			if !strings.HasPrefix(errOut.String(), tt.wantOut) {
				t.Errorf("stderr %q, want %q", errOut.String(), tt.wantOut)
			}
			if recs, _ := store.Records(ctx, b, "kc"); len(recs) != 0 {
				t.Errorf("%d records left", len(recs))
			}
		})
	}
}

// login picks its flow from the flags and what the provider has.
func TestLoginFlow(t *testing.T) {
	oauth2 := provider.Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token", ClientID: "id", ClientSecret: "s"}
	withAuth := oauth2
	withAuth.AuthURL = "https://idp.example.com/authorize"
	withDevice := withAuth
	withDevice.Set("device_auth_url", "https://idp.example.com/device")
	deviceDefault := withDevice
	deviceDefault.Set("device", "true")
	public := withAuth
	public.ClientSecret, public.AuthURL = "", ""
	tests := []struct {
		name    string
		s       provider.Settings
		lp      LoginParams
		want    string
		wantErr string
	}{
		{"client credentials only", oauth2, LoginParams{}, provider.GrantClientCredentials, ""},
		{"the browser when there is one", withAuth, LoginParams{}, provider.GrantAuthorizationCode, ""},
		{"--client-credentials", withAuth, LoginParams{ClientCredentials: true}, provider.GrantClientCredentials, ""},
		{"--device", withDevice, LoginParams{Device: true}, provider.GrantDeviceCode, ""},
		{"device by default", deviceDefault, LoginParams{}, provider.GrantDeviceCode, ""},
		{"device by default, --client-credentials", deviceDefault, LoginParams{ClientCredentials: true}, provider.GrantClientCredentials, ""},
		{"--device without a device endpoint", withAuth, LoginParams{Device: true}, "", "idp: no device flow: set `device_auth_url` (TOKCTL_IDP_DEVICE_AUTH_URL)"},
		{"a public client without a browser login", public, LoginParams{}, "", "idp: no login flow: set `auth_url` for the browser login (TOKCTL_IDP_AUTH_URL), or `issuer`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := provider.New(tt.s, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := loginFlow(tt.lp, p)
			if tt.wantErr != "" {
				var ce *failure.ConfigError
				if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a configuration error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("loginFlow = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestServiceRefresh(t *testing.T) {
	srv := startFake(t)
	env := map[string]string{"TOKCTL_TILIA_TOKEN_URL": srv.URL() + "/tilia/token",
		"TOKCTL_TILIA_CLIENT_ID": fakeprovider.TiliaClientID, "TOKCTL_TILIA_CLIENT_SECRET": fakeprovider.TiliaClientSecret}
	ctx := context.Background()

	sv, _ := fileService(t, env)
	sv.StoreKind = "none"
	_, err := sv.Refresh(ctx, "tilia", []string{"user_info"})
	var ue *failure.UsageError
	if !errors.As(err, &ue) || err.Error() != "tilia: refresh keeps tokens in a store, but the store is `none`; use `tokctl token get tilia --no-cache`" {
		t.Errorf("with the none store: %v", err)
	}

	sv, _ = fileService(t, env)
	for i := 1; i <= 2; i++ {
		res, err := sv.Refresh(ctx, "tilia", []string{"user_info"})
		if err != nil {
			t.Fatal(err)
		}
		// Tilia has no refresh tokens: each refresh is a new token.
		if res.Provider != "tilia" || res.Store != "file" || res.Refreshed || res.Token.AccessToken == "" || res.Token.Expiry.IsZero() {
			t.Errorf("refresh %d: %+v", i, res)
		}
		if got := srv.Count("tilia.token"); got != i {
			t.Errorf("refresh %d: %d token requests, want one each time", i, got)
		}
	}
}
