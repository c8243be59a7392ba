package cli

import (
	"context"
	"errors"
	"fmt"
	stdio "io"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/assertion"
	"github.com/tokctl/tokctl/internal/authflow"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
	"github.com/tokctl/tokctl/internal/tokens"
)

// LoginOptions are the inputs of `tokctl login`.
type LoginOptions struct {
	f                 *Factory
	Provider          string
	NoBrowser         bool
	Device            bool
	ClientCredentials bool
	ClientID          string
	SecretStdin       bool
	KeyStdin          bool
	Scopes            []string
	Timeout           time.Duration
}

// loginTimeout bounds `tokctl login` unless --timeout is given.
const loginTimeout = 5 * time.Minute

// NewCmdLogin builds `tokctl login`; runF replaces the work in tests.
func NewCmdLogin(f *Factory, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{f: f}
	cmd := &cobra.Command{
		Use:   "login PROVIDER",
		Short: "Log in to a provider and store the tokens",
		Long: `Log in to PROVIDER and keep what is needed to get tokens later without you.

For providers with a browser login (tiltify, tiki, oauth2 with auth_url) tokctl
listens on 127.0.0.1 (http://127.0.0.1:<random port>/callback, or the configured
redirect_uri), opens the authorization page in your browser ($BROWSER if set),
checks the state and PKCE, exchanges the code and stores the tokens; later
` + "`tokctl token get`" + ` refreshes them silently. With --no-browser (e.g. over SSH) the URL
is only printed: open it anywhere, and if the final page does not load, paste
its address back into the terminal.

For client-credentials providers (tilia, ils, or --client-credentials) tokctl
asks for the client id and secret (hidden input), verifies them with one token
request, and stores them, so ` + "`tokctl token get`" + ` needs no environment variables.
A client secret is never a flag value: it comes from a prompt, from the
environment, or from stdin with --client-secret-stdin.

A client that proves itself with a private key (auth_method: private_key_jwt,
or grant: jwt_bearer) can keep the key in the keyring instead of a file:
--private-key-stdin reads a PEM key (PKCS #8, PKCS #1 or SEC 1; RSA, EC or
Ed25519) from stdin, verifies it with one token request and stores it.
` + "`tokctl key public PROVIDER`" + ` prints its public key for the provider.`,
		Example: `  tokctl login tiltify
  tokctl login tiki --no-browser
  printf '%s\n' "$TILIA_SECRET" | tokctl login tilia --client-id 3f2bfe5b-19b8-41c1-88d7-70a1586bce94 --client-secret-stdin
  tokctl login tiki --client-credentials
  tokctl login svc --client-credentials --private-key-stdin < svc-key.pem`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			if opts.Timeout <= 0 {
				return errTimeout
			}
			f.Timeout = opts.Timeout
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			if runF != nil {
				return runF(ctx, opts)
			}
			return loginRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.NoBrowser, "no-browser", false, "print the login URL instead of opening a browser")
	fl.BoolVar(&opts.Device, "device", false, "log in with the device flow (RFC 8628): a code to enter on any device with a browser")
	fl.BoolVar(&opts.ClientCredentials, "client-credentials", false, "store and verify client credentials instead of the browser login")
	fl.StringVar(&opts.ClientID, "client-id", "", "the client id (default: from the config file, the environment or a prompt)")
	fl.BoolVar(&opts.SecretStdin, "client-secret-stdin", false, "read the client secret from the first line of stdin")
	fl.BoolVar(&opts.KeyStdin, "private-key-stdin", false, "read a PEM private key from stdin and store it (private_key_jwt, jwt_bearer)")
	fl.StringArrayVar(&opts.Scopes, "scope", nil, "scope to request (repeatable; replaces the configured scopes)")
	// login waits for a person, so its --timeout has a default of its own:
	// this flag shadows the global one, and help shows the real default.
	fl.DurationVar(&opts.Timeout, "timeout", loginTimeout, timeoutUsage)
	return cmd
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	f := opts.f
	ctx, stop := f.Interruptible(ctx, opts.Provider)
	defer stop()
	if opts.KeyStdin && opts.SecretStdin {
		return usageErrorf("%s: --private-key-stdin and --client-secret-stdin both read stdin: use one", opts.Provider)
	}
	r, err := newTokenRequest(f, opts.Provider, func(s *provider.Settings) {
		if opts.ClientID != "" {
			s.ClientID = opts.ClientID
		}
		if len(opts.Scopes) > 0 {
			s.Scopes = splitScopeFlags(opts.Scopes)
		}
		if opts.KeyStdin && s.AuthMethod == "" && s.Grant != "jwt_bearer" {
			s.AuthMethod = "private_key_jwt" // the key is what the client proves itself with
		}
	})
	if err != nil {
		return err
	}
	b, err := f.KeepingStore(opts.Provider, "login", "use --store keyring or --store file")
	if err != nil {
		return err
	}
	// A store that cannot be used (a keyring chosen explicitly that does not
	// answer, a state directory that is not tokctl's own) is found out
	// before anyone signs in, not after.
	if _, err := b.Get(ctx, store.SecretKey(opts.Provider)); store.Unusable(err) {
		return fmt.Errorf("%s: %w", opts.Provider, err)
	}
	if r.DefaultScopes() {
		// A login naming no scopes asks again for those of the last
		// `tokctl login --scope`.
		ix, err := tokens.LoadIndex(ctx, b, opts.Provider)
		if err != nil {
			return err
		}
		if err := r.UseDefaultScopes(ix); err != nil {
			return err
		}
	} else if len(opts.Scopes) > 0 {
		// The scopes given here become the provider's default: a plain
		// `tokctl token get` asks for them.
		r.AsDefault()
	}
	p, s := r.Provider(), r.Settings()
	if opts.KeyStdin && !p.KeyAuth() {
		return usageErrorf("%s: --private-key-stdin is for a client that signs with a private key (kind oauth2 with auth_method private_key_jwt or grant jwt_bearer)", p.Name())
	}
	if err := p.Prepare(ctx); err != nil {
		return err
	}
	flow, err := loginFlow(opts, p)
	if err != nil {
		return err
	}
	client, err := loginClient(ctx, opts, p, s, b)
	if err != nil {
		return err
	}
	var rec *store.Record
	switch flow {
	case provider.GrantAuthorizationCode, provider.GrantDeviceCode:
		rec, err = codeLogin(ctx, opts, r, client.creds, flow)
	default:
		rec, err = f.Tokens().FetchClientCredentials(ctx, r, client.creds)
	}
	if err != nil {
		return err
	}
	return saveLogin(ctx, f, b, r, rec, client, flow == provider.GrantClientCredentials, len(opts.Scopes) > 0)
}

// loginFlow picks the grant: --device (or the provider's device setting),
// --client-credentials, else the browser when the provider has it.
func loginFlow(opts *LoginOptions, p provider.Provider) (string, error) {
	switch {
	case opts.Device || (p.DeviceDefault() && !opts.ClientCredentials):
		if !provider.Supports(p, provider.GrantDeviceCode) {
			return "", &failure.ConfigError{Provider: p.Name(), Msg: "no device flow: set `device_auth_url` (" + provider.EnvVar(p.Name(), "device_auth_url") + "), or an `issuer` whose discovery document has a device_authorization_endpoint"}
		}
		return provider.GrantDeviceCode, nil
	case !opts.ClientCredentials && provider.Supports(p, provider.GrantAuthorizationCode) && p.AuthURL() != "":
		return provider.GrantAuthorizationCode, nil
	case provider.Fetches(p) && !p.PublicClient():
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
func loginClient(ctx context.Context, opts *LoginOptions, p provider.Provider, s provider.Settings, b store.Backend) (loginCredentials, error) {
	io := opts.f.IO
	c := provider.Credentials{ID: s.ClientID, Secret: s.ClientSecret}
	stored := tokens.ReadStoredClient(ctx, b, p.Name())
	// Where the id and the secret come from, for the hint if they are rejected.
	idFrom := tokens.SettingSource(s, "client_id", s.ClientID)
	if opts.ClientID != "" {
		idFrom = "--client-id"
	}
	if c.ID == "" {
		c.ID, idFrom = stored.ClientID, fmt.Sprintf("the client id stored by `tokctl login %s`", p.Name())
	}
	if c.ID == "" {
		if !io.CanPrompt() || opts.SecretStdin || opts.KeyStdin {
			return loginCredentials{}, &failure.ConfigError{Provider: p.Name(), Msg: fmt.Sprintf(
				"no client id: use --client-id, or set %s", provider.EnvVar(p.Name(), "client_id"))}
		}
		id, err := io.Prompt(fmt.Sprintf("Client ID for %s: ", p.Name()))
		if err != nil || id == "" {
			return loginCredentials{}, usageErrorf("%s: no client id entered", p.Name())
		}
		c.ID, idFrom = id, "the client id entered"
	}
	if opts.KeyStdin {
		key, err := readKeyStdin(io)
		if err != nil {
			return loginCredentials{}, usageErrorf("%s: --private-key-stdin: %v", p.Name(), err)
		}
		c.PrivateKey = key
		return loginCredentials{creds: c, entered: true}, nil
	}
	if (p.PublicClient() || p.KeyAuth()) && !opts.SecretStdin {
		if stored.ClientID == c.ID && stored.ClientSecret != "" {
			c.Secret = stored.ClientSecret
		}
		if stored.ClientID == c.ID && stored.PrivateKey != "" {
			c.PrivateKey = []byte(stored.PrivateKey)
		}
		return loginCredentials{creds: c}, nil
	}
	entered := false
	secretFrom := tokens.SettingSource(s, "client_secret", s.ClientSecret)
	switch {
	case opts.SecretStdin:
		secret, err := iostreams.ReadLine(io.In)
		if err != nil || secret == "" {
			return loginCredentials{}, usageErrorf("%s: --client-secret-stdin: no secret on stdin", p.Name())
		}
		c.Secret, entered, secretFrom = secret, true, "the secret read from stdin"
	case c.Secret != "":
	case stored.ClientSecret != "" && stored.ClientID == c.ID && opts.ClientID == "":
		// --client-id means new credentials: ask for their secret.
		c.Secret, secretFrom = stored.ClientSecret, ""
	case io.CanPrompt():
		secret, err := io.PromptSecret(fmt.Sprintf("Client secret for %s (input hidden): ", p.Name()))
		if err != nil || secret == "" {
			return loginCredentials{}, usageErrorf("%s: no client secret entered", p.Name())
		}
		c.Secret, entered, secretFrom = secret, true, "the secret entered"
	default:
		return loginCredentials{}, usageErrorf("%s: no client secret and no terminal to ask for it: pipe it to `tokctl login %s --client-secret-stdin`, or set %s",
			p.Name(), p.Name(), provider.EnvVar(p.Name(), "client_secret"))
	}
	if secretFrom == "" {
		c.Fix = tokens.StoredCredentialsFix(p.Name())
	} else {
		c.Fix = "check " + idFrom + " and " + secretFrom
	}
	return loginCredentials{creds: c, entered: entered}, nil
}

// maxKeyStdin caps what --private-key-stdin reads; a PEM key is a few KB.
const maxKeyStdin = 1 << 20

// readKeyStdin reads a PEM private key from stdin and returns it as PKCS #8
// PEM, the form that is stored.
func readKeyStdin(io *iostreams.IOStreams) ([]byte, error) {
	raw, err := stdio.ReadAll(stdio.LimitReader(io.In, maxKeyStdin+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxKeyStdin {
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
func codeLogin(ctx context.Context, opts *LoginOptions, r *tokenRequest, creds provider.Credentials, grant string) (*store.Record, error) {
	f, p := opts.f, r.Provider()
	fl := f.authFlow()
	var res *authflow.Result
	var err error
	switch {
	case grant == provider.GrantDeviceCode:
		res, err = fl.Device(ctx, p, creds, opts.NoBrowser)
	case opts.NoBrowser:
		res, err = fl.PasteBack(ctx, p, creds)
	default:
		res, err = fl.Browser(ctx, p, creds)
	}
	if err != nil {
		return nil, err
	}
	rec := f.Tokens().NewRecord(r, creds.ID, res.Token)
	rec.IDTokenUnverified = res.IDTokenUnverified
	return rec, nil
}

// saveLogin stores the token record and, when it was typed or piped in (or
// always for a client-credentials login), the client secret; with
// rememberScopes, the login's scopes become the provider's default.
func saveLogin(ctx context.Context, f *Factory, b store.Backend, r *tokenRequest, rec *store.Record, client loginCredentials, credentialsLogin, rememberScopes bool) error {
	p := r.Provider()
	if err := f.Tokens().SaveLogin(ctx, r, b, rec, client.creds, client.entered || credentialsLogin, rememberScopes); err != nil {
		return err
	}
	what := "logged in"
	switch {
	case credentialsLogin && client.entered && len(client.creds.PrivateKey) > 0:
		what = "private key verified and stored"
	case credentialsLogin && client.creds.Secret == "" && len(client.creds.PrivateKey) == 0:
		what = "client verified" // a key file or a CI token: nothing secret to keep
	case credentialsLogin:
		what = "client credentials verified and stored"
	}
	f.infof("%s: %s; token stored in the %s store%s", p.Name(), what, b.Name(), expiryNote(f, rec))
	return nil
}

// expiryNote is ", expires … (in …)" or ", does not expire".
func expiryNote(f *Factory, rec *store.Record) string {
	if rec.Expiry.IsZero() {
		return ", does not expire"
	}
	return fmt.Sprintf(", expires %s (in %s)", rec.Expiry.UTC().Format(time.RFC3339), rec.Expiry.Sub(f.now()).Round(time.Second))
}
