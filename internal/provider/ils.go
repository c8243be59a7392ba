package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/oauth"
)

// ILS (document 003, facts §4): POST /api/oauth/token with the JSON body
// {"clientId","clientSecret"}, no scopes, a JWT with expires_in seconds,
// errors in the "Error Status Info" schema, and X-Rate-Limit-Reset instead
// of Retry-After.
func init() {
	register(Kind{
		Name:    "ils",
		BuiltIn: true,
		Title:   "ILS",
		Summary: "ILS logistics API (client credentials; JSON body; no scopes)",
		Login:   LoginClientCredentials,
		New:     func(s Settings, hc *oauth.Client) Provider { return newILS(s, hc) },
	})
}

const ilsTokenURL = "https://api.ils.live/api/oauth/token"

// ils has the client credentials grant only.
type ils struct{ base }

func newILS(s Settings, hc *oauth.Client) *ils {
	return &ils{newBase(s, hc, ilsTokenURL, "", nil)}
}

func (p *ils) Check() error {
	if len(p.scopes) > 0 {
		return p.configError("ILS tokens have no scopes: remove --scope, `scopes` under providers.%s in the config file, and %s",
			p.s.Name, EnvVar(p.s.Name, "scopes"))
	}
	return p.checkEndpoints("")
}

func (p *ils) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	return p.hc.Token(ctx, &oauth.Exchange{
		Request: oauth.Request{
			Provider: p.s.Name,
			Method:   "POST",
			URL:      p.tokenURL,
			JSON: struct {
				ClientID     string `json:"clientId"`
				ClientSecret string `json:"clientSecret"`
			}{c.ID, c.Secret},
			RetryAfter: ilsRateLimitReset,
		},
		Grant:           "client_credentials",
		ParseError:      parseILSError,
		CredentialsHint: p.credentialsHint(c) + "; an ILS credential must also be active in the ILS Web Portal",
	})
}

// ilsRateLimitReset reads X-Rate-Limit-Reset, the "time interval to reset the
// API call count": seconds, or (if it looks like one) a Unix time. ILS sends
// it on every answer, so it is a wait only when the quota is spent (a 429, or
// X-Rate-Limit-Remaining: 0); a 500 or 502 with quota left gets the normal
// backoff.
func ilsRateLimitReset(status int, h http.Header) (time.Duration, bool) {
	if status != http.StatusTooManyRequests && strings.TrimSpace(h.Get("X-Rate-Limit-Remaining")) != "0" {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Reset")), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	if n > 1_000_000_000 {
		return max(time.Until(time.Unix(n, 0)), 0), true
	}
	return time.Duration(n) * time.Second, true
}

// parseILSError reads the Error Status Info schema:
// {"errors":[{location,reason,message}],"statusCode","statusInfoSet":{ils_codeMinor,ils_description,…}}.
func parseILSError(status int, body []byte) oauth.ErrorInfo {
	var e struct {
		Errors []struct {
			Location string `json:"location"`
			Message  string `json:"message"`
		} `json:"errors"`
		StatusInfoSet struct {
			CodeMinor   string `json:"ils_codeMinor"`
			Description string `json:"ils_description"`
		} `json:"statusInfoSet"`
	}
	if json.Unmarshal(body, &e) != nil {
		return oauth.ParseRFC6749Error(status, body)
	}
	var parts []string
	if d := e.StatusInfoSet.Description; d != "" {
		parts = append(parts, d)
	}
	for _, m := range e.Errors {
		if m.Message == "" || m.Message == e.StatusInfoSet.Description {
			continue
		}
		if m.Location != "" {
			parts = append(parts, m.Location+": "+m.Message)
		} else {
			parts = append(parts, m.Message)
		}
	}
	if len(parts) == 0 {
		return oauth.ParseRFC6749Error(status, body)
	}
	return oauth.ErrorInfo{Code: oauth.Clean(e.StatusInfoSet.CodeMinor), Description: oauth.Clean(strings.Join(parts, "; "))}
}
