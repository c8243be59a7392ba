package tokens

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokctl/tokctl/internal/assertion"
	"github.com/tokctl/tokctl/internal/authflow"
	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// LoginParams are the flags of `tokctl login` as plain values, and the ways
// to ask for what the configuration lacks.
type LoginParams struct {
	Provider string
	// ClientID is --client-id.
	ClientID string
	// Scopes are the --scope flags as given ("a b", "a,b" or one per flag).
	Scopes            []string
	NoBrowser, Device bool
	ClientCredentials bool
	// SecretStdin and KeyStdin are --client-secret-stdin and --private-key-stdin.
	SecretStdin, KeyStdin bool
	// Prompter asks the person at the terminal.
	Prompter Prompter
	// ReadSecret reads the client secret from stdin (--client-secret-stdin).
	ReadSecret func() (string, error)
	// ReadKey reads the PEM private key from stdin (--private-key-stdin),
	// at most MaxKeyStdin+1 bytes of it.
	ReadKey func() ([]byte, error)
	// Flow runs the browser and device logins (required for them); a nil
	// Verifier is the Service's.
	Flow *authflow.Flow
}

// Prompter asks the person at the terminal; *iostreams.IOStreams is one.
type Prompter interface {
	// CanPrompt reports whether there is a terminal to ask.
	CanPrompt() bool
	Prompt(question string) (string, error)
	// PromptSecret asks without echoing the answer.
	PromptSecret(question string) (string, error)
}

// MaxKeyStdin caps what --private-key-stdin reads; a PEM key is a few KB.
const MaxKeyStdin = 1 << 20

// LoginResult is what a login did, for its one-line summary.
type LoginResult struct {
	Provider string
	// Store is the name of the store the token went to.
	Store string
	// Kept is what the login verified and kept besides the token.
	Kept  Kept
	Token *Token
}

// Kept is what a login kept besides its token.
type Kept int

const (
	// KeptToken is a browser or device login: the token, and a client
	// secret only when one was entered.
	KeptToken Kept = iota
	// KeptClient is a client-credentials login with nothing secret to keep
	// (a key file or a CI token).
	KeptClient
	// KeptCredentials is a client-credentials login that stored the client
	// id and secret.
	KeptCredentials
	// KeptKey is a client-credentials login that stored the private key read
	// from stdin.
	KeptKey
)

// String is what the login's summary says it did.
func (k Kept) String() string {
	switch k {
	case KeptClient:
		return "client verified" // a key file or a CI token: nothing secret to keep
	case KeptCredentials:
		return "client credentials verified and stored"
	case KeptKey:
		return "private key verified and stored"
	}
	return "logged in"
}

// Login logs in to provider lp.Provider and stores what later commands
// need: the token, and the client secret or key when it was entered (always
// for a client-credentials login); the scopes of --scope become the
// provider's default.
func (sv *Service) Login(ctx context.Context, lp LoginParams) (*LoginResult, error) {
	if lp.KeyStdin && lp.SecretStdin {
		return nil, failure.Usagef("%s: --private-key-stdin and --client-secret-stdin both read stdin: use one", lp.Provider)
	}
	r, err := sv.loginRequest(lp.Provider, func(s *provider.Settings) {
		if lp.ClientID != "" {
			s.ClientID = lp.ClientID
		}
		if len(lp.Scopes) > 0 {
			s.Scopes = SplitScopeFlags(lp.Scopes)
		}
		if lp.KeyStdin {
			provider.PreferKeyAuth(s) // the key is what the client proves itself with
		}
	})
	if err != nil {
		return nil, err
	}
	b, err := sv.KeepingStore(lp.Provider, "login", "use --store keyring or --store file")
	if err != nil {
		return nil, err
	}
	// A store that cannot be used (a keyring chosen explicitly that does not
	// answer, a state directory that is not tokctl's own) is found out
	// before anyone signs in, not after.
	if _, err := b.Get(ctx, store.SecretKey(lp.Provider)); store.Unusable(err) {
		return nil, fmt.Errorf("%s: %w", lp.Provider, err)
	}
	if err := loginScopes(ctx, r, b, len(lp.Scopes) > 0); err != nil {
		return nil, err
	}
	p, s := r.Provider(), r.Settings()
	if lp.KeyStdin && !provider.UsesKey(p) {
		return nil, failure.Usagef("%s: --private-key-stdin is for a client that signs with a private key (kind oauth2 with auth_method private_key_jwt or grant jwt_bearer)", p.Name())
	}
	if err := p.Prepare(ctx); err != nil {
		return nil, err
	}
	flow, err := loginFlow(lp, p)
	if err != nil {
		return nil, err
	}
	client, err := loginClient(ctx, lp, p, s, b)
	if err != nil {
		return nil, err
	}
	var rec *store.Record
	if flow == provider.GrantClientCredentials {
		rec, err = sv.Manager().FetchClientCredentials(ctx, r, client.creds)
	} else {
		rec, err = sv.codeLogin(ctx, lp, r, client.creds, flow)
	}
	if err != nil {
		return nil, err
	}
	credentialsLogin := flow == provider.GrantClientCredentials
	if err := sv.Manager().SaveLogin(ctx, r, b, rec, client.creds, client.entered || credentialsLogin, len(lp.Scopes) > 0); err != nil {
		return nil, err
	}
	res := &LoginResult{Provider: p.Name(), Store: b.Name(), Token: tokenOf(rec)}
	switch {
	case !credentialsLogin:
	case client.entered && len(client.creds.PrivateKey) > 0:
		res.Kept = KeptKey
	case client.creds.Secret == "" && len(client.creds.PrivateKey) == 0:
		res.Kept = KeptClient
	default:
		res.Kept = KeptCredentials
	}
	return res, nil
}

// loginRequest resolves provider name's settings, lets login apply its
// flags and checks the result, all before any I/O.
func (sv *Service) loginRequest(name string, edit func(*provider.Settings)) (*Request[provider.Provider], error) {
	s, err := sv.Settings(name)
	if err != nil {
		return nil, err
	}
	edit(&s)
	return NewRequest[provider.Provider](s, sv)
}

// loginScopes settles the scopes of a login: one naming none asks again for
// those of the last `tokctl login --scope`; with given, the scopes named
// become the provider's default, which a plain `tokctl token get` asks for.
func loginScopes[P Provider](ctx context.Context, r *Request[P], b Store, given bool) error {
	if r.DefaultScopes() {
		ix, err := LoadIndex(ctx, b, r.Provider().Name())
		if err != nil {
			return err
		}
		return r.UseDefaultScopes(ix)
	}
	if given {
		r.AsDefault()
	}
	return nil
}

// loginFlow picks the grant: --device (or the provider's device setting),
// --client-credentials, else the browser when the provider has it.
func loginFlow(lp LoginParams, p provider.Provider) (string, error) {
	switch {
	case lp.Device || (provider.DeviceDefault(p) && !lp.ClientCredentials):
		if !provider.Supports(p, provider.GrantDeviceCode) {
			return "", &failure.ConfigError{Provider: p.Name(), Msg: "no device flow: set `device_auth_url` (" + provider.EnvVar(p.Name(), "device_auth_url") + "), or an `issuer` whose discovery document has a device_authorization_endpoint"}
		}
		return provider.GrantDeviceCode, nil
	case !lp.ClientCredentials && provider.Supports(p, provider.GrantAuthorizationCode) && p.Endpoints().Auth != "":
		return provider.GrantAuthorizationCode, nil
	case provider.Fetches(p) && !provider.IsPublicClient(p):
		return provider.GrantClientCredentials, nil
	}
	return "", &failure.ConfigError{Provider: p.Name(), Msg: "no login flow: set `auth_url` for the browser login (" + provider.EnvVar(p.Name(), "auth_url") + "), or `issuer`"}
}

// loginCredentials are the client credentials of a login and where the
// secret came from.
type loginCredentials struct {
	creds provider.Credentials
	// entered: typed at the prompt or read from stdin, so worth storing.
	entered bool
}

// loginClient finds the client id and secret: flags and settings first,
// then what an earlier login stored, then stdin or a prompt.
func loginClient(ctx context.Context, lp LoginParams, p Provider, s provider.Settings, b Store) (loginCredentials, error) {
	ask := lp.Prompter
	c := provider.Credentials{ID: s.ClientID, Secret: s.ClientSecret}
	stored := ReadStoredClient(ctx, b, p.Name())
	// Where the id and the secret come from, for the hint if they are rejected.
	idFrom := SettingSource(s, "client_id", s.ClientID)
	if lp.ClientID != "" {
		idFrom = "--client-id"
	}
	if c.ID == "" {
		c.ID, idFrom = stored.ClientID, fmt.Sprintf("the client id stored by `tokctl login %s`", p.Name())
	}
	if c.ID == "" {
		if !ask.CanPrompt() || lp.SecretStdin || lp.KeyStdin {
			return loginCredentials{}, &failure.ConfigError{Provider: p.Name(), Msg: fmt.Sprintf(
				"no client id: use --client-id, or set %s", provider.EnvVar(p.Name(), "client_id"))}
		}
		id, err := ask.Prompt(fmt.Sprintf("Client ID for %s: ", p.Name()))
		if err != nil || id == "" {
			return loginCredentials{}, failure.Usagef("%s: no client id entered", p.Name())
		}
		c.ID, idFrom = id, "the client id entered"
	}
	if lp.KeyStdin {
		key, err := readKey(lp.ReadKey)
		if err != nil {
			return loginCredentials{}, failure.Usagef("%s: --private-key-stdin: %v", p.Name(), err)
		}
		c.PrivateKey = key
		return loginCredentials{creds: c, entered: true}, nil
	}
	if (provider.IsPublicClient(p) || provider.UsesKey(p)) && !lp.SecretStdin {
		if stored.ClientID == c.ID && stored.ClientSecret != "" {
			c.Secret = stored.ClientSecret
		}
		if stored.ClientID == c.ID && stored.PrivateKey != "" {
			c.PrivateKey = []byte(stored.PrivateKey)
		}
		return loginCredentials{creds: c}, nil
	}
	entered := false
	secretFrom := SettingSource(s, "client_secret", s.ClientSecret)
	switch {
	case lp.SecretStdin:
		secret, err := lp.ReadSecret()
		if err != nil || secret == "" {
			return loginCredentials{}, failure.Usagef("%s: --client-secret-stdin: no secret on stdin", p.Name())
		}
		c.Secret, entered, secretFrom = secret, true, "the secret read from stdin"
	case c.Secret != "":
	case stored.ClientSecret != "" && stored.ClientID == c.ID && lp.ClientID == "":
		// --client-id means new credentials: ask for their secret.
		c.Secret, secretFrom = stored.ClientSecret, ""
	case ask.CanPrompt():
		secret, err := ask.PromptSecret(fmt.Sprintf("Client secret for %s (input hidden): ", p.Name()))
		if err != nil || secret == "" {
			return loginCredentials{}, failure.Usagef("%s: no client secret entered", p.Name())
		}
		c.Secret, entered, secretFrom = secret, true, "the secret entered"
	default:
		return loginCredentials{}, failure.Usagef("%s: no client secret and no terminal to ask for it: pipe it to `tokctl login %s --client-secret-stdin`, or set %s",
			p.Name(), p.Name(), provider.EnvVar(p.Name(), "client_secret"))
	}
	if secretFrom == "" {
		c.Fix = StoredCredentialsFix(p.Name())
	} else {
		c.Fix = "check " + idFrom + " and " + secretFrom
	}
	return loginCredentials{creds: c, entered: entered}, nil
}

// readKey reads a PEM private key with read and returns it as PKCS #8 PEM,
// the form that is stored.
func readKey(read func() ([]byte, error)) ([]byte, error) {
	raw, err := read()
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxKeyStdin {
		return nil, errors.New("more than 1 MiB on stdin")
	}
	k, err := assertion.ParseKey(raw)
	if err != nil {
		return nil, err
	}
	return assertion.MarshalPEM(k)
}

// codeLogin runs a login's flow through authflow and makes the record to
// store from its token.
func (sv *Service) codeLogin(ctx context.Context, lp LoginParams, r *Request[provider.Provider], creds provider.Credentials, grant string) (*store.Record, error) {
	p := r.Provider()
	fl := *lp.Flow
	if fl.Verifier == nil {
		fl.Verifier = sv.IDTokenVerifier()
	}
	var res *authflow.Result
	var err error
	switch {
	case grant == provider.GrantDeviceCode:
		res, err = fl.Device(ctx, p, creds, lp.NoBrowser)
	case lp.NoBrowser:
		res, err = fl.PasteBack(ctx, p, creds)
	default:
		res, err = fl.Browser(ctx, p, creds)
	}
	if err != nil {
		return nil, err
	}
	rec := sv.Manager().NewRecord(r, creds.ID, res.Token)
	rec.IDTokenUnverified = res.IDTokenUnverified
	return rec, nil
}
