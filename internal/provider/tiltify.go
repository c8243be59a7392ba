package provider

import (
	"context"
	"strings"

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
		Summary: "Tiltify API V5 (client credentials, browser login); api: v3 for the legacy API",
		New:     func(s Settings, hc *oauth.Client) Provider { return newTiltify(s, hc) },
	})
}

const (
	tiltifyV5 = "https://v5api.tiltify.com/oauth"
	tiltifyV3 = "https://tiltify.com/oauth"
)

type tiltify struct {
	base
	v3 bool
}

func newTiltify(s Settings, hc *oauth.Client) *tiltify {
	root, v3 := tiltifyV5, strings.EqualFold(s.API, "v3")
	if v3 {
		root = tiltifyV3
	}
	return &tiltify{newBase(s, hc, root+"/token", root+"/authorize", []string{"public"}), v3}
}

func (p *tiltify) Flows() []string {
	if p.v3 {
		return []string{"authorization_code"}
	}
	return []string{"client_credentials", "authorization_code", "refresh_token"}
}

func (p *tiltify) Check() error {
	switch strings.ToLower(p.s.API) {
	case "", "v5", "v3":
	default:
		return p.configError("unknown api %q: use v5 (the default) or v3 (%s)", p.s.API, settingHint(p.s.Name, "api"))
	}
	return p.checkEndpoints("")
}

func (p *tiltify) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if p.v3 {
		return nil, &oauth.LoginRequiredError{Provider: p.s.Name,
			Reason: "Tiltify's v3 API has no client-credentials grant"}
	}
	body := map[string]string{
		"grant_type":    "client_credentials",
		"client_id":     c.ID,
		"client_secret": c.Secret,
		"scope":         strings.Join(p.scopes, " "),
	}
	return p.hc.Token(ctx, &oauth.Exchange{
		Request:         oauth.Request{Provider: p.s.Name, Method: "POST", URL: p.tokenURL, JSON: body},
		Grant:           "client_credentials",
		Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
		CredentialsHint: p.credentialsHint(),
	})
}
