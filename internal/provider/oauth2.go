package provider

import (
	"context"
	"net/url"
	"strings"

	"github.com/tokctl/tokctl/internal/oauth"
)

// The generic RFC 6749 kind: a form POST to token_url, client authentication
// by HTTP Basic (client_secret_basic, the default) or in the body
// (client_secret_post), space-delimited scopes, RFC 6749 §5.2 errors.
func init() {
	register(Kind{
		Name:    "oauth2",
		Summary: "any RFC 6749 server (client_secret_basic or client_secret_post)",
		New:     func(s Settings, hc *oauth.Client) Provider { return newOAuth2(s, hc) },
	})
}

const (
	authBasic = "client_secret_basic"
	authPost  = "client_secret_post"
	// authNone is a public client (RFC 8252): client_id in the body, no secret.
	authNone = "none"
)

type oauth2 struct{ base }

func newOAuth2(s Settings, hc *oauth.Client) *oauth2 {
	return &oauth2{newBase(s, hc, "", "", nil)}
}

// Flows: the browser login needs an auth_url.
func (p *oauth2) Flows() []string {
	if p.authURL != "" {
		return []string{GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken}
	}
	return []string{GrantClientCredentials, GrantRefreshToken}
}

func (p *oauth2) Check() error {
	switch p.s.AuthMethod {
	case "", authBasic, authPost, authNone:
	default:
		return p.configError("unknown auth_method %q: use %s, %s or %s (%s)", p.s.AuthMethod, authBasic, authPost, authNone, settingHint(p.s.Name, "auth_method"))
	}
	return p.checkEndpoints("no token endpoint: " + settingHint(p.s.Name, "token_url"))
}

// PKCE is always on for a public client (RFC 8252 §8.1).
func (p *oauth2) PKCE() bool { return p.s.AuthMethod == authNone || p.base.PKCE() }

func (p *oauth2) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	form := url.Values{}
	if len(p.scopes) > 0 {
		form.Set("scope", strings.Join(p.scopes, " "))
	}
	return p.token(ctx, c, GrantClientCredentials, form)
}

func (p *oauth2) Exchange(ctx context.Context, c Credentials, x CodeExchange) (*oauth.Token, error) {
	form := url.Values{"code": {x.Code}, "redirect_uri": {x.RedirectURI}}
	if x.Verifier != "" {
		form.Set("code_verifier", x.Verifier)
	}
	return p.token(ctx, c, GrantAuthorizationCode, form)
}

func (p *oauth2) Refresh(ctx context.Context, c Credentials, refreshToken string) (*oauth.Token, error) {
	return p.token(ctx, c, GrantRefreshToken, url.Values{"refresh_token": {refreshToken}})
}

// token sends an RFC 6749 form POST with the configured client authentication.
func (p *oauth2) token(ctx context.Context, c Credentials, grant string, form url.Values) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	form.Set("grant_type", grant)
	req := oauth.Request{Provider: p.s.Name, Method: "POST", URL: p.tokenURL, Form: form}
	switch p.s.AuthMethod {
	case authPost:
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	case authNone:
		form.Set("client_id", c.ID)
	default:
		req.Basic = &oauth.BasicAuth{User: c.ID, Password: c.Secret, FormEncode: true}
	}
	return p.hc.Token(ctx, &oauth.Exchange{
		Request:         req,
		Grant:           grant,
		Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
		CredentialsHint: p.credentialsHint(),
	})
}

// PublicClient reports whether the provider authenticates without a secret.
func (p *oauth2) PublicClient() bool { return p.s.AuthMethod == authNone }
