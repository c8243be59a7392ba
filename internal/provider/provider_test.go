package provider

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/oauth"
)

func startFake(t *testing.T, opts fakeprovider.Options) *fakeprovider.Server {
	t.Helper()
	return fakeprovider.StartTest(t, opts)
}

// httpClient does not retry much: the fake never fails on purpose.
func httpClient() *oauth.Client {
	return &oauth.Client{UserAgent: "tokctl/test", MaxAttempts: 2, MaxRetryWait: time.Second, RequestTimeout: 5 * time.Second}
}

func mustNew(t *testing.T, s Settings) Provider {
	t.Helper()
	p, err := New(s, httpClient())
	if err != nil {
		t.Fatalf("New(%+v): %v", s, err)
	}
	return p
}

// fakeSettings points each kind at its route on the fake.
func fakeSettings(srv *fakeprovider.Server, name, kind string) Settings {
	u := srv.URL()
	switch kind {
	case "tilia":
		return Settings{Name: name, Kind: kind, TokenURL: u + "/tilia/token", Scopes: []string{"write_registrations", "user_info"}}
	case "ils":
		return Settings{Name: name, Kind: kind, TokenURL: u + "/ils/api/oauth/token"}
	case "tiki":
		return with(Settings{Name: name, Kind: kind}, "url", u+"/tiki/")
	case "tiltify":
		return Settings{Name: name, Kind: kind, TokenURL: u + "/tiltify/oauth/token", AuthURL: u + "/tiltify/oauth/authorize"}
	case "oauth2":
		return Settings{Name: name, Kind: kind, TokenURL: u + "/oauth2/token"}
	}
	panic(kind)
}

func TestClientCredentialsAgainstFake(t *testing.T) {
	tests := []struct {
		name     string
		opts     fakeprovider.Options
		kind     string
		edit     func(*Settings)
		creds    Credentials
		route    string
		ttl      time.Duration // 0: no expiry
		scopes   []string
		typ      string
		wantJWT  bool
		validate func(t *testing.T, tok *oauth.Token)
	}{
		{name: "tilia, expires_in as the document's string", kind: "tilia",
			creds: Credentials{ID: fakeprovider.TiliaClientID, Secret: fakeprovider.TiliaClientSecret}, route: "tilia.token",
			ttl: time.Hour, scopes: []string{"write_registrations", "user_info"}, typ: "Bearer", wantJWT: true},
		{name: "tilia, expires_in as a number", opts: fakeprovider.Options{TiliaExpiresAsNumber: true}, kind: "tilia",
			creds: Credentials{ID: fakeprovider.TiliaClientID, Secret: fakeprovider.TiliaClientSecret}, route: "tilia.token",
			ttl: time.Hour, scopes: []string{"write_registrations", "user_info"}, typ: "Bearer", wantJWT: true},
		{name: "tilia, three scopes comma-joined and split back", kind: "tilia",
			edit:  func(s *Settings) { s.Scopes = []string{"write_registrations", "write_user_tokens", "read_kycs"} },
			creds: Credentials{ID: fakeprovider.TiliaClientID, Secret: fakeprovider.TiliaClientSecret}, route: "tilia.token",
			ttl: time.Hour, scopes: []string{"write_registrations", "write_user_tokens", "read_kycs"}, typ: "Bearer", wantJWT: true},
		{name: "ils, JSON body, no scopes", kind: "ils",
			creds: Credentials{ID: fakeprovider.ILSClientID, Secret: fakeprovider.ILSClientSecret}, route: "ils.token",
			ttl: 2 * time.Hour, typ: "bearer", wantJWT: true},
		{name: "tiki, GET with query, no scope", kind: "tiki",
			creds: Credentials{ID: fakeprovider.TikiClientID, Secret: fakeprovider.TikiClientSecret}, route: "tiki.token",
			ttl: time.Hour, typ: "Bearer", wantJWT: true},
		{name: "tiki, space-joined scopes", kind: "tiki", edit: func(s *Settings) { s.Scopes = []string{"read", "write"} },
			creds: Credentials{ID: fakeprovider.TikiClientID, Secret: fakeprovider.TikiClientSecret}, route: "tiki.token",
			ttl: time.Hour, scopes: []string{"read", "write"}, typ: "Bearer", wantJWT: true},
		{name: "tiltify v5, default scope public", kind: "tiltify",
			creds: Credentials{ID: fakeprovider.TiltifyClientID, Secret: fakeprovider.TiltifyClientSecret}, route: "tiltify.token",
			ttl: 2 * time.Hour, scopes: []string{"public"}, typ: "bearer"},
		{name: "tiltify v5, two scopes space-separated", kind: "tiltify", edit: func(s *Settings) { s.Scopes = []string{"public", "webhooks:write"} },
			creds: Credentials{ID: fakeprovider.TiltifyClientID, Secret: fakeprovider.TiltifyClientSecret}, route: "tiltify.token",
			ttl: 2 * time.Hour, scopes: []string{"public", "webhooks:write"}, typ: "bearer"},
		{name: "oauth2, client_secret_basic (default)", kind: "oauth2",
			creds: Credentials{ID: fakeprovider.OAuth2BasicClientID, Secret: fakeprovider.OAuth2BasicClientSecret}, route: "oauth2.token",
			ttl: time.Hour, typ: "Bearer", wantJWT: true},
		{name: "oauth2, client_secret_basic explicit with scopes", kind: "oauth2",
			edit: func(s *Settings) {
				s.Set("auth_method", "client_secret_basic")
				s.Scopes = []string{"openid", "profile"}
			},
			creds: Credentials{ID: fakeprovider.OAuth2BasicClientID, Secret: fakeprovider.OAuth2BasicClientSecret}, route: "oauth2.token",
			ttl: time.Hour, scopes: []string{"openid", "profile"}, typ: "Bearer", wantJWT: true},
		{name: "oauth2, client_secret_post", kind: "oauth2", edit: func(s *Settings) { s.Set("auth_method", "client_secret_post") },
			creds: Credentials{ID: fakeprovider.OAuth2PostClientID, Secret: fakeprovider.OAuth2PostClientSecret}, route: "oauth2.token",
			ttl: time.Hour, typ: "Bearer", wantJWT: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startFake(t, tt.opts)
			s := fakeSettings(srv, "my-"+tt.kind, tt.kind)
			if tt.edit != nil {
				tt.edit(&s)
			}
			p := mustNew(t, s)
			if err := p.Check(); err != nil {
				t.Fatalf("Check: %v", err)
			}
			before := time.Now()
			tok, err := p.(ClientCredentialsGrant).ClientCredentials(context.Background(), tt.creds)
			if err != nil {
				t.Fatalf("ClientCredentials: %v", err)
			}
			if got := srv.Count(tt.route); got != 1 {
				t.Errorf("%s hits = %d, want 1", tt.route, got)
			}
			if tok.AccessToken == "" || tok.TokenType != tt.typ {
				t.Errorf("token %q type %q, want non-empty and type %q", tok.AccessToken, tok.TokenType, tt.typ)
			}
			if tt.wantJWT != (strings.Count(tok.AccessToken, ".") == 2) {
				t.Errorf("access token %q: JWT = %v, want %v", tok.AccessToken, !tt.wantJWT, tt.wantJWT)
			}
			want := before.Add(tt.ttl)
			if d := tok.Expiry.Sub(want); d < -3*time.Second || d > 3*time.Second {
				t.Errorf("Expiry = %v, want %v ± 3s", tok.Expiry, want)
			}
			if !slices.Equal(tok.Scopes, tt.scopes) {
				t.Errorf("Scopes = %q, want %q", tok.Scopes, tt.scopes)
			}
			if tok.RefreshToken != "" {
				t.Errorf("client credentials gave a refresh token %q", tok.RefreshToken)
			}
		})
	}
}

func TestWrongSecret(t *testing.T) {
	srv := startFake(t, fakeprovider.Options{})
	tests := []struct {
		name  string
		kind  string
		edit  func(*Settings)
		creds Credentials
		text  []string // the provider's own error text
	}{
		{"tilia envelope", "tilia", nil, Credentials{ID: fakeprovider.TiliaClientID, Secret: "wrong-secret-value"},
			[]string{"Unauthorized client or scope", "UNAUTHORIZED", "HTTP 401", "TOKCTL_MY_TILIA_CLIENT_SECRET"}},
		{"ils status info", "ils", nil, Credentials{ID: fakeprovider.ILSClientID, Secret: "wrong-secret-value"},
			[]string{"unauthorized", "invalid client credentials", "HTTP 401", "ILS Web Portal"}},
		{"tiki error object", "tiki", nil, Credentials{ID: fakeprovider.TikiClientID, Secret: "wrong-secret-value"},
			[]string{"Forbidden: Client authentication failed", "HTTP 403"}},
		{"tiltify rfc error", "tiltify", nil, Credentials{ID: fakeprovider.TiltifyClientID, Secret: "wrong-secret-value"},
			[]string{"invalid_client: client authentication failed", "HTTP 401"}},
		{"oauth2 basic rfc error", "oauth2", nil, Credentials{ID: fakeprovider.OAuth2BasicClientID, Secret: "wrong-secret-value"},
			[]string{"invalid_client: client authentication failed", "HTTP 401"}},
		{"oauth2 post rfc error", "oauth2", func(s *Settings) { s.Set("auth_method", "client_secret_post") }, Credentials{ID: fakeprovider.OAuth2PostClientID, Secret: "wrong-secret-value"},
			[]string{"invalid_client: client authentication failed", "HTTP 401"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeSettings(srv, "my-"+tt.kind, tt.kind)
			if tt.edit != nil {
				tt.edit(&s)
			}
			_, err := mustNew(t, s).(ClientCredentialsGrant).ClientCredentials(context.Background(), tt.creds)
			var ce *failure.CredentialsRejectedError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %T %v, want *failure.CredentialsRejectedError", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "my-"+tt.kind+": ") {
				t.Errorf("message %q does not name the provider", msg)
			}
			for _, text := range tt.text {
				if !strings.Contains(msg, text) {
					t.Errorf("message %q lacks %q", msg, text)
				}
			}
			if strings.Contains(msg, "wrong-secret-value") {
				t.Errorf("message %q shows the secret", msg)
			}
		})
	}
}

func TestProviderErrorsAgainstFake(t *testing.T) {
	srv := startFake(t, fakeprovider.Options{})
	tests := []struct {
		name  string
		kind  string
		edit  func(*Settings)
		creds Credentials
		text  string
	}{
		{"tilia scope not granted", "tilia", func(s *Settings) { s.Scopes = []string{"block_accounts"} },
			Credentials{ID: fakeprovider.TiliaClientID, Secret: fakeprovider.TiliaClientSecret}, "Unauthorized client or scope"},
		{"tiltify unknown scope", "tiltify", func(s *Settings) { s.Scopes = []string{"admin"} },
			Credentials{ID: fakeprovider.TiltifyClientID, Secret: fakeprovider.TiltifyClientSecret}, "invalid_scope"},
		{"tiki unknown scope", "tiki", func(s *Settings) { s.Scopes = []string{"delete"} },
			Credentials{ID: fakeprovider.TikiClientID, Secret: fakeprovider.TikiClientSecret}, "Bad Request: scope must be"},
		{"oauth2 client registered for the other method", "oauth2", func(s *Settings) { s.Set("auth_method", "client_secret_post") },
			Credentials{ID: fakeprovider.OAuth2BasicClientID, Secret: fakeprovider.OAuth2BasicClientSecret}, "must authenticate with client_secret_basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeSettings(srv, tt.kind, tt.kind)
			tt.edit(&s)
			_, err := mustNew(t, s).(ClientCredentialsGrant).ClientCredentials(context.Background(), tt.creds)
			if err == nil || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.text)
			}
			var ue *failure.UnavailableError
			if errors.As(err, &ue) {
				t.Errorf("err = %T, want a refusal, not unavailability", err)
			}
		})
	}
}

func TestTiltifyV3ClientCredentials(t *testing.T) {
	srv := startFake(t, fakeprovider.Options{})
	s := with(Settings{Name: "tiltify", TokenURL: srv.URL() + "/tiltify-v3/oauth/token"}, "api", "v3")
	_, err := mustNew(t, s).(ClientCredentialsGrant).ClientCredentials(context.Background(), Credentials{ID: fakeprovider.TiltifyClientID, Secret: fakeprovider.TiltifyClientSecret})
	var le *failure.LoginRequiredError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "tokctl login tiltify") {
		t.Fatalf("err = %T %v, want *failure.LoginRequiredError pointing at login", err, err)
	}
	if n := srv.Count("tiltify-v3.token"); n != 0 {
		t.Errorf("v3 token endpoint got %d requests, want 0", n)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		s       Settings
		setting string // the setting and its variable the message must name
	}{
		{"tilia without scopes", Settings{Name: "tilia"}, "scopes"},
		{"tilia bad env", with(Settings{Name: "tilia", Scopes: []string{"user_info"}, ConfigFile: "/etc/tokctl.yaml"}, "env", "qa"), "env"},
		{"tiki without url", Settings{Name: "tiki"}, "url"},
		{"named tiki without url", Settings{Name: "my-wiki", Kind: "tiki"}, "url"},
		{"ils with scopes", Settings{Name: "ils", Scopes: []string{"read"}}, "scopes"},
		{"oauth2 without token_url", Settings{Name: "my-idp", Kind: "oauth2"}, "token_url"},
		{"oauth2 bad auth_method", with(Settings{Name: "my-idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token", ConfigFile: "/etc/tokctl.yaml"}, "auth_method", "tls_client_auth"), "auth_method"},
		{"tiltify bad api", with(Settings{Name: "tiltify", ConfigFile: "/etc/tokctl.yaml"}, "api", "v4"), "api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustNew(t, tt.s)
			err := p.Check()
			var ce *failure.ConfigError
			if !errors.As(err, &ce) || ce.Provider != tt.s.Name {
				t.Fatalf("Check() = %T %v, want *failure.ConfigError for %s", err, err, tt.s.Name)
			}
			msg, env := err.Error(), EnvVar(tt.s.Name, tt.setting)
			if tt.s.ConfigFile != "" {
				// A wrong value is fixed where it came from: the file here,
				// the variable when that is set.
				if !strings.Contains(msg, "`"+tt.setting+"` under providers."+tt.s.Name+" in /etc/tokctl.yaml") || strings.Contains(msg, env) {
					t.Errorf("message %q should name `%s` in the file, not %s", msg, tt.setting, env)
				}
				t.Setenv(env, "x")
				if msg := mustNew(t, tt.s).Check().Error(); !strings.Contains(msg, env) || strings.Contains(msg, "/etc/tokctl.yaml") {
					t.Errorf("with %s set, message %q should name it, not the file", env, msg)
				}
			} else if !strings.Contains(msg, "`"+tt.setting+"`") || !strings.Contains(msg, env) {
				t.Errorf("message %q should name `%s` and %s", msg, tt.setting, env)
			}
			// ClientCredentials checks first and sends nothing.
			_, err = p.(ClientCredentialsGrant).ClientCredentials(context.Background(), Credentials{ID: "id", Secret: "secret"})
			if !errors.As(err, &ce) {
				t.Errorf("ClientCredentials = %T %v, want the same *failure.ConfigError", err, err)
			}
		})
	}
}

func TestCheckEndpoints(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		ok   bool
	}{
		{"tilia defaults", Settings{Name: "tilia", Scopes: []string{"user_info"}}, true},
		{"tilia staging", with(Settings{Name: "tilia", Scopes: []string{"user_info"}}, "env", "Staging"), true},
		{"tilia production explicit", with(Settings{Name: "tilia", Scopes: []string{"user_info"}}, "env", "production"), true},
		{"tilia plain http elsewhere", Settings{Name: "tilia", TokenURL: "http://auth.example.com/token", Scopes: []string{"user_info"}}, false},
		{"tiki plain http on loopback", with(Settings{Name: "tiki"}, "url", "http://127.0.0.1:8080"), true},
		{"tiki plain http elsewhere", with(Settings{Name: "tiki"}, "url", "http://wiki.example.org"), false},
		{"tiltify v3 valid", with(Settings{Name: "tiltify"}, "api", "V3"), true},
		{"tiltify bad auth url", Settings{Name: "tiltify", AuthURL: "ftp://x/authorize"}, false},
		{"ils defaults", Settings{Name: "ils"}, true},
		{"oauth2 post", with(Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token"}, "auth_method", "client_secret_post"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mustNew(t, tt.s).Check()
			var ce *failure.ConfigError
			switch {
			case tt.ok && err != nil:
				t.Fatalf("Check() = %v, want nil", err)
			case !tt.ok && !errors.As(err, &ce):
				t.Fatalf("Check() = %T %v, want *failure.ConfigError", err, err)
			}
		})
	}
}

func TestDefaultEndpoints(t *testing.T) {
	tests := []struct {
		name          string
		s             Settings
		token, author string
		scopes        []string
		flows         []string
	}{
		{"tilia production", Settings{Name: "tilia"}, "https://auth.tilia-inc.com/token", "", nil, []string{"client_credentials"}},
		{"tilia staging", with(Settings{Name: "tilia"}, "env", "staging"), "https://auth.staging.tilia-inc.com/token", "", nil, []string{"client_credentials"}},
		{"tilia named instance", with(Settings{Name: "tilia-staging", Kind: "tilia"}, "env", "staging"), "https://auth.staging.tilia-inc.com/token", "", nil, []string{"client_credentials"}},
		{"tilia token_url wins", with(Settings{Name: "tilia", TokenURL: "https://proxy.example.com/token"}, "env", "staging"), "https://proxy.example.com/token", "", nil, []string{"client_credentials"}},
		{"ils", Settings{Name: "ils"}, "https://api.ils.live/api/oauth/token", "", nil, []string{"client_credentials"}},
		{"tiltify v5", Settings{Name: "tiltify"}, "https://v5api.tiltify.com/oauth/token", "https://v5api.tiltify.com/oauth/authorize", []string{"public"},
			[]string{"client_credentials", "authorization_code", "refresh_token"}},
		{"tiltify v5 explicit", with(Settings{Name: "tiltify"}, "api", "v5"), "https://v5api.tiltify.com/oauth/token", "https://v5api.tiltify.com/oauth/authorize", []string{"public"},
			[]string{"client_credentials", "authorization_code", "refresh_token"}},
		{"tiltify v3", with(Settings{Name: "tiltify"}, "api", "v3"), "https://tiltify.com/oauth/token", "https://tiltify.com/oauth/authorize", []string{"public"},
			[]string{"authorization_code"}},
		{"tiltify configured scopes", Settings{Name: "tiltify", Scopes: []string{"cause"}}, "https://v5api.tiltify.com/oauth/token", "https://v5api.tiltify.com/oauth/authorize", []string{"cause"},
			[]string{"client_credentials", "authorization_code", "refresh_token"}},
		{"tiki from url", with(Settings{Name: "tiki"}, "url", "https://wiki.example.org/"), "https://wiki.example.org/api/oauth/access_token", "https://wiki.example.org/api/oauth/authorize", nil,
			[]string{"client_credentials", "authorization_code", "refresh_token"}},
		{"tiki without url", Settings{Name: "tiki"}, "", "", nil, []string{"client_credentials", "authorization_code", "refresh_token"}},
		{"oauth2", Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token", ClientID: "abc", ClientSecret: "s"}, "https://idp.example.com/token", "", nil,
			[]string{"client_credentials", "refresh_token"}},
		{"oauth2 with auth_url", Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token", AuthURL: "https://idp.example.com/authorize", ClientSecret: "s"},
			"https://idp.example.com/token", "https://idp.example.com/authorize", nil,
			[]string{"client_credentials", "authorization_code", "refresh_token"}},
		{"oauth2 public client", Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token", AuthURL: "https://idp.example.com/authorize"},
			"https://idp.example.com/token", "https://idp.example.com/authorize", nil,
			[]string{"authorization_code", "refresh_token"}},
		{"oauth2 auth_method none", with(Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token", ClientSecret: "s"}, "auth_method", "none"),
			"https://idp.example.com/token", "", nil, []string{"refresh_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustNew(t, tt.s)
			if p.RecordEndpoint() != tt.token || p.Endpoints().Auth != tt.author {
				t.Errorf("RecordEndpoint, AuthURL = %q, %q; want %q, %q", p.RecordEndpoint(), p.Endpoints().Auth, tt.token, tt.author)
			}
			if !slices.Equal(p.Scopes(), tt.scopes) || !slices.Equal(Flows(p), tt.flows) {
				t.Errorf("Scopes, Flows = %q, %q; want %q, %q", p.Scopes(), Flows(p), tt.scopes, tt.flows)
			}
			if p.Name() != tt.s.Name || p.ClientID() != tt.s.ClientID {
				t.Errorf("Name, ClientID = %q, %q", p.Name(), p.ClientID())
			}
			wantKind := tt.s.Kind
			if wantKind == "" {
				wantKind = tt.s.Name
			}
			if p.Kind() != wantKind {
				t.Errorf("Kind = %q, want %q", p.Kind(), wantKind)
			}
		})
	}
}

func TestScopesIsACopy(t *testing.T) {
	p := mustNew(t, Settings{Name: "tiltify"})
	p.Scopes()[0] = "changed"
	if got := p.Scopes(); got[0] != "public" {
		t.Errorf("Scopes() = %q after modifying a returned slice", got)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		want string // substring of the ConfigError; empty means success
	}{
		{"built-in by name", Settings{Name: "ils"}, ""},
		{"named instance by kind", Settings{Name: "work", Kind: "oauth2"}, ""},
		{"unknown name", Settings{Name: "nope"}, "unknown provider"},
		{"unknown kind", Settings{Name: "work", Kind: "saml"}, `unknown kind "saml": use one of ils, oauth2, tiki, tilia, tiltify (from TOKCTL_WORK_KIND)`},
		{"oauth2 is not built in by name", Settings{Name: "oauth2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.s, httpClient())
			if tt.want == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			var ce *failure.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want *failure.ConfigError containing %q", err, tt.want)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	if got, want := BuiltIn(), []string{"ils", "tiki", "tilia", "tiltify"}; !slices.Equal(got, want) {
		t.Errorf("BuiltIn() = %q, want %q", got, want)
	}
	tests := []struct {
		name string
		want bool
	}{
		{"tilia", true}, {"ils", true}, {"tiki", true}, {"tiltify", true}, {"oauth2", false}, {"nope", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsBuiltIn(tt.name); got != tt.want {
				t.Errorf("IsBuiltIn(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
	for _, k := range Kinds() {
		if k.Summary == "" || k.New == nil {
			t.Errorf("kind %q lacks a summary or constructor", k.Name)
		}
	}
}

func TestEnvVar(t *testing.T) {
	tests := []struct{ name, key, want string }{
		{"tilia-staging", "client_id", "TOKCTL_TILIA_STAGING_CLIENT_ID"},
		{"tilia", "client_secret", "TOKCTL_TILIA_CLIENT_SECRET"},
		{"tiltify", "auth_url", "TOKCTL_TILTIFY_AUTH_URL"},
		{"my-idp", "token_url", "TOKCTL_MY_IDP_TOKEN_URL"},
		{"a_b", "kind", "TOKCTL_A_B_KIND"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.key, func(t *testing.T) {
			if got := EnvVar(tt.name, tt.key); got != tt.want {
				t.Errorf("EnvVar(%q, %q) = %q, want %q", tt.name, tt.key, got, tt.want)
			}
		})
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"tilia", true}, {"tilia-staging", true}, {"my_idp2", true}, {"0x", true},
		{"", false}, {"-x", false}, {"_x", false}, {"Tilia", false}, {"a b", false}, {"a/b", false}, {"a.b", false},
		{strings.Repeat("a", 64), true}, {strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidName(tt.name); got != tt.want {
				t.Errorf("ValidName(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestSettingsSet(t *testing.T) {
	tests := []struct {
		name, key, value string
		check            func(s Settings) bool
	}{
		{"scopes comma", "scopes", "a,b", func(s Settings) bool { return slices.Equal(s.Scopes, []string{"a", "b"}) }},
		{"scopes space", "scopes", "a b", func(s Settings) bool { return slices.Equal(s.Scopes, []string{"a", "b"}) }},
		{"scopes mixed", "scopes", " a, b  c ,", func(s Settings) bool { return slices.Equal(s.Scopes, []string{"a", "b", "c"}) }},
		{"scopes with colon kept", "scopes", "public webhooks:write", func(s Settings) bool { return slices.Equal(s.Scopes, []string{"public", "webhooks:write"}) }},
		{"scopes empty", "scopes", "", func(s Settings) bool { return len(s.Scopes) == 0 }},
		{"kind", "kind", "oauth2", func(s Settings) bool { return s.Kind == "oauth2" }},
		{"client_id", "client_id", "x", func(s Settings) bool { return s.ClientID == "x" }},
		{"client_secret", "client_secret", "x", func(s Settings) bool { return s.ClientSecret == "x" }},
		{"token_url", "token_url", "x", func(s Settings) bool { return s.TokenURL == "x" }},
		{"auth_url", "auth_url", "x", func(s Settings) bool { return s.AuthURL == "x" }},
		{"redirect_uri", "redirect_uri", "x", func(s Settings) bool { return s.RedirectURI == "x" }},
		{"url", "url", "x", func(s Settings) bool { return s.Value("url") == "x" }},
		{"env", "env", "x", func(s Settings) bool { return s.Value("env") == "x" }},
		{"api", "api", "x", func(s Settings) bool { return s.Value("api") == "x" }},
		{"auth_method", "auth_method", "x", func(s Settings) bool { return s.Value("auth_method") == "x" }},
		{"pkce", "pkce", "false", func(s Settings) bool { return s.PKCE == "false" }},
		{"unknown key ignored", "colour", "x", func(s Settings) bool { return reflect.ValueOf(s).IsZero() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Settings
			s.Set(tt.key, tt.value)
			if !tt.check(s) {
				t.Errorf("Set(%q, %q) gave %+v", tt.key, tt.value, s)
			}
		})
	}
	for _, k := range Keys {
		var s Settings
		s.Set(k, "v")
		if reflect.ValueOf(s).IsZero() {
			t.Errorf("Set(%q) changes nothing", k)
		}
	}
}

// with is s with the kind-specific settings kv (key, value, key, value…).
func with(s Settings, kv ...string) Settings {
	for i := 0; i+1 < len(kv); i += 2 {
		s.Set(kv[i], kv[i+1])
	}
	return s
}
