package provider

import (
	"context"
	"net/url"
	"strings"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/oauth"
)

// Tiltify (facts §2; document 001 for the legacy v3 API). V5, the default:
// JSON body {grant_type, client_id, client_secret, scope}, space-delimited
// scopes ("public" by default), tokens that expire after 7200 s and a
// created_at date string. v3 (`api: v3`) only has the browser flow, and its
// tokens never expire.
func init() {
	register(Kind{
		Name:    "tiltify",
		BuiltIn: true,
		Title:   "Tiltify",
		Summary: "Tiltify API V5 (client credentials, browser login); api: v3 for the legacy API",
		Keys:    append([]string{"api"}, BrowserKeys...),
		Login:   LoginBrowser,
		New:     func(s Settings, hc *oauth.Client) Provider { return newTiltify(s, hc) },
	})
}

const (
	tiltifyV5 = "https://v5api.tiltify.com/oauth"
	tiltifyV3 = "https://tiltify.com/oauth"
)

// tiltify has V5's client credentials, authorization code and refresh
// grants; with `api: v3` (Grants) only the authorization code.
type tiltify struct {
	base
	browser
	api string
	v3  bool
}

func newTiltify(s Settings, hc *oauth.Client) *tiltify {
	api := s.Value("api")
	root, v3 := tiltifyV5, strings.EqualFold(api, "v3")
	if v3 {
		root = tiltifyV3
	}
	p := &tiltify{base: newBase(s, hc, root+"/token", root+"/authorize", []string{"public"}), api: api, v3: v3}
	p.browser = browser{&p.base}
	return p
}

// Grants: document 001 (v3) has the authorization-code grant only, and its
// tokens never expire.
func (p *tiltify) Grants() []string {
	if p.v3 {
		return []string{GrantAuthorizationCode}
	}
	return []string{GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken}
}

// PKCE: document 001 (v3) knows no code_challenge, so v3 never sends one.
func (p *tiltify) PKCE() bool { return !p.v3 && p.browser.PKCE() }

func (p *tiltify) Check() error {
	switch strings.ToLower(p.api) {
	case "", "v5", "v3":
	default:
		return p.configError("unknown api %q: use v5 (the default) or v3 (%s)", p.api, valueHint(p.s, "api"))
	}
	return p.checkEndpoints("")
}

func (p *tiltify) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if p.v3 {
		return nil, &failure.LoginRequiredError{Provider: p.s.Name,
			Reason: "Tiltify's v3 API has no client-credentials grant"}
	}
	return p.v5(ctx, c, GrantClientCredentials, map[string]string{"scope": strings.Join(p.scopes, " ")})
}

// Exchange redeems a code: V5 takes a JSON body with the credentials in it;
// v3 (document 001) a form body plus HTTP Basic client authentication.
func (p *tiltify) Exchange(ctx context.Context, c Credentials, x CodeExchange) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if p.v3 {
		form := url.Values{
			"client_id":    {c.ID},
			"redirect_uri": {x.RedirectURI},
			"code":         {x.Code},
			"grant_type":   {GrantAuthorizationCode},
		}
		return p.hc.Token(ctx, &oauth.Exchange{
			Request: oauth.Request{Provider: p.s.Name, Method: "POST", URL: p.tokenURL, Form: form,
				Basic: &oauth.BasicAuth{User: c.ID, Password: c.Secret, FormEncode: true}},
			Grant:           GrantAuthorizationCode,
			Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
			CredentialsHint: p.credentialsHint(c),
		})
	}
	body := map[string]string{"code": x.Code, "redirect_uri": x.RedirectURI}
	if x.Verifier != "" {
		body["code_verifier"] = x.Verifier
	}
	return p.v5(ctx, c, GrantAuthorizationCode, body)
}

// Refresh spends a V5 refresh token; v3 tokens never expire and have none.
func (p *tiltify) Refresh(ctx context.Context, c Credentials, refreshToken string) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if p.v3 {
		return nil, p.configError("%s has no %s grant", p.s.Kind, GrantRefreshToken)
	}
	return p.v5(ctx, c, GrantRefreshToken, map[string]string{"refresh_token": refreshToken})
}

// v5 sends a V5 token request: a JSON object with grant_type, client_id and
// client_secret plus the grant's own fields.
func (p *tiltify) v5(ctx context.Context, c Credentials, grant string, body map[string]string) (*oauth.Token, error) {
	body["grant_type"] = grant
	body["client_id"] = c.ID
	body["client_secret"] = c.Secret
	return p.hc.Token(ctx, &oauth.Exchange{
		Request:         oauth.Request{Provider: p.s.Name, Method: "POST", URL: p.tokenURL, JSON: body},
		Grant:           grant,
		Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
		CredentialsHint: p.credentialsHint(c),
	})
}
