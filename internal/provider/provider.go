// Package provider knows each token API tokctl speaks. One file per kind
// registers an adapter (its settings keys, its help line, its constructor)
// that turns Settings into requests; quirks stay in their adapter's file. A
// Provider is a small core; what an adapter can do beyond it (the grants,
// revocation, client authentication) is a capability interface.
package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/tokctl/tokctl/internal/config"
	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/termtext"

	"github.com/tokctl/tokctl/internal/oauth"
)

// Provider is one configured token source: what every adapter has. What a
// provider can do beyond it — the grants, revocation, how its client
// authenticates — is a capability interface (ClientCredentialsGrant,
// AuthCodeGrant, Refresher, DeviceGrant, Revoker, ClientAuth), checked by type
// assertion; Supports and Flows answer from them.
type Provider interface {
	// Name is the instance name ("tilia", "tilia-staging").
	Name() string
	// Kind is the adapter ("tilia", "oauth2").
	Kind() string
	// RecordEndpoint is where a stored token comes from (the token URL, or
	// the issuer when the token URL is discovered); a stored token is served
	// only for the same one. Endpoints lists every endpoint.
	RecordEndpoint() string
	// ClientID is the configured client id, possibly empty.
	ClientID() string
	// Scopes are the scopes a token request asks for (configured or default).
	Scopes() []string
	// Check reports a missing or invalid setting as an *failure.ConfigError,
	// before any request is sent.
	Check() error
	// Prepare resolves what needs the network before a request: an OpenID
	// Connect provider's discovery document (cached on disk). Other
	// adapters have nothing to do. The hot path (a stored, fresh token)
	// never calls it.
	Prepare(ctx context.Context) error
	// Endpoints are the URLs the provider uses, known after Prepare.
	Endpoints() Endpoints
}

// ClientCredentialsGrant is a provider that gets tokens without a user: the
// client credentials grant (or the generic kind's JWT-bearer grant).
type ClientCredentialsGrant interface {
	// ClientCredentials fetches a token with the client credentials grant.
	ClientCredentials(ctx context.Context, c Credentials) (*oauth.Token, error)
}

// AuthCodeGrant is a provider with a browser login: the authorization-code
// grant (RFC 6749 §4.1).
type AuthCodeGrant interface {
	// RedirectURI is the configured redirect_uri, empty for tokctl's default
	// (http://127.0.0.1:<ephemeral port>/callback).
	RedirectURI() string
	// PKCE reports whether the browser login sends a PKCE S256 challenge.
	PKCE() bool
	// AuthCodeURL is the authorization URL the browser login opens.
	AuthCodeURL(r AuthRequest) string
	// Exchange redeems an authorization code.
	Exchange(ctx context.Context, c Credentials, x CodeExchange) (*oauth.Token, error)
}

// Refresher is a provider whose tokens come with a refresh token.
type Refresher interface {
	// Refresh gets a new token with a refresh token; the provider may rotate it.
	Refresh(ctx context.Context, c Credentials, refreshToken string) (*oauth.Token, error)
}

// DeviceGrant is a provider with the device authorization grant (RFC 8628).
type DeviceGrant interface {
	// DeviceAuth starts the grant (RFC 8628 §3.1).
	DeviceAuth(ctx context.Context, c Credentials) (*oauth.DeviceAuth, error)
	// DeviceToken polls once for the grant's token (RFC 8628 §3.4).
	DeviceToken(ctx context.Context, c Credentials, deviceCode string) (*oauth.Token, error)
	// DeviceDefault reports whether login uses the device flow by default.
	DeviceDefault() bool
}

// Revoker is a provider that can revoke tokens (RFC 7009).
type Revoker interface {
	// Revoke revokes a token at the revocation endpoint; ErrNoRevocation
	// when the provider has none after all (discovery found none).
	Revoke(ctx context.Context, c Credentials, token, hint string) error
	// CanRevoke reports whether a revocation endpoint is configured or may
	// be discovered, without the network.
	CanRevoke() bool
}

// ClientAuth is a provider whose client may prove itself without a client
// secret. A provider without it always uses one.
type ClientAuth interface {
	// PublicClient reports whether the client authenticates without a
	// secret (RFC 8252 native apps).
	PublicClient() bool
	// KeyAuth reports whether the client proves itself with a private key
	// or a CI token rather than a client secret (private_key_jwt,
	// client_assertion and the jwt_bearer grant).
	KeyAuth() bool
}

// GrantSet is a provider whose grants depend on its settings (Tiltify's
// api, the generic kind's client and endpoints): of the grants its
// capabilities implement, it offers only those Grants lists. An adapter
// whose grants are fixed does not implement it.
type GrantSet interface {
	Grants() []string
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

// grantOrder is the order Flows lists grants in.
var grantOrder = []string{GrantClientCredentials, GrantJWTBearer, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken}

// Fetches reports whether p gets tokens without a user: the client
// credentials or the JWT-bearer grant.
func Fetches(p any) bool {
	return Supports(p, GrantClientCredentials) || Supports(p, GrantJWTBearer)
}

// Supports reports whether p offers the grant: it implements the grant's
// capability and, when its grants depend on its settings (GrantSet), lists
// it. p is a Provider (or a test's fake of part of one).
func Supports(p any, grant string) bool {
	var ok bool
	switch grant {
	case GrantClientCredentials, GrantJWTBearer:
		_, ok = p.(ClientCredentialsGrant)
	case GrantAuthorizationCode:
		_, ok = p.(AuthCodeGrant)
	case GrantRefreshToken:
		_, ok = p.(Refresher)
	case GrantDeviceCode:
		_, ok = p.(DeviceGrant)
	}
	if !ok {
		return false
	}
	if gs, dynamic := p.(GrantSet); dynamic {
		return slices.Contains(gs.Grants(), grant)
	}
	return grant != GrantJWTBearer // only a GrantSet chooses the JWT-bearer grant
}

// Flows lists the grants p offers, e.g. "client_credentials", as far as it
// knows them without the network. Only the generic kind with an issuer
// learns more in Prepare: before it, its browser login counts as offered
// (discovery is expected to supply the authorization endpoint) and its device
// flow only when device_auth_url is configured; after it, the discovered
// endpoints decide both.
func Flows(p any) []string {
	var out []string
	for _, g := range grantOrder {
		if Supports(p, g) {
			out = append(out, g)
		}
	}
	return out
}

// IsPublicClient reports whether p's client authenticates without a secret.
func IsPublicClient(p any) bool {
	ca, ok := p.(ClientAuth)
	return ok && ca.PublicClient()
}

// UsesKey reports whether p's client proves itself with a private key or a
// CI token rather than a client secret.
func UsesKey(p any) bool {
	ca, ok := p.(ClientAuth)
	return ok && ca.KeyAuth()
}

// DeviceDefault reports whether a login to p uses the device flow unless
// told otherwise.
func DeviceDefault(p any) bool {
	d, ok := p.(DeviceGrant)
	return ok && d.DeviceDefault()
}

// CanRevoke reports whether p can revoke tokens: it has a revocation
// endpoint, or one may be discovered.
func CanRevoke(p any) bool {
	r, ok := p.(Revoker)
	return ok && r.CanRevoke()
}

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

// Settings are a provider's resolved configuration (defaults not yet
// applied): the settings every kind reads as fields, and the kind's own
// (declared in its Kind.Keys) by key, which its adapter parses.
type Settings struct {
	Name         string
	Kind         string
	ClientID     string
	ClientSecret string
	TokenURL     string
	Scopes       []string
	// AuthURL, RedirectURI, PKCE and Prompt are the browser login's
	// (BrowserKeys). PKCE is "false" to send no PKCE challenge; empty
	// means the adapter's default. Prompt is the OpenID Connect prompt
	// parameter (e.g. "consent"); empty sends none.
	AuthURL, RedirectURI, PKCE, Prompt string

	// values are the kind's own settings by key (Value reads them).
	values map[string]string

	// CacheDir holds cached discovery documents; not a user setting.
	CacheDir string
	// ConfigFile is the config file the settings were read from, for
	// messages that name it; not a user setting.
	ConfigFile string
	// Warnf prints a warning line (e.g. a private key others can read);
	// not a user setting, may be nil.
	Warnf func(format string, args ...any)
}

// CommonKeys are the settings of every kind.
var CommonKeys = []string{"kind", "client_id", "client_secret", "token_url", "scopes"}

// BrowserKeys are the settings of the browser login, which a kind with one
// declares.
var BrowserKeys = []string{"auth_url", "redirect_uri", "pkce", "prompt"}

// Keys are the setting names of the config file (providers.NAME.KEY) and of
// the environment (TOKCTL_NAME_KEY): CommonKeys (with BrowserKeys, when a
// kind declares them, after token_url), then every registered kind's own
// Keys. Filled as the adapters register; read-only afterwards.
var Keys = slices.Clone(CommonKeys)

// ListKeys are the Keys whose value may be a YAML list in the config file
// (joined with commas); every other key takes a single value.
var ListKeys = []string{"scopes"}

// Set assigns the setting key; scopes may be separated by commas or white
// space. A kind's own key is kept for its adapter (Value); a key no kind
// declares is ignored.
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
	case "scopes":
		s.Scopes = oauth.SplitScopes(value, ",")
	case "auth_url":
		s.AuthURL = value
	case "redirect_uri":
		s.RedirectURI = value
	case "pkce":
		s.PKCE = value
	case "prompt":
		s.Prompt = value
	default:
		if !slices.Contains(Keys, key) {
			return // no kind reads it
		}
		if s.values == nil && value == "" {
			return
		}
		// Copied on write: Settings are passed and copied by value, and
		// setting a key on one copy must leave the others as they were.
		values := make(map[string]string, len(s.values)+1)
		maps.Copy(values, s.values)
		values[key] = value
		s.values = values
	}
}

// Value is the kind-specific setting key ("url", "issuer"), empty when unset.
func (s Settings) Value(key string) string { return s.values[key] }

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

// Kind describes one adapter; its file registers it (register) and is all
// there is of it: deleting the file removes its settings, its help and its
// docs.
type Kind struct {
	Name string
	// BuiltIn kinds exist as a provider of the same name without configuration.
	BuiltIn bool
	// Title is how help text names a built-in kind's API ("Tilia").
	Title string
	// Summary is one line for `tokctl providers`: the API and its flows.
	Summary string
	// Keys are the settings the kind reads besides CommonKeys (with
	// BrowserKeys when it has a browser login); its adapter parses the
	// ones that are not Settings fields with Settings.Value.
	Keys []string
	// Login is how `tokctl login NAME` signs in by default (LoginBrowser or
	// LoginClientCredentials), for `tokctl login --help`; LoginAs is how
	// that help names the kind ("oauth2 with auth_url"), empty for its name.
	Login, LoginAs string
	New            func(s Settings, hc *oauth.Client) Provider
}

// How a kind's login signs in by default (Kind.Login).
const (
	LoginBrowser           = "browser"
	LoginClientCredentials = "client_credentials"
)

// kinds is filled by the adapters' init functions and read-only afterwards.
var kinds = map[string]Kind{}

func register(k Kind) {
	kinds[k.Name] = k
	Keys = addKeys(Keys, k.Keys)
}

// addKeys is keys with those of a kind added: the browser login's with the
// endpoints, before scopes; the others at the end.
func addKeys(keys, add []string) []string {
	for _, key := range add {
		switch {
		case slices.Contains(keys, key):
		case slices.Contains(BrowserKeys, key):
			keys = slices.Insert(keys, slices.Index(keys, "scopes"), key)
		default:
			keys = append(keys, key)
		}
	}
	return keys
}

// Kinds lists the adapters, sorted by name.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// KindKeys are the settings kind reads (CommonKeys and its own), nil for an
// unknown kind.
func KindKeys(kind string) []string {
	k, ok := kinds[kind]
	if !ok {
		return nil
	}
	return append(slices.Clone(CommonKeys), k.Keys...)
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
func (b *base) ClientID() string       { return b.s.ClientID }
func (b *base) Scopes() []string       { return slices.Clone(b.scopes) }

func (b *base) Prepare(context.Context) error { return nil }

func (b *base) Endpoints() Endpoints { return Endpoints{Token: b.tokenURL, Auth: b.authURL} }

// browser is the part of AuthCodeGrant every adapter with a browser login
// shares (each adds its own Exchange); b is the adapter's own base.
type browser struct{ b *base }

// RedirectURI is the configured redirect_uri.
func (w browser) RedirectURI() string { return w.b.s.RedirectURI }

// PKCE is on unless the setting says false; adapters whose API cannot take
// a challenge override it.
func (w browser) PKCE() bool { return !strings.EqualFold(w.b.s.PKCE, "false") }

// AuthCodeURL builds the RFC 6749 §4.1.1 authorization request, with RFC
// 7636 S256 when a challenge is given; scopes are space-delimited.
func (w browser) AuthCodeURL(r AuthRequest) string {
	b := w.b
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
		return b.configError("prompt must be none, login, consent or select_account (space-separated), not %q (%s)", termtext.Escape(b.s.Prompt), valueHint(b.s, "prompt"))
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
