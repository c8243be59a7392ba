package provider

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/tokctl/tokctl/internal/oauth"
)

// The generic RFC 6749 kind: a form POST to token_url, client authentication
// by HTTP Basic (client_secret_basic, the default), in the body
// (client_secret_post) or none (a public client, RFC 8252), space-delimited
// scopes, RFC 6749 §5.2 errors. With `issuer`, the endpoints come from the
// OpenID Connect discovery document (RFC 8414 as a fallback); explicitly
// configured URLs win. It also does the device grant (RFC 8628) and
// revocation (RFC 7009).
func init() {
	register(Kind{
		Name:    "oauth2",
		Summary: "any RFC 6749 / OpenID Connect server (issuer discovery, public clients, device flow)",
		New:     func(s Settings, hc *oauth.Client) Provider { return newOAuth2(s, hc) },
	})
}

const (
	authBasic = "client_secret_basic"
	authPost  = "client_secret_post"
	// authNone is a public client (RFC 8252): client_id in the body, no secret.
	authNone = "none"
)

type oauth2 struct {
	base
	device, revocation, jwks string
	// discovery is the URL of the discovery document used, once read.
	discovery string
	// prepared: discovery ran (or was not needed); fromCache: its document
	// came from the disk cache and may be refetched after a failure.
	prepared, fromCache bool
	// issParameter: the discovery document advertises RFC 9207's iss parameter.
	issParameter bool
}

func newOAuth2(s Settings, hc *oauth.Client) *oauth2 {
	return &oauth2{base: newBase(s, hc, "", "", nil), device: s.DeviceAuthURL, revocation: s.RevocationURL, jwks: s.JWKSURL}
}

// Endpoint identifies where tokens come from: the token URL, or the issuer
// when the token URL is discovered, so that a stored token is recognised
// without discovery.
func (p *oauth2) Endpoint() string {
	if p.s.TokenURL == "" && p.s.Issuer != "" {
		return p.s.Issuer
	}
	return p.tokenURL
}

// Flows: the browser login needs an authorization endpoint, the device
// login a device authorization endpoint (configured or discovered); a
// public client has no secret, so no client-credentials grant.
func (p *oauth2) Flows() []string {
	var flows []string
	if !p.PublicClient() {
		flows = append(flows, GrantClientCredentials)
	}
	if p.authURL != "" || (p.s.Issuer != "" && !p.prepared) {
		flows = append(flows, GrantAuthorizationCode)
	}
	if p.device != "" {
		flows = append(flows, GrantDeviceCode)
	}
	return append(flows, GrantRefreshToken)
}

func (p *oauth2) Check() error {
	switch p.s.AuthMethod {
	case "", authBasic, authPost, authNone:
	default:
		return p.configError("unknown auth_method %q: use %s, %s or %s (%s)", p.s.AuthMethod, authBasic, authPost, authNone, settingHint(p.s.Name, "auth_method"))
	}
	if p.s.Issuer != "" {
		if err := oauth.CheckEndpoint(p.s.Name, p.s.Issuer); err != nil {
			return err
		}
		if !p.prepared {
			return p.checkPKCE()
		}
	}
	for _, u := range []string{p.device, p.revocation, p.jwks} {
		if u != "" {
			if err := oauth.CheckEndpoint(p.s.Name, u); err != nil {
				return err
			}
		}
	}
	return p.checkEndpoints("no token endpoint: " + settingHint(p.s.Name, "token_url") + ", or `issuer` for OpenID Connect discovery")
}

// Prepare fetches (or reads from the cache) the discovery document when an
// issuer is configured, and fills in the endpoints not set explicitly.
func (p *oauth2) Prepare(ctx context.Context) error {
	if p.s.Issuer == "" || p.prepared {
		return nil
	}
	return p.discover(ctx, false)
}

func (p *oauth2) discover(ctx context.Context, refetch bool) error {
	if err := oauth.CheckEndpoint(p.s.Name, p.s.Issuer); err != nil {
		return err
	}
	m, fromCache, err := discover(ctx, p.hc, p.s.Name, p.s.Issuer, p.s.CacheDir, refetch)
	if err != nil {
		return err
	}
	pick := func(configured, discovered string) string {
		if configured != "" {
			return configured
		}
		return discovered
	}
	p.tokenURL = pick(p.s.TokenURL, m.TokenEndpoint)
	p.authURL = pick(p.s.AuthURL, m.AuthorizationEndpoint)
	p.device = pick(p.s.DeviceAuthURL, m.DeviceAuthorizationEndpoint)
	p.revocation = pick(p.s.RevocationURL, m.RevocationEndpoint)
	p.jwks = pick(p.s.JWKSURL, m.JWKSURI)
	p.issParameter = m.IssParameter
	p.discovery = m.Document
	p.prepared, p.fromCache = true, fromCache
	return p.Check()
}

func (p *oauth2) Endpoints() Endpoints {
	return Endpoints{Issuer: p.s.Issuer, Token: p.tokenURL, Auth: p.authURL, Device: p.device, Revocation: p.revocation, JWKS: p.jwks, Discovery: p.discovery, IssParameter: p.issParameter}
}

// PublicClient: auth_method none, or no secret configured and no other
// method chosen (RFC 8252 native apps have none).
func (p *oauth2) PublicClient() bool {
	return p.s.AuthMethod == authNone || (p.s.AuthMethod == "" && p.s.ClientSecret == "")
}

// PKCE is always on for a public client (RFC 8252 §8.1).
func (p *oauth2) PKCE() bool { return p.PublicClient() || p.base.PKCE() }

func (p *oauth2) DeviceDefault() bool { return strings.EqualFold(p.s.Device, "true") }

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

func (p *oauth2) DeviceAuth(ctx context.Context, c Credentials) (*oauth.DeviceAuth, error) {
	if err := p.ready(ctx); err != nil {
		return nil, err
	}
	if p.device == "" {
		return nil, p.configError("no device authorization endpoint: %s, or an `issuer` whose discovery document has one", settingHint(p.s.Name, "device_auth_url"))
	}
	form := url.Values{}
	if len(p.scopes) > 0 {
		form.Set("scope", strings.Join(p.scopes, " "))
	}
	return p.hc.RequestDeviceAuth(ctx, p.request(p.device, form, c), p.credentialsHint(c))
}

func (p *oauth2) DeviceToken(ctx context.Context, c Credentials, deviceCode string) (*oauth.Token, error) {
	return p.token(ctx, c, GrantDeviceCode, url.Values{"device_code": {deviceCode}})
}

// Revoke sends an RFC 7009 revocation request.
func (p *oauth2) Revoke(ctx context.Context, c Credentials, token, hint string) error {
	if err := p.ready(ctx); err != nil {
		return err
	}
	if p.revocation == "" {
		return ErrNoRevocation
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	req := p.request(p.revocation, form, c)
	resp, err := p.hc.Do(ctx, req)
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		info := oauth.ReadError(req, resp, nil)
		return &oauth.ProviderError{Provider: p.s.Name, Status: resp.Status, Code: info.Code, Detail: info.Text(), Hint: "the token was not revoked"}
	}
	return nil
}

// ready runs discovery when Prepare has not, and checks the settings.
func (p *oauth2) ready(ctx context.Context) error {
	if err := p.Prepare(ctx); err != nil {
		return err
	}
	return p.Check()
}

// request is a form POST to endpoint with the client's authentication.
func (p *oauth2) request(endpoint string, form url.Values, c Credentials) *oauth.Request {
	req := &oauth.Request{Provider: p.s.Name, Method: "POST", URL: endpoint, Form: form}
	switch {
	case p.s.AuthMethod == authPost:
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	case p.s.AuthMethod == authNone || c.Secret == "":
		form.Set("client_id", c.ID)
	default:
		req.Basic = &oauth.BasicAuth{User: c.ID, Password: c.Secret, FormEncode: true}
	}
	return req
}

// token sends an RFC 6749 token request. When the endpoints came from a
// cached discovery document and the request cannot be delivered, the
// document is fetched again and the request retried once if they moved.
func (p *oauth2) token(ctx context.Context, c Credentials, grant string, form url.Values) (*oauth.Token, error) {
	if err := p.ready(ctx); err != nil {
		return nil, err
	}
	form.Set("grant_type", grant)
	send := func() (*oauth.Token, error) {
		return p.hc.Token(ctx, &oauth.Exchange{
			Request:         *p.request(p.tokenURL, form, c),
			Grant:           grant,
			Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
			CredentialsHint: p.credentialsHint(c),
		})
	}
	tok, err := send()
	var down *oauth.UnavailableError
	if err != nil && p.fromCache && errors.As(err, &down) {
		old := p.tokenURL
		if p.discover(ctx, true) == nil && p.tokenURL != old {
			return send()
		}
	}
	return tok, err
}
