package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/assertion"
	"github.com/tokctl/tokctl/internal/oauth"
)

// The generic RFC 6749 kind: a form POST to token_url, client authentication
// by HTTP Basic (client_secret_basic, the default), in the body
// (client_secret_post) or none (a public client, RFC 8252), space-delimited
// scopes, RFC 6749 §5.2 errors. With `issuer`, the endpoints come from the
// OpenID Connect discovery document (RFC 8414 as a fallback); explicitly
// configured URLs win. It also does the device grant (RFC 8628) and
// revocation (RFC 7009). Instead of a secret, a client may prove itself with
// a JWT (RFC 7523 §2.2, OpenID Connect Core §9): signed with its private key
// (private_key_jwt) or its secret (client_secret_jwt), or issued to a CI job
// (client_assertion); and `grant: jwt_bearer` sends a signed JWT as the
// grant itself (RFC 7523 §2.1).
func init() {
	register(Kind{
		Name:    "oauth2",
		Summary: "any RFC 6749 / OpenID Connect server (issuer discovery, public clients, device flow)",
		Keys: append(slices.Clone(BrowserKeys), "auth_method", "issuer", "device_auth_url", "revocation_url", "jwks_url", "device",
			"private_key", "private_key_id", "signing_alg", "client_assertion", "client_assertion_audience",
			"grant", "assertion_subject", "assertion_audience"),
		Login:   LoginBrowser,
		LoginAs: "oauth2 with auth_url",
		New:     func(s Settings, hc *oauth.Client) Provider { return newOAuth2(s, hc) },
	})
}

const (
	authBasic = "client_secret_basic"
	authPost  = "client_secret_post"
	// authNone is a public client (RFC 8252): client_id in the body, no secret.
	authNone = "none"
	// authKeyJWT and authSecretJWT send a JWT client assertion (RFC 7523 §2.2).
	authKeyJWT    = "private_key_jwt"
	authSecretJWT = "client_secret_jwt"

	grantCC        = "client_credentials"
	grantJWTBearer = "jwt_bearer"
)

var (
	authMethods = []string{authBasic, authPost, authKeyJWT, authSecretJWT, authNone}
	signingAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"}
)

// oauth2 implements every capability; which grants it offers depends on
// its settings and endpoints (Grants).
type oauth2 struct {
	base
	browser
	o                        oauth2Settings
	device, revocation, jwks string
	// discovery is the URL of the discovery document used, once read.
	discovery string
	// prepared: discovery ran (or was not needed); fromCache: its document
	// came from the disk cache and may be refetched after a failure.
	prepared, fromCache bool
	// issParameter: the discovery document advertises RFC 9207's iss parameter.
	issParameter bool
	// signer signs with the private key, made on first use; ci hands out
	// the CI platform's tokens.
	signer *assertion.Signer
	ci     *assertion.CISource
}

// oauth2Settings are the generic kind's own settings (its Kind.Keys beyond
// the browser login's).
type oauth2Settings struct {
	// authMethod is the client authentication: client_secret_basic,
	// client_secret_post, private_key_jwt, client_secret_jwt or none.
	authMethod string
	// issuer is an OpenID Connect issuer whose discovery document supplies
	// the endpoints not configured explicitly.
	issuer, deviceAuthURL, revocationURL, jwksURL string
	// device is "true" to make the device flow login's default.
	device string
	// privateKey is the PEM file of the key that signs private_key_jwt
	// client assertions and jwt_bearer grants; privateKeyID its kid
	// (default: its RFC 7638 thumbprint); signingAlg overrides the
	// algorithm the key implies (e.g. PS256).
	privateKey, privateKeyID, signingAlg string
	// clientAssertion is a CI token source: github-actions, env:VAR or
	// file:PATH; clientAssertionAudience the audience asked of GitHub.
	clientAssertion, clientAssertionAudience string
	// grant is client_credentials (default) or jwt_bearer.
	grant string
	// assertionSubject is the jwt_bearer assertion's sub (default: the
	// client id); assertionAudience the aud of every assertion tokctl
	// signs (default: the token endpoint).
	assertionSubject, assertionAudience string
}

func parseOAuth2(s Settings) oauth2Settings {
	return oauth2Settings{
		authMethod: s.Value("auth_method"), issuer: s.Value("issuer"),
		deviceAuthURL: s.Value("device_auth_url"), revocationURL: s.Value("revocation_url"), jwksURL: s.Value("jwks_url"),
		device:     s.Value("device"),
		privateKey: s.Value("private_key"), privateKeyID: s.Value("private_key_id"), signingAlg: s.Value("signing_alg"),
		clientAssertion: s.Value("client_assertion"), clientAssertionAudience: s.Value("client_assertion_audience"),
		grant: s.Value("grant"), assertionSubject: s.Value("assertion_subject"), assertionAudience: s.Value("assertion_audience"),
	}
}

func newOAuth2(s Settings, hc *oauth.Client) *oauth2 {
	o := parseOAuth2(s)
	p := &oauth2{base: newBase(s, hc, "", "", nil), o: o, device: o.deviceAuthURL, revocation: o.revocationURL, jwks: o.jwksURL}
	p.browser = browser{&p.base}
	return p
}

// RecordEndpoint identifies where tokens come from: the token URL, or the issuer
// when the token URL is discovered, so that a stored token is recognised
// without discovery.
func (p *oauth2) RecordEndpoint() string {
	if p.s.TokenURL == "" && p.o.issuer != "" {
		return p.o.issuer
	}
	return p.tokenURL
}

// Grants: the browser login needs an authorization endpoint, the device
// login a device authorization endpoint (configured or discovered); a
// public client has no secret, so no client-credentials grant. Before
// Prepare, an issuer counts as the authorization endpoint it is expected to
// supply.
func (p *oauth2) Grants() []string {
	var flows []string
	switch {
	case p.PublicClient():
	case p.o.grant == grantJWTBearer:
		flows = append(flows, GrantJWTBearer)
	default:
		flows = append(flows, GrantClientCredentials)
	}
	if p.authURL != "" || (p.o.issuer != "" && !p.prepared) {
		flows = append(flows, GrantAuthorizationCode)
	}
	if p.device != "" {
		flows = append(flows, GrantDeviceCode)
	}
	return append(flows, GrantRefreshToken)
}

func (p *oauth2) Check() error {
	if err := p.checkClientAuth(); err != nil {
		return err
	}
	if p.o.issuer != "" {
		if err := oauth.CheckEndpoint(p.s.Name, p.o.issuer); err != nil {
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

// checkClientAuth validates the client authentication settings.
func (p *oauth2) checkClientAuth() error {
	s, o := p.s, p.o
	if o.authMethod != "" && !slices.Contains(authMethods, o.authMethod) {
		return p.configError("unknown auth_method %q: use %s (%s)", o.authMethod, strings.Join(authMethods, ", "), valueHint(s, "auth_method"))
	}
	switch o.grant {
	case "", grantCC, grantJWTBearer:
	default:
		return p.configError("unknown grant %q: use %s or %s (%s)", o.grant, grantCC, grantJWTBearer, valueHint(s, "grant"))
	}
	if o.signingAlg != "" && !slices.Contains(signingAlgs, o.signingAlg) {
		return p.configError("unknown signing_alg %q: use one of %s (%s)", o.signingAlg, strings.Join(signingAlgs, ", "), valueHint(s, "signing_alg"))
	}
	if o.clientAssertion != "" {
		if err := assertion.CheckCISource(o.clientAssertion); err != nil {
			return p.configError("%v (%s)", err, valueHint(s, "client_assertion"))
		}
		if o.authMethod != "" && o.authMethod != authKeyJWT {
			return p.configError("client_assertion is a JWT client assertion: leave auth_method unset, not %s", o.authMethod)
		}
	}
	if o.assertionAudience != "" {
		if u, err := url.Parse(o.assertionAudience); err != nil || u.Scheme == "" {
			return p.configError("assertion_audience must be a URL, not %q", o.assertionAudience)
		}
	}
	return nil
}

// Prepare fetches (or reads from the cache) the discovery document when an
// issuer is configured, and fills in the endpoints not set explicitly.
func (p *oauth2) Prepare(ctx context.Context) error {
	if p.o.issuer == "" || p.prepared {
		return nil
	}
	return p.discover(ctx, false)
}

func (p *oauth2) discover(ctx context.Context, refetch bool) error {
	if err := oauth.CheckEndpoint(p.s.Name, p.o.issuer); err != nil {
		return err
	}
	m, fromCache, err := discover(ctx, p.hc, p.s.Name, p.o.issuer, p.s.CacheDir, refetch)
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
	p.device = pick(p.o.deviceAuthURL, m.DeviceAuthorizationEndpoint)
	p.revocation = pick(p.o.revocationURL, m.RevocationEndpoint)
	p.jwks = pick(p.o.jwksURL, m.JWKSURI)
	p.issParameter = m.IssParameter
	p.discovery = m.Document
	p.prepared, p.fromCache = true, fromCache
	return p.Check()
}

func (p *oauth2) Endpoints() Endpoints {
	return Endpoints{Issuer: p.o.issuer, Token: p.tokenURL, Auth: p.authURL, Device: p.device, Revocation: p.revocation, JWKS: p.jwks, Discovery: p.discovery, IssParameter: p.issParameter}
}

// PublicClient: auth_method none, or no secret, key or CI token configured
// and no other method chosen (RFC 8252 native apps have none).
func (p *oauth2) PublicClient() bool {
	return p.o.authMethod == authNone ||
		(p.o.authMethod == "" && p.s.ClientSecret == "" && p.o.privateKey == "" && p.o.clientAssertion == "" && p.o.grant != grantJWTBearer)
}

// KeyAuth: private_key_jwt, a CI token, or the JWT-bearer grant need no
// client secret.
func (p *oauth2) KeyAuth() bool {
	return p.o.authMethod == authKeyJWT || p.o.clientAssertion != "" || p.o.grant == grantJWTBearer ||
		(p.o.authMethod == "" && p.o.privateKey != "")
}

// PKCE is always on for a public client (RFC 8252 §8.1).
func (p *oauth2) PKCE() bool { return p.PublicClient() || p.browser.PKCE() }

func (p *oauth2) DeviceDefault() bool { return strings.EqualFold(p.o.device, "true") }

// ClientCredentials fetches a token without a user: the client credentials
// grant, or with `grant: jwt_bearer` the JWT-bearer grant (RFC 7523 §2.1),
// whose assertion tokctl signs with the private key.
func (p *oauth2) ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error) {
	form := url.Values{}
	scope := strings.Join(p.scopes, " ")
	if scope != "" {
		form.Set("scope", scope)
	}
	if p.o.grant != grantJWTBearer {
		return p.token(ctx, c, GrantClientCredentials, form)
	}
	if err := p.ready(ctx); err != nil {
		return nil, err
	}
	if c.ID == "" {
		return nil, p.configError("the jwt_bearer grant needs a client id (the assertion's issuer): %s", settingHint(p.s.Name, "client_id"))
	}
	signer, err := p.keySigner(c)
	if err != nil {
		return nil, err
	}
	sub := p.o.assertionSubject
	if sub == "" {
		sub = c.ID
	}
	sign := func(_ context.Context, form url.Values) error {
		// The scope claim too: Google-style service accounts read it there.
		a, err := signer.Sign(assertion.Claims{Issuer: c.ID, Subject: sub, Audience: p.assertionAudience(), Scope: scope})
		if err != nil {
			return p.configError("cannot sign the jwt_bearer assertion: %v", err)
		}
		form.Set("assertion", a)
		return nil
	}
	return p.tokenWith(ctx, c, GrantJWTBearer, form, sign)
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
	req, err := p.request(p.device, form, c)
	if err != nil {
		return nil, err
	}
	return p.hc.RequestDeviceAuth(ctx, req, p.credentialsHint(c))
}

func (p *oauth2) DeviceToken(ctx context.Context, c Credentials, deviceCode string) (*oauth.Token, error) {
	return p.token(ctx, c, GrantDeviceCode, url.Values{"device_code": {deviceCode}})
}

// CanRevoke: a configured revocation endpoint, or an issuer whose discovery
// document may name one.
func (p *oauth2) CanRevoke() bool { return p.revocation != "" || p.o.issuer != "" }

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
	req, err := p.request(p.revocation, form, c)
	if err != nil {
		return err
	}
	resp, err := p.hc.Do(ctx, req)
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		info := oauth.ReadError(req, resp, nil)
		return &failure.ProviderError{Provider: p.s.Name, Status: resp.Status, Code: info.Code, Detail: info.Text(), Hint: "the token was not revoked"}
	}
	return nil
}

// credentialsHint tells what to check when the provider refuses the client:
// for a client that signs, its key or the trust in its CI token.
func (p *oauth2) credentialsHint(c Credentials) string {
	switch {
	case p.o.clientAssertion != "":
		return fmt.Sprintf("check %s and that the provider trusts the CI token (its issuer and subject, and the audience in client_assertion_audience)", EnvVar(p.s.Name, "client_id"))
	case p.authMethod(c) == authKeyJWT || p.o.grant == grantJWTBearer:
		return fmt.Sprintf("check %s, and that the client's registered public key is the one `tokctl key public %s` prints", EnvVar(p.s.Name, "client_id"), p.s.Name)
	}
	return p.base.credentialsHint(c)
}

// ready runs discovery when Prepare has not, and checks the settings.
func (p *oauth2) ready(ctx context.Context) error {
	if err := p.Prepare(ctx); err != nil {
		return err
	}
	return p.Check()
}

// authMethod is the client authentication to use: the configured one, else
// a CI token or private key when there is one (except that with the
// jwt_bearer grant the key signs the grant), else the secret by Basic, else
// none.
func (p *oauth2) authMethod(c Credentials) string {
	switch {
	case p.o.authMethod != "":
		return p.o.authMethod
	case p.o.clientAssertion != "":
		return authKeyJWT
	case p.o.grant != grantJWTBearer && (p.o.privateKey != "" || len(c.PrivateKey) > 0):
		return authKeyJWT
	case c.Secret != "":
		return authBasic
	}
	return authNone
}

// request is a form POST to endpoint with the client's authentication. A
// JWT client assertion is made afresh for every try (its jti is good once).
func (p *oauth2) request(endpoint string, form url.Values, c Credentials) (*oauth.Request, error) {
	req := &oauth.Request{Provider: p.s.Name, Method: "POST", URL: endpoint, Form: form}
	switch method := p.authMethod(c); method {
	case authPost:
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	case authKeyJWT, authSecretJWT:
		mk, err := p.assertionMaker(method, c)
		if err != nil {
			return nil, err
		}
		form.Set("client_id", c.ID)
		form.Set("client_assertion_type", assertion.Type)
		req.Sign = func(ctx context.Context, form url.Values) error {
			a, err := mk(ctx)
			if err != nil {
				return err
			}
			form.Set("client_assertion", a)
			return nil
		}
	case authNone:
		form.Set("client_id", c.ID)
	default:
		if c.Secret == "" {
			form.Set("client_id", c.ID)
			break
		}
		req.Basic = &oauth.BasicAuth{User: c.ID, Password: c.Secret, FormEncode: true}
	}
	return req, nil
}

// assertionMaker returns what makes the client assertion of method: a CI
// token, or a JWT signed with the private key or the client secret.
func (p *oauth2) assertionMaker(method string, c Credentials) (func(context.Context) (string, error), error) {
	if c.ID == "" {
		return nil, p.configError("%s needs a client id: %s", method, settingHint(p.s.Name, "client_id"))
	}
	if p.o.clientAssertion != "" {
		if p.ci == nil {
			p.ci = &assertion.CISource{Spec: p.o.clientAssertion, Audience: p.o.clientAssertionAudience, Provider: p.s.Name, HTTP: p.hc}
		}
		ci := p.ci
		return ci.Token, nil
	}
	var signer *assertion.Signer
	if method == authSecretJWT {
		if c.Secret == "" {
			return nil, &failure.LoginRequiredError{Provider: p.s.Name, Reason: "client_secret_jwt signs with the client secret, and there is none",
				Hint: fmt.Sprintf("run `tokctl login %s --client-credentials`, or set %s", p.s.Name, EnvVar(p.s.Name, "client_secret"))}
		}
		s, err := assertion.NewHMACSigner([]byte(c.Secret), p.o.signingAlg)
		if err != nil {
			return nil, p.configError("%v (%s)", err, settingHint(p.s.Name, "signing_alg"))
		}
		signer = s
	} else {
		s, err := p.keySigner(c)
		if err != nil {
			return nil, err
		}
		signer = s
	}
	return func(context.Context) (string, error) {
		a, err := signer.Sign(assertion.Claims{Issuer: c.ID, Subject: c.ID, Audience: p.assertionAudience()})
		if err != nil {
			return "", p.configError("cannot sign the client assertion: %v", err)
		}
		return a, nil
	}, nil
}

// assertionAudience is the aud of what tokctl signs: assertion_audience,
// else the token endpoint (RFC 7523 §3, OpenID Connect Core §9).
func (p *oauth2) assertionAudience() string {
	if p.o.assertionAudience != "" {
		return p.o.assertionAudience
	}
	return p.tokenURL
}

// keySigner loads the private key once: the private_key file, else the key
// `tokctl login --private-key-stdin` stored.
func (p *oauth2) keySigner(c Credentials) (*assertion.Signer, error) {
	if p.signer != nil {
		return p.signer, nil
	}
	k, err := LoadPrivateKey(p.s, c.PrivateKey)
	if err != nil {
		return nil, err
	}
	s, err := assertion.NewSigner(k, p.o.signingAlg, p.o.privateKeyID)
	if err != nil {
		return nil, p.configError("%v (%s)", err, settingHint(p.s.Name, "signing_alg"))
	}
	p.signer = s
	return s, nil
}

// LoadPrivateKey reads the private key of provider s: its private_key file
// (warning through s.Warnf when others can read it), else stored, the PEM
// key `tokctl login --private-key-stdin` kept. No key at all is a
// *failure.LoginRequiredError.
func LoadPrivateKey(s Settings, stored []byte) (*assertion.Key, error) {
	if s.Value("private_key") != "" {
		path := expandHome(s.Value("private_key"))
		k, warning, err := assertion.ReadKeyFile(path)
		if err != nil {
			return nil, &failure.ConfigError{Provider: s.Name, Msg: fmt.Sprintf("%v (%s)", err, settingHint(s.Name, "private_key"))}
		}
		if warning != "" && s.Warnf != nil {
			s.Warnf("%s: %s", s.Name, warning)
		}
		return k, nil
	}
	if len(stored) > 0 {
		k, err := assertion.ParseKey(stored)
		if err != nil {
			return nil, &failure.LoginRequiredError{Provider: s.Name, Reason: "the stored private key is unreadable",
				Hint: fmt.Sprintf("store it again with `tokctl login %s --private-key-stdin`", s.Name)}
		}
		return k, nil
	}
	return nil, &failure.LoginRequiredError{Provider: s.Name, Reason: "no private key to sign with",
		Hint: fmt.Sprintf("set `private_key: FILE` under providers.%s (or %s), or store one with `tokctl login %s --private-key-stdin`", s.Name, EnvVar(s.Name, "private_key"), s.Name)}
}

// KeySigner is what signs for provider s with its private key (see
// LoadPrivateKey), for `tokctl key public`.
func KeySigner(s Settings, stored []byte) (*assertion.Signer, error) {
	k, err := LoadPrivateKey(s, stored)
	if err != nil {
		return nil, err
	}
	signer, err := assertion.NewSigner(k, s.Value("signing_alg"), s.Value("private_key_id"))
	if err != nil {
		return nil, &failure.ConfigError{Provider: s.Name, Msg: err.Error()}
	}
	return signer, nil
}

// PreferKeyAuth makes a client with neither an auth_method nor the
// jwt_bearer grant prove itself with its private key (private_key_jwt), as
// `tokctl login --private-key-stdin` means.
func PreferKeyAuth(s *Settings) {
	if s.Value("auth_method") == "" && s.Value("grant") != grantJWTBearer {
		s.Set("auth_method", authKeyJWT)
	}
}

// expandHome turns a leading ~/ into the home directory.
func expandHome(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return path
}

// token sends an RFC 6749 token request. When the endpoints came from a
// cached discovery document and the request cannot be delivered, the
// document is fetched again and the request retried once if they moved.
func (p *oauth2) token(ctx context.Context, c Credentials, grant string, form url.Values) (*oauth.Token, error) {
	return p.tokenWith(ctx, c, grant, form, nil)
}

// tokenWith is token with sign run before every try, for a grant whose
// assertion must be fresh.
func (p *oauth2) tokenWith(ctx context.Context, c Credentials, grant string, form url.Values, sign func(context.Context, url.Values) error) (*oauth.Token, error) {
	if err := p.ready(ctx); err != nil {
		return nil, err
	}
	form.Set("grant_type", grant)
	send := func() (*oauth.Token, error) {
		req, err := p.request(p.tokenURL, form, c)
		if err != nil {
			return nil, err
		}
		if sign != nil {
			clientSign := req.Sign
			req.Sign = func(ctx context.Context, form url.Values) error {
				if err := sign(ctx, form); err != nil {
					return err
				}
				if clientSign != nil {
					return clientSign(ctx, form)
				}
				return nil
			}
		}
		return p.hc.Token(ctx, &oauth.Exchange{
			Request:         *req,
			Grant:           grant,
			Parse:           oauth.ParseOptions{ScopeSeparator: " ", Requested: p.scopes},
			CredentialsHint: p.credentialsHint(c),
		})
	}
	tok, err := send()
	var down *failure.UnavailableError
	if err != nil && p.fromCache && errors.As(err, &down) {
		old := p.tokenURL
		if p.discover(ctx, true) == nil && p.tokenURL != old {
			return send()
		}
	}
	return tok, err
}
