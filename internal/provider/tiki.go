package provider

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/tokctl/tokctl/internal/oauth"
)

// Tiki Wiki CMS Groupware (document 002, facts §3): self-hosted, so there is
// no default host; the token request is a GET with query parameters,
// scopes are space-delimited, and errors come as Tiki's {code, errortitle,
// message} or league/oauth2-server's {error, error_description|message}.
func init() {
	register(Kind{
		Name:    "tiki",
		BuiltIn: true,
		Title:   "Tiki",
		Summary: "Tiki Wiki CMS Groupware API (self-hosted: needs url; client credentials, browser login, rotating refresh tokens)",
		Keys:    append([]string{"url"}, BrowserKeys...),
		Login:   LoginBrowser,
		New:     func(s Settings, hc *oauth.Client) Provider { return newTiki(s, hc) },
	})
}

// tiki has the client credentials, authorization code and refresh grants.
type tiki struct {
	base
	browser
}

func newTiki(s Settings, hc *oauth.Client) *tiki {
	var tokenURL, authURL string
	if site := strings.TrimRight(s.Value("url"), "/"); site != "" {
		tokenURL, authURL = site+"/api/oauth/access_token", site+"/api/oauth/authorize"
	}
	p := &tiki{base: newBase(s, hc, tokenURL, authURL, nil)}
	p.browser = browser{&p.base}
	return p
}

func (p *tiki) Check() error {
	return p.checkEndpoints("Tiki is self-hosted and has no default address: " +
		settingHint(p.s.Name, "url") + " (e.g. https://wiki.example.org)")
}

func (p *tiki) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	return p.token(ctx, c, GrantClientCredentials, url.Values{}, true)
}

// Exchange redeems a code; Tiki's spec has no scope on this grant.
func (p *tiki) Exchange(ctx context.Context, c Credentials, x CodeExchange) (*oauth.Token, error) {
	q := url.Values{"code": {x.Code}, "redirect_uri": {x.RedirectURI}}
	if x.Verifier != "" {
		q.Set("code_verifier", x.Verifier)
	}
	return p.token(ctx, c, GrantAuthorizationCode, q, false)
}

// Refresh spends the refresh token: Tiki (league/oauth2-server) revokes it
// and answers with a new one.
func (p *tiki) Refresh(ctx context.Context, c Credentials, refreshToken string) (*oauth.Token, error) {
	return p.token(ctx, c, GrantRefreshToken, url.Values{"refresh_token": {refreshToken}}, true)
}

// token sends Tiki's GET token request: every grant carries client_id and
// client_secret as query parameters.
func (p *tiki) token(ctx context.Context, c Credentials, grant string, q url.Values, withScope bool) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	q.Set("grant_type", grant)
	q.Set("client_id", c.ID)
	q.Set("client_secret", c.Secret)
	if withScope && len(p.scopes) > 0 {
		q.Set("scope", strings.Join(p.scopes, " "))
	}
	return p.hc.Token(ctx, &oauth.Exchange{
		Request:         oauth.Request{Provider: p.s.Name, Method: "GET", URL: p.tokenURL, Query: q},
		Grant:           grant,
		ParseError:      parseTikiError,
		Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
		CredentialsHint: p.credentialsHint(c),
	})
}

// parseTikiError reads Tiki's Error schema {code, errortitle, message}, else
// the RFC 6749 / league/oauth2-server shape.
func parseTikiError(status int, body []byte) oauth.ErrorInfo {
	var e struct {
		ErrorTitle string `json:"errortitle"`
		Message    string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.ErrorTitle != "" {
		desc := e.ErrorTitle
		if e.Message != "" {
			desc += ": " + e.Message
		}
		return oauth.ErrorInfo{Description: oauth.Clean(desc)}
	}
	return oauth.ParseRFC6749Error(status, body)
}
