package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tokctl/tokctl/internal/fakeprovider"
)

// approve plays the browser: it follows the authorization URL to the fake's
// authorize endpoint and returns the redirect it answers with, unfollowed.
func approve(t *testing.T, authURL string) url.Values {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatalf("GET authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location: %v", err)
	}
	return loc.Query()
}

// authCodeSettings points each browser-login kind at the fake.
func authCodeSettings(srv *fakeprovider.Server, kind string) (Settings, Credentials) {
	u := srv.URL()
	switch kind {
	case "tiki":
		return with(Settings{Name: "tiki", Scopes: []string{"read", "write"}}, "url", u+"/tiki"),
			Credentials{ID: fakeprovider.TikiClientID, Secret: fakeprovider.TikiClientSecret}
	case "tiltify":
		return Settings{Name: "tiltify", TokenURL: u + "/tiltify/oauth/token", AuthURL: u + "/tiltify/oauth/authorize"},
			Credentials{ID: fakeprovider.TiltifyClientID, Secret: fakeprovider.TiltifyClientSecret}
	case "tiltify-v3":
		return with(Settings{Name: "tiltify", TokenURL: u + "/tiltify-v3/oauth/token", AuthURL: u + "/tiltify-v3/oauth/authorize"}, "api", "v3"),
			Credentials{ID: fakeprovider.TiltifyClientID, Secret: fakeprovider.TiltifyClientSecret}
	case "oauth2-basic":
		return Settings{Name: "idp", Kind: "oauth2", TokenURL: u + "/oauth2/token", AuthURL: u + "/oauth2/authorize", Scopes: []string{"profile"}, ClientSecret: fakeprovider.OAuth2BasicClientSecret},
			Credentials{ID: fakeprovider.OAuth2BasicClientID, Secret: fakeprovider.OAuth2BasicClientSecret}
	case "oauth2-reserved":
		return Settings{Name: "idp", Kind: "oauth2", TokenURL: u + "/oauth2/token", AuthURL: u + "/oauth2/authorize", ClientSecret: fakeprovider.OAuth2ReservedClientSecret},
			Credentials{ID: fakeprovider.OAuth2ReservedClientID, Secret: fakeprovider.OAuth2ReservedClientSecret}
	case "oauth2-post":
		return with(Settings{Name: "idp", Kind: "oauth2", TokenURL: u + "/oauth2/token", AuthURL: u + "/oauth2/authorize"}, "auth_method", authPost),
			Credentials{ID: fakeprovider.OAuth2PostClientID, Secret: fakeprovider.OAuth2PostClientSecret}
	}
	panic(kind)
}

// TestAuthorizationCodeAgainstFake runs each adapter's browser-login grant
// and its refresh against the fake, which rejects any request shape the
// real API would, any PKCE mismatch and any reuse of a refresh token.
func TestAuthorizationCodeAgainstFake(t *testing.T) {
	tests := []struct {
		kind       string
		pkce       bool
		refresh    bool // the grant returns a refresh token
		expires    bool
		wantScopes []string
		noPKCEToo  bool // also works with pkce: false
	}{
		{kind: "tiki", pkce: true, refresh: true, expires: true, wantScopes: []string{"read", "write"}, noPKCEToo: true},
		{kind: "tiltify", pkce: true, refresh: true, expires: true, wantScopes: []string{"public"}, noPKCEToo: true},
		{kind: "tiltify-v3", pkce: false, refresh: false, expires: false, wantScopes: []string{"public"}},
		{kind: "oauth2-basic", pkce: true, refresh: true, expires: true, wantScopes: []string{"profile"}, noPKCEToo: true},
		{kind: "oauth2-reserved", pkce: true, refresh: true, expires: true},
		{kind: "oauth2-post", pkce: true, refresh: true, expires: true},
	}
	srv := startFake(t, fakeprovider.Options{})
	ctx := context.Background()
	for _, tt := range tests {
		for _, pkce := range []bool{true, false} {
			if !pkce && !tt.noPKCEToo {
				continue
			}
			name := tt.kind
			if !pkce {
				name += " pkce false"
			}
			t.Run(name, func(t *testing.T) {
				s, creds := authCodeSettings(srv, tt.kind)
				if !pkce {
					s.PKCE = "false"
				}
				p := mustNew(t, s)
				if err := p.Check(); err != nil {
					t.Fatalf("Check: %v", err)
				}
				if !Supports(p, GrantAuthorizationCode) {
					t.Fatalf("Flows() = %v lacks authorization_code", Flows(p))
				}
				if p.(AuthCodeGrant).PKCE() != (tt.pkce && pkce) {
					t.Fatalf("PKCE() = %v", p.(AuthCodeGrant).PKCE())
				}
				verifier, challenge := "", ""
				if p.(AuthCodeGrant).PKCE() {
					verifier = xoauth2.GenerateVerifier()
					challenge = xoauth2.S256ChallengeFromVerifier(verifier)
				}
				redirect := "http://127.0.0.1:9/callback"
				q := approve(t, p.(AuthCodeGrant).AuthCodeURL(AuthRequest{ClientID: creds.ID, RedirectURI: redirect, State: "st-123", Challenge: challenge}))
				if q.Get("state") != "st-123" || q.Get("code") == "" {
					t.Fatalf("authorize redirect = %v, want state and code", q)
				}
				tok, err := p.(AuthCodeGrant).Exchange(ctx, creds, CodeExchange{Code: q.Get("code"), RedirectURI: redirect, Verifier: verifier})
				if err != nil {
					t.Fatalf("Exchange: %v", err)
				}
				if tok.AccessToken == "" || (tok.RefreshToken != "") != tt.refresh || tok.Expiry.IsZero() == tt.expires {
					t.Fatalf("token = access %t, refresh %t, expiry %v", tok.AccessToken != "", tok.RefreshToken != "", tok.Expiry)
				}
				if tt.wantScopes != nil && !slices.Equal(tok.Scopes, tt.wantScopes) {
					t.Errorf("scopes = %q, want %q", tok.Scopes, tt.wantScopes)
				}
				// A code is single-use.
				_, err = p.(AuthCodeGrant).Exchange(ctx, creds, CodeExchange{Code: q.Get("code"), RedirectURI: redirect, Verifier: verifier})
				var pe *failure.ProviderError
				if !errors.As(err, &pe) {
					t.Errorf("second Exchange of the same code: %v, want a ProviderError", err)
				}
				if !tt.refresh {
					if _, err := p.(Refresher).Refresh(ctx, creds, "x"); err == nil {
						t.Errorf("Refresh without a refresh grant succeeded")
					}
					return
				}
				next, err := p.(Refresher).Refresh(ctx, creds, tok.RefreshToken)
				if err != nil {
					t.Fatalf("Refresh: %v", err)
				}
				if next.AccessToken == tok.AccessToken || next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
					t.Fatalf("Refresh did not rotate: same access %t, new refresh %t", next.AccessToken == tok.AccessToken, next.RefreshToken != "")
				}
				if next.Expiry.Before(time.Now()) {
					t.Errorf("refreshed expiry %v is in the past", next.Expiry)
				}
				// The spent refresh token is rejected: login required (exit 3).
				_, err = p.(Refresher).Refresh(ctx, creds, tok.RefreshToken)
				var lr *failure.LoginRequiredError
				if !errors.As(err, &lr) {
					t.Fatalf("reused refresh token: %v, want LoginRequiredError", err)
				}
			})
		}
	}
}

func TestAuthCodeURL(t *testing.T) {
	p := mustNew(t, Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token",
		AuthURL: "https://idp.example.com/authorize?tenant=a b", Scopes: []string{"openid", "profile"}})
	raw := p.(AuthCodeGrant).AuthCodeURL(AuthRequest{ClientID: "c&1", RedirectURI: "http://127.0.0.1:5/callback", State: "s", Challenge: "ch"})
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{"tenant": "a b", "client_id": "c&1", "response_type": "code", "redirect_uri": "http://127.0.0.1:5/callback",
		"state": "s", "scope": "openid profile", "code_challenge": "ch", "code_challenge_method": "S256"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q (URL %s)", k, q.Get(k), v, raw)
		}
	}
	if q.Has("prompt") {
		t.Errorf("prompt without a prompt setting: %s", raw)
	}
	noChallenge := p.(AuthCodeGrant).AuthCodeURL(AuthRequest{ClientID: "c", RedirectURI: "r", State: "s"})
	if u, _ := url.Parse(noChallenge); u.Query().Has("code_challenge") || u.Query().Has("code_challenge_method") {
		t.Errorf("URL without a challenge carries PKCE parameters: %s", noChallenge)
	}
}

// TestAuthCodeURLPrompt: the prompt parameter is sent only when the
// provider's settings name one — OpenID Connect Core §11 wants
// prompt=consent with offline_access and oidc-provider drops the scope
// without it, but Dex and Entra ID then show a consent screen at every
// login, so it is the user's choice, never tokctl's.
func TestAuthCodeURLPrompt(t *testing.T) {
	base := Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://idp.example.com/token",
		AuthURL: "https://idp.example.com/authorize", Scopes: []string{"openid", "offline_access"}}
	for _, tc := range []struct{ prompt, want string }{
		{"", ""},
		{"consent", "consent"},
		{"login consent", "login consent"},
	} {
		s := base
		s.Prompt = tc.prompt
		u, err := url.Parse(mustNew(t, s).(AuthCodeGrant).AuthCodeURL(AuthRequest{ClientID: "c", RedirectURI: "r", State: "s", Nonce: "n"}))
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query().Get("prompt"); got != tc.want || u.Query().Has("prompt") != (tc.want != "") {
			t.Errorf("prompt setting %q: prompt = %q, want %q: %s", tc.prompt, got, tc.want, u)
		}
	}
	for _, bad := range []string{"always", "none consent", "consent\x1b"} {
		s := base
		s.Prompt = bad
		p, err := New(s, httpClient())
		if err == nil {
			err = p.Check()
		}
		var ce *failure.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "prompt") {
			t.Errorf("prompt %q: err = %v, want a configuration error naming prompt", bad, err)
		}
	}
}

func TestPKCESetting(t *testing.T) {
	tests := []struct {
		s    Settings
		want bool
		bad  bool
	}{
		{Settings{Name: "tiltify"}, true, false},
		{Settings{Name: "tiltify", PKCE: "false"}, false, false},
		{with(Settings{Name: "tiltify"}, "api", "v3"), false, false},
		{with(Settings{Name: "tiltify", PKCE: "true"}, "api", "v3"), false, false},
		{with(Settings{Name: "idp", Kind: "oauth2", TokenURL: "https://x/t", PKCE: "false"}, "auth_method", "none"), true, false},
		{Settings{Name: "tiltify", PKCE: "maybe"}, true, true},
	}
	for _, tt := range tests {
		p := mustNew(t, tt.s)
		if p.(AuthCodeGrant).PKCE() != tt.want {
			t.Errorf("%+v: PKCE() = %v, want %v", tt.s, p.(AuthCodeGrant).PKCE(), tt.want)
		}
		var ce *failure.ConfigError
		if err := p.Check(); errors.As(err, &ce) != tt.bad {
			t.Errorf("%+v: Check() = %v, want config error %v", tt.s, err, tt.bad)
		}
	}
}

func TestNoBrowserGrant(t *testing.T) {
	for _, name := range []string{"tilia", "ils"} {
		p := mustNew(t, Settings{Name: name})
		if Supports(p, GrantAuthorizationCode) || Supports(p, GrantRefreshToken) {
			t.Errorf("%s: Flows() = %v", name, Flows(p))
		}
		if _, ok := p.(AuthCodeGrant); ok {
			t.Errorf("%s implements AuthCodeGrant", name)
		}
		if _, ok := p.(Refresher); ok {
			t.Errorf("%s implements Refresher", name)
		}
	}
}
