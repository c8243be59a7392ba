package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
	"github.com/tokctl/tokctl/internal/tokens"
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

// TokenGetOptions are the inputs of `tokctl token get`.
type TokenGetOptions struct {
	f        *Factory
	Provider string
	Output   string
	Scopes   []string
	MinTTL   time.Duration
	NoCache  bool
	// RefreshAheadChild: this process is the background refresh that a
	// `token get` serving a token in its last quarter started.
	RefreshAheadChild bool
}

var tokenOutputs = []string{"token", "json", "header", "env", "id-token", "exec-credential"}

// NewCmdTokenGet builds `tokctl token get`; runF replaces the work in tests.
func NewCmdTokenGet(f *Factory, runF func(context.Context, *TokenGetOptions) error) *cobra.Command {
	opts := &TokenGetOptions{f: f}
	cmd := &cobra.Command{
		Use:   "get PROVIDER",
		Short: "Print a valid access token",
		Long: `Print a valid access token for PROVIDER to stdout, and nothing else.

The stored token is used while it has at least --min-ttl left and was issued by
the same endpoint, to the same client, for the same scopes. Otherwise tokctl
fetches a new one (client credentials from the environment, the config file or
the keyring), stores it and prints it. Tokens are kept per scope set: asking
for other scopes does not evict the first ones. Without --scope and configured
scopes, the scopes of the last ` + "`tokctl login --scope`" + ` are asked for. Parallel
calls coordinate through a lock, so they cause one token request, not many.

When the token served is in the last quarter of its life, tokctl also starts
one background refresh (refresh-ahead), so that the next call finds a fresh
token without waiting; TOKCTL_REFRESH_AHEAD=false or refresh_ahead: false in
the config file turns it off.`,
		Example: `  curl -H "Authorization: Bearer $(tokctl token get tilia)" https://...
  tokctl token get tilia -o header | curl -H @- https://...
  tokctl token get tiltify --scope public --scope webhooks:write -o json | jq .expires_in
  eval "$(tokctl token get ils -o env)"   # sets TOKCTL_ACCESS_TOKEN
  tokctl token get keycloak -o exec-credential   # kubectl's exec credential plugin (docs/guides/kubernetes.md)`,
		Args:              exactProvider,
		ValidArgsFunction: completeProviders(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Provider = args[0]
			if !slices.Contains(tokenOutputs, opts.Output) {
				return usageErrorf("unknown output %q: use one of %s", opts.Output, strings.Join(tokenOutputs, ", "))
			}
			if opts.MinTTL < 0 {
				return usageErrorf("--min-ttl must not be negative")
			}
			ctx, cancel := f.Context(cmd.Context())
			defer cancel()
			if runF != nil {
				return runF(ctx, opts)
			}
			return tokenGetRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "token", "output format: token, json, header, env, id-token or exec-credential")
	fl.StringArrayVar(&opts.Scopes, "scope", nil, "scope to request (repeatable; replaces the configured scopes)")
	fl.DurationVar(&opts.MinTTL, "min-ttl", 60*time.Second, "fetch a new token when the stored one has less time left")
	fl.BoolVar(&opts.NoCache, "no-cache", false, "fetch a new token; do not read or write the store")
	fl.BoolVar(&opts.RefreshAheadChild, refreshAheadFlag, false, "internal: the background refresh of refresh-ahead")
	_ = fl.MarkHidden(refreshAheadFlag)
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(tokenOutputs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func tokenGetRun(ctx context.Context, opts *TokenGetOptions) error {
	if opts.RefreshAheadChild {
		return refreshAheadRun(ctx, opts)
	}
	tok, err := validToken(ctx, opts)
	if err != nil {
		return err
	}
	return printToken(opts.f, opts.Output, tok)
}

// mayHaveIDToken reports whether p has a grant that can bring an ID token:
// a login (browser or device) or a refresh of one. The client-credentials
// grant never does.
func mayHaveIDToken(p provider.Provider) bool {
	return slices.ContainsFunc(p.Flows(), func(g string) bool { return g != provider.GrantClientCredentials })
}

// splitScopeFlags accepts --scope a --scope b as well as --scope "a b" or "a,b".
func splitScopeFlags(flags []string) []string {
	var out []string
	for _, v := range flags {
		out = append(out, oauth.SplitScopes(v, ",")...)
	}
	return out
}

// validToken returns a valid token for opts.Provider and opts.Scopes: the
// stored one while it has at least opts.MinTTL left, else a new one, stored
// before it is returned. The hot path (a fresh stored token) is one store
// read; renewing happens under the provider's lock, after a second look at
// the store (tokens.Manager.Obtain), so parallel invocations cause one
// request and a rotating refresh token is spent once. A token served in the
// last quarter of its life starts one background refresh
// (startRefreshAhead). What `tokctl exec` runs its command with, too.
func validToken(ctx context.Context, opts *TokenGetOptions) (*store.Record, error) {
	f := opts.f
	r, err := newTokenRequest(f, opts.Provider, withScopes(opts.Scopes))
	if err != nil {
		return nil, err
	}
	p := r.Provider()
	if opts.Output == "id-token" && !mayHaveIDToken(p) {
		return nil, usageErrorf("%s: -o id-token: %s has only the client-credentials grant, whose tokens never come with an ID token (that takes an OpenID Connect login); use -o token", p.Name(), p.Name())
	}
	if opts.NoCache {
		// Nothing stored is read: not the default scopes of a login either.
		if err := r.UseDefaultScopes(store.Index{}); err != nil {
			return nil, err
		}
		ctx, stop := f.Interruptible(ctx, opts.Provider)
		defer stop()
		creds, err := tokens.ClientCredentials(ctx, r.Provider(), r.Settings(), nil)
		if err != nil {
			return nil, err
		}
		if err := r.Provider().Prepare(ctx); err != nil {
			return nil, err
		}
		return f.Tokens().FetchClientCredentials(ctx, r, creds)
	}
	b, err := f.Store()
	if err != nil {
		return nil, err
	}
	rec, corrupt, err := r.Load(ctx, b)
	if err != nil {
		return nil, err
	}
	if servable(f, rec, opts) {
		if tokens.InLastQuarter(rec, f.now()) {
			startRefreshAhead(f, opts)
		}
		return rec, nil
	}
	ctx, stop := f.Interruptible(ctx, opts.Provider)
	defer stop()
	if corrupt {
		f.warnf("%s: the stored token is unreadable; fetching a new one", opts.Provider)
	}
	return f.Tokens().Obtain(ctx, r, b, func(rec *store.Record) bool { return servable(f, rec, opts) })
}

// servable reports whether rec can be served as opts asks: fresh, and for
// -o exec-credential, which serves the ID token when there is one, with
// that ID token fresh too (an ID token can expire before the access token,
// and kubectl would keep sending an expired one until the next 401).
func servable(f *Factory, rec *store.Record, opts *TokenGetOptions) bool {
	now := f.now()
	if !tokens.Fresh(rec, now, opts.MinTTL) {
		return false
	}
	if opts.Output != "exec-credential" || rec.IDToken == "" {
		return true
	}
	exp := idTokenExpiry(rec.IDToken)
	return exp.IsZero() || exp.Sub(now) >= opts.MinTTL
}

// printToken writes the token in the requested format to stdout. What it
// prints was checked when it arrived (oauth.CheckToken) and when it was read
// back (tokens.CheckRecord); the last check here keeps that true for every path:
// a token is one printable word, a header one line.
func printToken(f *Factory, output string, rec *store.Record) error {
	typ := rec.TokenType
	if typ == "" || strings.EqualFold(typ, "bearer") {
		typ = "Bearer"
	}
	if oauth.CheckTokenChars("access_token", rec.AccessToken) != nil || oauth.CheckTokenType(typ) != nil ||
		(output == "id-token" || output == "exec-credential") && oauth.CheckTokenChars("id_token", rec.IDToken) != nil {
		return fmt.Errorf("%s: the token holds characters that are not printable ASCII, so it is not printed; run `tokctl logout %s` and get a new one", rec.Provider, rec.Provider)
	}
	out := f.IO.Out
	var err error
	switch output {
	case "token":
		_, err = fmt.Fprintln(out, rec.AccessToken)
	case "header":
		_, err = fmt.Fprintf(out, "Authorization: %s %s\n", typ, rec.AccessToken)
	case "env":
		_, err = fmt.Fprintf(out, "TOKCTL_ACCESS_TOKEN=%s\n", shellQuote(rec.AccessToken))
	case "id-token":
		if rec.IDToken == "" {
			return &failure.LoginRequiredError{Provider: rec.Provider, Reason: "the stored token came without an ID token",
				Hint: fmt.Sprintf("log in with the openid scope: `tokctl login %s --scope openid`", rec.Provider)}
		}
		if rec.IDTokenUnverified {
			return unverifiedIDTokenError(rec)
		}
		_, err = fmt.Fprintln(out, rec.IDToken)
	case "json":
		err = writeTokenJSON(f, rec, typ)
	case "exec-credential":
		err = writeExecCredential(f, rec)
	}
	return err
}

// shellQuote returns s as one POSIX shell word: unchanged when it holds only
// characters no shell treats specially in an assignment (a JWT: letters,
// digits, "-", "_", "."), else in single quotes. "~" and ":" count as special:
// an assignment expands "~" after "=" and ":".
func shellQuote(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '/' || c == '+' || c == '=' || c == ',' || c == '@' || c == '%') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

func writeTokenJSON(f *Factory, rec *store.Record, typ string) error {
	v := struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		Expiry      *string `json:"expiry"`
		ExpiresIn   *int64  `json:"expires_in"`
		Scope       string  `json:"scope,omitempty"`
		IDToken     string  `json:"id_token,omitempty"`
	}{AccessToken: rec.AccessToken, TokenType: typ, Scope: strings.Join(rec.Scopes, " ")}
	if !rec.IDTokenUnverified { // an unverified one is for nobody to rely on
		v.IDToken = rec.IDToken
	}
	if !rec.Expiry.IsZero() {
		exp := rec.Expiry.UTC().Format(time.RFC3339)
		left := int64(rec.Expiry.Sub(f.now()).Seconds())
		v.Expiry, v.ExpiresIn = &exp, &left
	}
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// unverifiedIDTokenError refuses to hand out an ID token tokctl could not verify.
func unverifiedIDTokenError(rec *store.Record) error {
	return fmt.Errorf("%s: the stored ID token is not verified, so tokctl will not print it: the provider has no `issuer` configured (%s), "+
		"and the ID token's own issuer does not vouch for this token endpoint; set `issuer` and run `tokctl login %s`",
		rec.Provider, provider.EnvVar(rec.Provider, "issuer"), rec.Provider)
}
