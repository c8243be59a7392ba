package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/authflow"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/tokens"
)

// loginer logs in; *tokens.Service is one.
type loginer interface {
	Login(ctx context.Context, lp tokens.LoginParams) (*tokens.LoginResult, error)
}

// LoginOptions are the inputs of `tokctl login`.
type LoginOptions struct {
	IO            *iostreams.IOStreams
	Tokens        loginer
	Now           func() time.Time
	Interruptible func(context.Context, string) (context.Context, context.CancelFunc)

	// The flags; loginRun adds the prompts and the flow.
	tokens.LoginParams
	Timeout time.Duration
}

// loginTimeout bounds `tokctl login` unless --timeout is given.
const loginTimeout = 5 * time.Minute

// NewCmdLogin builds `tokctl login`; runF replaces the work in tests.
func NewCmdLogin(f *Factory, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "login PROVIDER",
		Short: "Log in to a provider and store the tokens",
		Long: `Log in to PROVIDER and keep what is needed to get tokens later without you.

` + tokens.LoginFlowsHelp() + `

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
		RunE: runE(f, opts, runF, loginRun, func(args []string) error {
			if opts.Timeout <= 0 {
				return errTimeout
			}
			f.Timeout = opts.Timeout
			opts.Provider, opts.Tokens, opts.Now, opts.Interruptible = args[0], f.Service(), f.now, f.Interruptible
			return nil
		}),
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
	ctx, stop := opts.Interruptible(ctx, opts.Provider)
	defer stop()
	lp, in := opts.LoginParams, opts.IO.In
	lp.Prompter = opts.IO
	lp.ReadSecret = func() (string, error) { return iostreams.ReadLine(in) }
	lp.ReadKey = func() ([]byte, error) { return io.ReadAll(io.LimitReader(in, tokens.MaxKeyStdin+1)) }
	lp.Flow = &authflow.Flow{Out: opts.IO.ErrOut, In: in, Open: authflow.Opener(opts.IO.ErrOut), CanOpen: authflow.CanOpenBrowser, Timeout: opts.Timeout}
	res, err := opts.Tokens.Login(ctx, lp)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "tokctl: %s: %s; token stored in the %s store%s\n", res.Provider, res.Kept, res.Store, expiryNote(opts.Now(), res.Token))
	return nil
}

// expiryNote is ", expires … (in …)" or ", does not expire".
func expiryNote(now time.Time, tok *tokens.Token) string {
	if tok.Expiry.IsZero() {
		return ", does not expire"
	}
	return fmt.Sprintf(", expires %s (in %s)", tok.Expiry.UTC().Format(time.RFC3339), tok.Expiry.Sub(now).Round(time.Second))
}
