// Package provider knows each token API tokctl speaks. One file per kind
// (tilia.go, ils.go, tiki.go, tiltify.go, oauth2.go) registers an adapter
// that turns Settings into requests; quirks stay in their adapter's file.
package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/tokctl/tokctl/internal/config"
	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/oauth"
)

// Provider is one configured token source.
type Provider interface {
	// Name is the instance name ("tilia", "tilia-staging").
	Name() string
	// Kind is the adapter ("tilia", "oauth2").
	Kind() string
	// RecordEndpoint is where a stored token comes from (the token URL, or
	// the issuer when the token URL is discovered); a stored token is served
	// only for the same one. Endpoints lists every endpoint.
	RecordEndpoint() string
	// AuthURL is the authorization endpoint, empty without a browser flow.
	AuthURL() string
	// ClientID is the configured client id, possibly empty.
	ClientID() string
	// Scopes are the scopes a token request asks for (configured or default).
	Scopes() []string
	// Flows lists the grants the provider supports, e.g. "client_credentials".
	Flows() []string
	// Check reports a missing or invalid setting as an *failure.ConfigError,
	// before any request is sent.
	Check() error
	// ClientCredentials fetches a token with the client credentials grant.
	ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error)
	// RedirectURI is the configured redirect_uri, empty for tokctl's default
	// (http://127.0.0.1:<ephemeral port>/callback).
	RedirectURI() string
	// PKCE reports whether the browser login sends a PKCE S256 challenge.
	PKCE() bool
	// PublicClient reports whether the client authenticates without a secret.
	PublicClient() bool
	// AuthCodeURL is the authorization URL the browser login opens.
	AuthCodeURL(r AuthRequest) string
	// Exchange redeems an authorization code (authorization-code grant).
	Exchange(ctx context.Context, c Credentials, x CodeExchange) (*oauth.Token, error)
	// Refresh gets a new token with a refresh token; the provider may rotate it.
	Refresh(ctx context.Context, c Credentials, refreshToken string) (*oauth.Token, error)

	// Prepare resolves what needs the network before a request: an OpenID
	// Connect provider's discovery document (cached on disk). Other
	// adapters have nothing to do. The hot path (a stored, fresh token)
	// never calls it.
	Prepare(ctx context.Context) error
	// Endpoints are the URLs the provider uses, known after Prepare.
	Endpoints() Endpoints
	// DeviceAuth starts the device authorization grant (RFC 8628 §3.1).
	DeviceAuth(ctx context.Context, c Credentials) (*oauth.DeviceAuth, error)
	// DeviceToken polls once for the device grant's token (RFC 8628 §3.4).
	DeviceToken(ctx context.Context, c Credentials, deviceCode string) (*oauth.Token, error)
	// DeviceDefault reports whether login uses the device flow by default.
	DeviceDefault() bool
	// Revoke revokes a token at the revocation endpoint (RFC 7009);
	// ErrNoRevocation when the provider has none.
	Revoke(ctx context.Context, c Credentials, token, hint string) error
	// KeyAuth reports whether the client proves itself with a private key or
	// a CI token rather than a client secret (the generic kind's
	// private_key_jwt, client_assertion and jwt_bearer grant).
	KeyAuth() bool
}

// Endpoints are a provider's URLs; empty means it has none.
type Endpoints struct {
	Issuer, Token, Auth, Device, Revocation, JWKS string
	// Discovery is the discovery document the endpoints came from, once
	// read (empty for a cache entry written before it was recorded).
	Discovery string
	// IssParameter: discovery says the authorization response carries the
	// issuer (RFC 9207), so a callback without it, or with another, is refused.
	IssParameter bool
}

// ErrNoRevocation means the provider has no revocation endpoint.
var ErrNoRevocation = errors.New("no revocation endpoint")

// Grant types, as Flows lists them.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	// GrantJWTBearer is RFC 7523 §2.1's grant: a signed JWT as the grant.
	GrantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// Fetches reports whether p gets tokens without a user: the client
// credentials or the JWT-bearer grant.
func Fetches(p Provider) bool {
	return Supports(p, GrantClientCredentials) || Supports(p, GrantJWTBearer)
}

// Supports reports whether p offers the grant.
func Supports(p Provider, grant string) bool { return slices.Contains(p.Flows(), grant) }

// AuthRequest is what an authorization URL carries besides the provider's
// own settings.
type AuthRequest struct {
	ClientID    string
	RedirectURI string
	State       string
	// Challenge is the PKCE S256 code challenge; empty sends none.
	Challenge string
	// Nonce is the OpenID Connect nonce; empty sends none.
	Nonce string
}

// CodeExchange is an authorization code to redeem.
type CodeExchange struct {
	Code        string
	RedirectURI string
	// Verifier is the PKCE code verifier; empty when no challenge was sent.
	Verifier string
}

// Credentials identify the client to the token endpoint.
type Credentials struct {
	ID     string
	Secret string
	// Fix is the next step when the provider rejects them, naming where
	// they came from ("run `tokctl login ils` again", "check
	// TOKCTL_ILS_CLIENT_ID and …"); empty means the environment variables.
	Fix string
	// PrivateKey is a PEM private key stored by `tokctl login
	// --private-key-stdin`; the private_key setting (a file) wins over it.
	PrivateKey []byte
}

// Settings are a provider's resolved configuration (defaults not yet applied).
type Settings struct {
	Name         string
	Kind         string
	ClientID     string
	ClientSecret string
	TokenURL     string
	AuthURL      string
	RedirectURI  string
	// URL is a self-hosted provider's base URL.
	URL string
	// Env picks a provider's environment ("staging").
	Env string
	// API picks a provider's API version ("v3").
	API string
	// AuthMethod is the client authentication: client_secret_basic or client_secret_post.
	AuthMethod string
	// PKCE is "false" to send no PKCE challenge; empty means the adapter's default.
	PKCE   string
	Scopes []string
	// Issuer is an OpenID Connect issuer whose discovery document supplies
	// the endpoints not configured explicitly.
	Issuer        string
	DeviceAuthURL string
	RevocationURL string
	JWKSURL       string
	// Device is "true" to make the device flow login's default.
	Device string
	// Prompt is the OpenID Connect prompt parameter of the browser login
	// (e.g. "consent"); empty sends none.
	Prompt string

	// PrivateKey is the PEM file of the key that signs private_key_jwt
	// client assertions and jwt_bearer grants; PrivateKeyID its kid
	// (default: its RFC 7638 thumbprint); SigningAlg overrides the
	// algorithm the key implies (e.g. PS256).
	PrivateKey, PrivateKeyID, SigningAlg string
	// ClientAssertion is a CI token source: github-actions, env:VAR or
	// file:PATH; ClientAssertionAudience the audience asked of GitHub.
	ClientAssertion, ClientAssertionAudience string
	// Grant is client_credentials (default) or jwt_bearer.
	Grant string
	// AssertionSubject is the jwt_bearer assertion's sub (default: the
	// client id); AssertionAudience the aud of every assertion tokctl
	// signs (default: the token endpoint).
	AssertionSubject, AssertionAudience string

	// CacheDir holds cached discovery documents; not a user setting.
	CacheDir string
	// ConfigFile is the config file the settings were read from, for
	// messages that name it; not a user setting.
	ConfigFile string
	// Warnf prints a warning line (e.g. a private key others can read);
	// not a user setting, may be nil.
	Warnf func(format string, args ...any)
}

// Keys are the setting names of the config file (providers.NAME.KEY) and of
// the environment (TOKCTL_NAME_KEY).
var Keys = []string{"kind", "client_id", "client_secret", "token_url", "auth_url", "redirect_uri", "url", "env", "api", "auth_method", "pkce", "scopes",
	"issuer", "device_auth_url", "revocation_url", "jwks_url", "device", "prompt",
	"private_key", "private_key_id", "signing_alg", "client_assertion", "client_assertion_audience",
	"grant", "assertion_subject", "assertion_audience"}

// ListKeys are the Keys whose value may be a YAML list in the config file
// (joined with commas); every other key takes a single value.
var ListKeys = []string{"scopes"}

// Set assigns the setting key; scopes may be separated by commas or white space.
func (s *Settings) Set(key, value string) {
	switch key {
	case "kind":
		s.Kind = value
	case "client_id":
		s.ClientID = value
	case "client_secret":
		s.ClientSecret = value
	case "token_url":
		s.TokenURL = value
	case "auth_url":
		s.AuthURL = value
	case "redirect_uri":
		s.RedirectURI = value
	case "url":
		s.URL = value
	case "env":
		s.Env = value
	case "api":
		s.API = value
	case "auth_method":
		s.AuthMethod = value
	case "pkce":
		s.PKCE = value
	case "scopes":
		s.Scopes = oauth.SplitScopes(value, ",")
	case "issuer":
		s.Issuer = value
	case "device_auth_url":
		s.DeviceAuthURL = value
	case "revocation_url":
		s.RevocationURL = value
	case "jwks_url":
		s.JWKSURL = value
	case "device":
		s.Device = value
	case "prompt":
		s.Prompt = value
	case "private_key":
		s.PrivateKey = value
	case "private_key_id":
		s.PrivateKeyID = value
	case "signing_alg":
		s.SigningAlg = value
	case "client_assertion":
		s.ClientAssertion = value
	case "client_assertion_audience":
		s.ClientAssertionAudience = value
	case "grant":
		s.Grant = value
	case "assertion_subject":
		s.AssertionSubject = value
	case "assertion_audience":
		s.AssertionAudience = value
	}
}

// EnvVar is the environment variable that sets key for provider name.
func EnvVar(name, key string) string {
	return "TOKCTL_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_" + strings.ToUpper(key)
}

// ValidName reports whether name can name a provider instance: 1 to 64
// lower-case letters, digits, '-' and '_', starting with a letter or digit.
// (A loop, not a regexp: compiling one would cost every start of tokctl.)
func ValidName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '-' || name[0] == '_' {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// Kind describes one adapter.
type Kind struct {
	Name string
	// BuiltIn kinds exist as a provider of the same name without configuration.
	BuiltIn bool
	// Summary is one line for `tokctl providers`.
	Summary string
	New     func(s Settings, hc *oauth.Client) Provider
}

// kinds is filled by the adapters' init functions and read-only afterwards.
var kinds = map[string]Kind{}

func register(k Kind) { kinds[k.Name] = k }

// Kinds lists the adapters, sorted by name.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// BuiltIn lists the names of the built-in providers.
func BuiltIn() []string {
	var names []string
	for _, k := range Kinds() {
		if k.BuiltIn {
			names = append(names, k.Name)
		}
	}
	return names
}

// IsBuiltIn reports whether name is a built-in provider.
func IsBuiltIn(name string) bool {
	k, ok := kinds[name]
	return ok && k.BuiltIn
}

// New builds the provider that s describes. An empty Kind means the built-in
// provider of the same name.
func New(s Settings, hc *oauth.Client) (Provider, error) {
	kind := s.Kind
	if kind == "" {
		kind = s.Name
	}
	k, ok := kinds[kind]
	if !ok {
		if s.Kind == "" {
			return nil, &failure.ConfigError{Provider: s.Name, Msg: "unknown provider; see `tokctl providers`, or add it to the config file with a `kind`"}
		}
		msg := fmt.Sprintf("unknown kind %q: use one of %s", s.Kind, strings.Join(kindNames(), ", "))
		if near := config.Nearest(s.Kind, kindNames()); near != "" {
			msg += fmt.Sprintf("; did you mean `%s`?", near)
		}
		return nil, &failure.ConfigError{Provider: s.Name, Msg: msg + " (" + valueHint(s, "kind") + ")"}
	}
	s.Kind = k.Name
	return k.New(s, hc), nil
}

func kindNames() []string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	return names
}

// base carries what every adapter has.
type base struct {
	s        Settings
	tokenURL string
	authURL  string
	scopes   []string
	hc       *oauth.Client
}

func newBase(s Settings, hc *oauth.Client, tokenURL, authURL string, defaultScopes []string) base {
	b := base{s: s, tokenURL: tokenURL, authURL: authURL, scopes: s.Scopes, hc: hc}
	if s.TokenURL != "" {
		b.tokenURL = s.TokenURL
	}
	if s.AuthURL != "" {
		b.authURL = s.AuthURL
	}
	if len(b.scopes) == 0 {
		b.scopes = defaultScopes
	}
	return b
}

func (b *base) Name() string           { return b.s.Name }
func (b *base) Kind() string           { return b.s.Kind }
func (b *base) RecordEndpoint() string { return b.tokenURL }
func (b *base) AuthURL() string        { return b.authURL }
func (b *base) ClientID() string       { return b.s.ClientID }
func (b *base) Scopes() []string       { return slices.Clone(b.scopes) }

func (b *base) RedirectURI() string { return b.s.RedirectURI }

// PublicClient is false: only the generic kind knows public clients.
func (b *base) PublicClient() bool { return false }

// PKCE is on unless the setting says false; adapters whose API cannot take
// a challenge override it.
func (b *base) PKCE() bool { return !strings.EqualFold(b.s.PKCE, "false") }

// AuthCodeURL builds the RFC 6749 §4.1.1 authorization request every
// adapter with a browser login uses, with RFC 7636 S256 when a challenge is
// given; scopes are space-delimited.
func (b *base) AuthCodeURL(r AuthRequest) string {
	q := url.Values{
		"client_id":     {r.ClientID},
		"response_type": {"code"},
		"redirect_uri":  {r.RedirectURI},
		"state":         {r.State},
	}
	if len(b.scopes) > 0 {
		q.Set("scope", strings.Join(b.scopes, " "))
	}
	if r.Nonce != "" {
		q.Set("nonce", r.Nonce)
	}
	// Only when configured: OpenID Connect Core §11 asks for prompt=consent
	// with offline_access, and some providers (oidc-provider) drop the scope
	// without it, but others then show a consent screen at every login
	// (Dex, Entra ID), so tokctl does not send it on its own.
	if b.s.Prompt != "" {
		q.Set("prompt", b.s.Prompt)
	}
	if r.Challenge != "" {
		q.Set("code_challenge", r.Challenge)
		q.Set("code_challenge_method", "S256")
	}
	sep := "?"
	if strings.Contains(b.authURL, "?") {
		sep = "&"
	}
	return b.authURL + sep + q.Encode()
}

// Exchange and Refresh are refused by adapters without those grants.
func (b *base) Exchange(context.Context, Credentials, CodeExchange) (*oauth.Token, error) {
	return nil, b.noGrant(GrantAuthorizationCode)
}

func (b *base) Refresh(context.Context, Credentials, string) (*oauth.Token, error) {
	return nil, b.noGrant(GrantRefreshToken)
}

func (b *base) Prepare(context.Context) error { return nil }

func (b *base) Endpoints() Endpoints { return Endpoints{Token: b.tokenURL, Auth: b.authURL} }

func (b *base) DeviceAuth(context.Context, Credentials) (*oauth.DeviceAuth, error) {
	return nil, b.noGrant(GrantDeviceCode)
}

func (b *base) DeviceToken(context.Context, Credentials, string) (*oauth.Token, error) {
	return nil, b.noGrant(GrantDeviceCode)
}

func (b *base) DeviceDefault() bool { return false }

func (b *base) Revoke(context.Context, Credentials, string, string) error { return ErrNoRevocation }

// KeyAuth is false: only the generic kind signs client assertions.
func (b *base) KeyAuth() bool { return false }

func (b *base) noGrant(grant string) error {
	return b.configError("%s has no %s grant", b.s.Kind, grant)
}

// checkPKCE validates the pkce setting.
func (b *base) checkPKCE() error {
	switch strings.ToLower(b.s.PKCE) {
	case "", "true", "false":
		return nil
	}
	return b.configError("pkce must be true or false, not %q (%s)", b.s.PKCE, valueHint(b.s, "pkce"))
}

// checkPrompt validates the prompt setting: OpenID Connect Core §3.1.2.1's
// space-separated values.
func (b *base) checkPrompt() error {
	if b.s.Prompt == "" {
		return nil
	}
	values := strings.Fields(b.s.Prompt)
	for _, v := range values {
		switch v {
		case "none", "login", "consent", "select_account":
			continue
		}
		return b.configError("prompt must be none, login, consent or select_account (space-separated), not %q (%s)", oauth.EscapeControl(b.s.Prompt), valueHint(b.s, "prompt"))
	}
	if len(values) > 1 && slices.Contains(values, "none") {
		return b.configError("prompt none cannot be combined with other values (%s)", valueHint(b.s, "prompt"))
	}
	return nil
}

// checkEndpoints validates the URLs a provider will use.
func (b *base) checkEndpoints(missingHint string) error {
	if err := b.checkPKCE(); err != nil {
		return err
	}
	if err := b.checkPrompt(); err != nil {
		return err
	}
	if b.tokenURL == "" {
		return &failure.ConfigError{Provider: b.s.Name, Msg: missingHint}
	}
	if err := oauth.CheckEndpoint(b.s.Name, b.tokenURL); err != nil {
		return err
	}
	if b.authURL != "" {
		return oauth.CheckEndpoint(b.s.Name, b.authURL)
	}
	return nil
}

// credentialsHint is the next step when c is rejected: c.Fix, which names
// where they came from, else the environment variables.
func (b *base) credentialsHint(c Credentials) string {
	if c.Fix != "" {
		return c.Fix
	}
	return fmt.Sprintf("check %s and %s", EnvVar(b.s.Name, "client_id"), EnvVar(b.s.Name, "client_secret"))
}

// configError is a ConfigError for this provider.
func (b *base) configError(format string, args ...any) error {
	return &failure.ConfigError{Provider: b.s.Name, Msg: fmt.Sprintf(format, args...)}
}

// settingHint names the three ways to set key, for error messages.
func settingHint(name, key string) string {
	return fmt.Sprintf("set `%s` under providers.%s in the config file, or %s", key, name, EnvVar(name, key))
}

// valueHint names where the wrong value of setting key came from, which is
// where it must be fixed: its environment variable when that is set (the
// environment wins over the file), else the key in the config file.
func valueHint(s Settings, key string) string {
	env := EnvVar(s.Name, key)
	if os.Getenv(env) != "" || s.ConfigFile == "" {
		return "from " + env
	}
	return fmt.Sprintf("from `%s` under providers.%s in %s", key, s.Name, s.ConfigFile)
}
