package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	xoauth2 "golang.org/x/oauth2"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/loopback"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// LoginOptions are the inputs of `tokctl login`.
type LoginOptions struct {
	f                 *Factory
	Provider          string
	NoBrowser         bool
	ClientCredentials bool
	ClientID          string
	SecretStdin       bool
	Scopes            []string
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
environment, or from stdin with --client-secret-stdin.`,
		Example: `  tokctl login tiltify
  tokctl login tiki --no-browser
  printf '%s\n' "$TILIA_SECRET" | tokctl login tilia --client-id 3f2bfe5b-... --client-secret-stdin
  tokctl login tiki --client-credentials`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			if !cmd.Flags().Changed("timeout") {
				f.Timeout = loginTimeout
			}
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
	fl.BoolVar(&opts.ClientCredentials, "client-credentials", false, "store and verify client credentials instead of the browser login")
	fl.StringVar(&opts.ClientID, "client-id", "", "the client id (default: from the config file, the environment or a prompt)")
	fl.BoolVar(&opts.SecretStdin, "client-secret-stdin", false, "read the client secret from the first line of stdin")
	fl.StringArrayVar(&opts.Scopes, "scope", nil, "scope to request (repeatable; replaces the configured scopes)")
	return cmd
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	f := opts.f
	s, err := f.Settings(opts.Provider)
	if err != nil {
		return err
	}
	if opts.ClientID != "" {
		s.ClientID = opts.ClientID
	}
	if len(opts.Scopes) > 0 {
		s.Scopes = splitScopeFlags(opts.Scopes)
	}
	p, err := provider.New(s, f.HTTP())
	if err != nil {
		return err
	}
	if err := p.Check(); err != nil {
		return err
	}
	browserLogin := provider.Supports(p, provider.GrantAuthorizationCode) && p.AuthURL() != "" && !opts.ClientCredentials
	if !browserLogin && !provider.Supports(p, provider.GrantClientCredentials) {
		return &oauth.ConfigError{Provider: p.Name(), Msg: "no login flow: set `auth_url` for the browser login (" + provider.EnvVar(p.Name(), "auth_url") + ")"}
	}
	b, err := f.Store()
	if err != nil {
		return err
	}
	if b.Name() == "none" {
		return usageErrorf("%s: login keeps tokens in a store, but the store is `none`; use --store keyring or --store file", p.Name())
	}
	client, err := loginClient(ctx, opts, p, s, b)
	if err != nil {
		return err
	}
	var rec *store.Record
	if browserLogin {
		rec, err = browserFlow(ctx, opts, p, client.creds)
	} else {
		rec, err = fetch(ctx, f, p, client.creds)
	}
	if err != nil {
		return err
	}
	return saveLogin(ctx, f, b, p, rec, client, !browserLogin)
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
	stored := readStoredClient(ctx, b, p.Name())
	if c.ID == "" {
		c.ID = stored.ClientID
	}
	if c.ID == "" {
		if !io.CanPrompt() || opts.SecretStdin {
			return loginCredentials{}, &oauth.ConfigError{Provider: p.Name(), Msg: fmt.Sprintf(
				"no client id: use --client-id, or set %s", provider.EnvVar(p.Name(), "client_id"))}
		}
		id, err := io.Prompt(fmt.Sprintf("Client ID for %s: ", p.Name()))
		if err != nil || id == "" {
			return loginCredentials{}, usageErrorf("%s: no client id entered", p.Name())
		}
		c.ID = id
	}
	if p.PublicClient() {
		return loginCredentials{creds: provider.Credentials{ID: c.ID}}, nil
	}
	entered := false
	switch {
	case opts.SecretStdin:
		secret, err := iostreams.ReadLine(io.In)
		if err != nil || secret == "" {
			return loginCredentials{}, usageErrorf("%s: --client-secret-stdin: no secret on stdin", p.Name())
		}
		c.Secret, entered = secret, true
	case c.Secret != "":
	case stored.ClientSecret != "" && stored.ClientID == c.ID:
		c.Secret = stored.ClientSecret
	case io.CanPrompt():
		secret, err := io.PromptSecret(fmt.Sprintf("Client secret for %s (input hidden): ", p.Name()))
		if err != nil || secret == "" {
			return loginCredentials{}, usageErrorf("%s: no client secret entered", p.Name())
		}
		c.Secret, entered = secret, true
	default:
		return loginCredentials{}, usageErrorf("%s: no client secret and no terminal to ask for it: pipe it to `tokctl login %s --client-secret-stdin`, or set %s",
			p.Name(), p.Name(), provider.EnvVar(p.Name(), "client_secret"))
	}
	return loginCredentials{creds: c, entered: entered}, nil
}

// browserFlow runs the authorization-code grant through a loopback redirect.
func browserFlow(ctx context.Context, opts *LoginOptions, p provider.Provider, creds provider.Credentials) (*store.Record, error) {
	f := opts.f
	state := loopback.NewState()
	l, err := loopback.Listen(loopback.Config{RedirectURI: p.RedirectURI(), State: state, Provider: p.Name()})
	if err != nil {
		var busy *loopback.PortBusyError
		if errors.As(err, &busy) || errors.Is(err, loopback.ErrInvalidRedirectURI) {
			return nil, &oauth.ConfigError{Provider: p.Name(), Msg: strings.TrimPrefix(err.Error(), p.Name()+": ")}
		}
		return nil, err
	}
	defer l.Close()
	var verifier, challenge string
	if p.PKCE() {
		verifier = xoauth2.GenerateVerifier()
		challenge = xoauth2.S256ChallengeFromVerifier(verifier)
	}
	authURL := p.AuthCodeURL(provider.AuthRequest{ClientID: creds.ID, RedirectURI: l.RedirectURI(), State: state, Challenge: challenge})

	noBrowser := opts.NoBrowser
	if !noBrowser {
		if err := canOpenBrowser(); err != nil {
			f.infof("%v; showing the URL instead (--no-browser)", err)
			noBrowser = true
		}
	}
	if noBrowser {
		fmt.Fprintf(f.IO.ErrOut, "tokctl: open this URL in a browser to log in to %s:\n\n    %s\n\n", p.Name(), authURL)
		fmt.Fprintf(f.IO.ErrOut, "tokctl: the browser is then sent to %s. If that page does not load (the browser runs on another machine), copy its full address from the address bar and paste it here.\n", l.RedirectURI())
		go readPastedRedirects(f, l)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "tokctl: opening %s's login page in your browser; if it does not open, visit:\n\n    %s\n\n", p.Name(), authURL)
		opened := openBrowser(f.IO.ErrOut, authURL)
		go func() {
			if err := <-opened; err != nil {
				f.warnf("could not open a browser (%v); open the URL above yourself", err)
			}
		}()
	}
	f.infof("waiting for the browser to come back to %s (Ctrl-C to cancel)", l.RedirectURI())

	code, err := l.Wait(ctx)
	if err != nil {
		return nil, loginWaitError(ctx, f, p.Name(), err)
	}
	tok, err := p.Exchange(ctx, creds, provider.CodeExchange{Code: code, RedirectURI: l.RedirectURI(), Verifier: verifier})
	if err != nil {
		return nil, err
	}
	return newRecord(f, p, creds.ID, tok), nil
}

// readPastedRedirects lets a user whose browser runs elsewhere paste the
// redirect address; a wrong one is reported and the wait goes on.
func readPastedRedirects(f *Factory, l *loopback.Listener) {
	for {
		line, err := iostreams.ReadLine(f.IO.In)
		if err != nil {
			return // no input (a script, CI): the listener alone decides
		}
		if line == "" {
			continue
		}
		if err := l.Paste(line); err != nil {
			f.warnf("%v; paste the full address of the page the browser ended on", err)
			continue
		}
		return
	}
}

// loginWaitError explains why no code arrived: the command's deadline, an
// interrupt, or a conclusive redirect without a code (the provider's
// refusal, a missing code).
func loginWaitError(ctx context.Context, f *Factory, name string, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: no login within %s; run `tokctl login %s` again (--timeout sets the wait)", name, f.Timeout, name)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%s: login interrupted", name)
	}
	return fmt.Errorf("%s: the login was not completed: %s; run `tokctl login %s` to try again", name, strings.TrimPrefix(err.Error(), name+": "), name)
}

// saveLogin stores the token record and, when it was typed or piped in (or
// always for a client-credentials login), the client secret.
func saveLogin(ctx context.Context, f *Factory, b store.Backend, p provider.Provider, rec *store.Record, client loginCredentials, credentialsLogin bool) error {
	dir, err := f.StateDir()
	if err != nil {
		return err
	}
	unlock, err := store.Lock(ctx, dir, p.Name())
	if err != nil {
		return &oauth.UnavailableError{Provider: p.Name(), Detail: "waiting for another tokctl", Err: err}
	}
	defer unlock()
	if client.creds.Secret != "" && (client.entered || credentialsLogin) {
		if err := writeStoredClient(ctx, b, p.Name(), client.creds); err != nil {
			return fmt.Errorf("%s: could not store the client secret in the %s store: %w", p.Name(), b.Name(), err)
		}
	}
	if err := store.SaveRecord(ctx, b, rec); err != nil {
		return fmt.Errorf("%s: could not store the token in the %s store: %w", p.Name(), b.Name(), err)
	}
	what := "logged in"
	if credentialsLogin {
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
