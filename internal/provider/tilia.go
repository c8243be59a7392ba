package provider

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/tokctl/tokctl/internal/oauth"
)

// Tilia's Auth API (document 000, facts §1): a form POST to /token with
// client_id, client_secret, grant_type and a required, comma-joined scope;
// expires_in comes as a string or a number; errors use Tilia's envelope
// {status, message[], codes[]}.
func init() {
	register(Kind{
		Name:    "tilia",
		BuiltIn: true,
		Title:   "Tilia",
		Summary: "Tilia Auth API (client credentials; scopes required; env: staging)",
		Keys:    []string{"env"},
		Login:   LoginClientCredentials,
		New:     func(s Settings, hc *oauth.Client) Provider { return newTilia(s, hc) },
	})
}

const (
	tiliaProduction = "https://auth.tilia-inc.com/token"
	tiliaStaging    = "https://auth.staging.tilia-inc.com/token"
)

// tilia has the client credentials grant only.
type tilia struct {
	base
	// env is the environment: production (empty) or staging.
	env string
}

func newTilia(s Settings, hc *oauth.Client) *tilia {
	env := s.Value("env")
	endpoint := tiliaProduction
	if strings.EqualFold(env, "staging") {
		endpoint = tiliaStaging
	}
	return &tilia{newBase(s, hc, endpoint, "", nil), env}
}

func (p *tilia) Check() error {
	switch strings.ToLower(p.env) {
	case "", "production", "staging":
	default:
		return p.configError("unknown env %q: use production or staging (%s)", p.env, valueHint(p.s, "env"))
	}
	if len(p.scopes) == 0 {
		return p.configError("Tilia requires at least one scope: pass --scope, or %s", settingHint(p.s.Name, "scopes"))
	}
	return p.checkEndpoints("")
}

func (p *tilia) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	return p.hc.Token(ctx, &oauth.Exchange{
		Request: oauth.Request{
			Provider: p.s.Name,
			Method:   "POST",
			URL:      p.tokenURL,
			Form: url.Values{
				"client_id":     {c.ID},
				"client_secret": {c.Secret},
				"grant_type":    {"client_credentials"},
				"scope":         {strings.Join(p.scopes, ",")},
			},
		},
		Grant:           "client_credentials",
		ParseError:      parseTiliaError,
		Parse:           oauth.ParseOptions{ScopeSeparator: ",", Requested: p.scopes},
		CredentialsHint: p.credentialsHint(c) + "; also check that the client may use the requested scopes",
		// Tilia's SDK tests see unknown credentials answered with 400, as
		// a malformed request is (the provider notes on Tilia).
		BadRequestHint: "Tilia answers 400 to unknown client credentials too: " + p.credentialsHint(c) + "; also check the scopes",
	})
}

// parseTiliaError reads {"status":"Failure","message":[…],"codes":[…]},
// where message may also be a single string, and falls back to RFC 6749.
func parseTiliaError(status int, body []byte) oauth.ErrorInfo {
	var env struct {
		Message json.RawMessage `json:"message"`
		Codes   []string        `json:"codes"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Message) == 0 {
		return oauth.ParseRFC6749Error(status, body)
	}
	var msgs []string
	if json.Unmarshal(env.Message, &msgs) != nil {
		var one string
		if json.Unmarshal(env.Message, &one) == nil {
			msgs = []string{one}
		}
	}
	desc := strings.Join(msgs, "; ")
	if len(env.Codes) > 0 {
		desc += " [" + strings.Join(env.Codes, ", ") + "]"
	}
	return oauth.ErrorInfo{Description: oauth.Clean(desc)}
}
