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
)

type oauth2 struct{ base }

func newOAuth2(s Settings, hc *oauth.Client) *oauth2 {
	return &oauth2{newBase(s, hc, "", "", nil)}
}

func (p *oauth2) Flows() []string { return []string{"client_credentials"} }

func (p *oauth2) Check() error {
	switch p.s.AuthMethod {
	case "", authBasic, authPost:
	default:
		return p.configError("unknown auth_method %q: use %s or %s (%s)", p.s.AuthMethod, authBasic, authPost, settingHint(p.s.Name, "auth_method"))
	}
	return p.checkEndpoints("no token endpoint: " + settingHint(p.s.Name, "token_url"))
}

func (p *oauth2) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(p.scopes) > 0 {
		form.Set("scope", strings.Join(p.scopes, " "))
	}
	req := oauth.Request{Provider: p.s.Name, Method: "POST", URL: p.tokenURL, Form: form}
	if p.s.AuthMethod == authPost {
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	} else {
		req.Basic = &oauth.BasicAuth{User: c.ID, Password: c.Secret, FormEncode: true}
	}
	return p.hc.Token(ctx, &oauth.Exchange{
		Request:         req,
		Grant:           "client_credentials",
		Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
		CredentialsHint: p.credentialsHint(),
	})
}
