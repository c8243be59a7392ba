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
		Summary: "Tiki Wiki CMS Groupware API (self-hosted: needs url; client credentials)",
		New:     func(s Settings, hc *oauth.Client) Provider { return newTiki(s, hc) },
	})
}

type tiki struct{ base }

func newTiki(s Settings, hc *oauth.Client) *tiki {
	var tokenURL, authURL string
	if site := strings.TrimRight(s.URL, "/"); site != "" {
		tokenURL, authURL = site+"/api/oauth/access_token", site+"/api/oauth/authorize"
	}
	return &tiki{newBase(s, hc, tokenURL, authURL, nil)}
}

func (p *tiki) Flows() []string { return []string{"client_credentials"} }

func (p *tiki) Check() error {
	return p.checkEndpoints("Tiki is self-hosted and has no default address: " +
		settingHint(p.s.Name, "url") + " (e.g. https://wiki.example.org)")
}

func (p *tiki) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	q := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.ID},
		"client_secret": {c.Secret},
	}
	if len(p.scopes) > 0 {
		q.Set("scope", strings.Join(p.scopes, " "))
	}
	return p.hc.Token(ctx, &oauth.Exchange{
		Request:         oauth.Request{Provider: p.s.Name, Method: "GET", URL: p.tokenURL, Query: q},
		Grant:           "client_credentials",
		ParseError:      parseTikiError,
		Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
		CredentialsHint: p.credentialsHint(),
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
