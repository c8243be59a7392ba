package cli

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/reference"
	"github.com/tokctl/tokctl/internal/tokens"
	"github.com/tokctl/tokctl/internal/tokens/render"
)

// NewCmdToken builds `tokctl token`.
func NewCmdToken(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Get access tokens",
		Example: `  tokctl token get tilia --scope user_info
  tokctl token get tiltify -o json`,
		RunE: runGroup,
	}
	cmd.AddCommand(NewCmdTokenGet(f, nil))
	return cmd
}

// tokenGetter gives out valid tokens; *tokens.Service is one.
type tokenGetter interface {
	Get(ctx context.Context, q tokens.GetRequest) (*tokens.Token, error)
	RenewAhead(ctx context.Context, provider string, scopes []string) error
}

// TokenGetOptions are the inputs of `tokctl token get`.
type TokenGetOptions struct {
	IO     *iostreams.IOStreams
	Tokens tokenGetter // set at run time, after the flags are parsed
	Now    func() time.Time
	// Interruptible lets Ctrl-C and SIGTERM end the slow path (see
	// Factory.Interruptible).
	Interruptible func(context.Context, string) (context.Context, context.CancelFunc)
	// RefreshAhead starts the background refresh of a request; nil (an
	// in-process run) means none.
	RefreshAhead func(provider string, scopes []string, minTTL time.Duration)

	Provider string
	Output   string
	Scopes   []string
	MinTTL   time.Duration
	NoCache  bool
	// RefreshAheadChild: this process is the background refresh that a
	// `token get` serving a token in its last quarter started.
	RefreshAheadChild bool
}

// NewCmdTokenGet builds `tokctl token get`; runF replaces the work in tests.
func NewCmdTokenGet(f *Factory, runF func(context.Context, *TokenGetOptions) error) *cobra.Command {
	opts := &TokenGetOptions{IO: f.IO, Now: f.now, Interruptible: f.Interruptible}
	cmd := &cobra.Command{
		Use:   "get PROVIDER",
		Short: "Print a valid access token",
		Long:  reference.TokenGet,
		Example: `  curl -H "Authorization: Bearer $(tokctl token get tilia)" https://...
  tokctl token get tilia -o header | curl -H @- https://...
  tokctl token get tiltify --scope public --scope webhooks:write -o json | jq .expires_in
  eval "$(tokctl token get ils -o env)"   # sets TOKCTL_ACCESS_TOKEN
  tokctl token get keycloak -o exec-credential   # kubectl's exec credential plugin (docs/guides/kubernetes.md)`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: runE(f, opts, runF, tokenGetRun, func(args []string) error {
			opts.Provider = args[0]
			if !slices.Contains(render.Outputs, opts.Output) {
				return usageErrorf("unknown output %q: use one of %s", opts.Output, strings.Join(render.Outputs, ", "))
			}
			if opts.MinTTL < 0 {
				return usageErrorf("--min-ttl must not be negative")
			}
			opts.Tokens, opts.RefreshAhead = f.Service(), f.refreshAhead()
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "token", "output format: token, json, header, env, id-token or exec-credential")
	fl.StringArrayVar(&opts.Scopes, "scope", nil, "scope to request (repeatable; replaces the configured scopes)")
	fl.DurationVar(&opts.MinTTL, "min-ttl", 60*time.Second, "fetch a new token when the stored one has less time left")
	fl.BoolVar(&opts.NoCache, "no-cache", false, "fetch a new token; do not read or write the store")
	fl.BoolVar(&opts.RefreshAheadChild, refreshAheadFlag, false, "internal: the background refresh of refresh-ahead")
	_ = fl.MarkHidden(refreshAheadFlag)
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(render.Outputs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func tokenGetRun(ctx context.Context, opts *TokenGetOptions) error {
	if opts.RefreshAheadChild { // prints nothing; a failure leaves the record as it was
		return opts.Tokens.RenewAhead(ctx, opts.Provider, opts.Scopes)
	}
	tok, err := opts.Tokens.Get(ctx, getRequest(opts))
	if err != nil {
		return err
	}
	return render.Token(opts.IO.Out, tok, opts.Output, opts.Now())
}

// getRequest is the request of opts: `token get`'s, or the token of `exec`.
func getRequest(opts *TokenGetOptions) tokens.GetRequest {
	q := tokens.GetRequest{Provider: opts.Provider, Scopes: opts.Scopes, MinTTL: opts.MinTTL, NoCache: opts.NoCache,
		IDToken: opts.Output == "id-token", FreshIDToken: opts.Output == "exec-credential", Interruptible: opts.Interruptible}
	if opts.RefreshAhead != nil {
		q.RefreshAhead = func() { opts.RefreshAhead(opts.Provider, opts.Scopes, opts.MinTTL) }
	}
	return q
}
