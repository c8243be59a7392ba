package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// NewCmdToken builds `tokctl token`.
func NewCmdToken(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Get access tokens",
		Args:  cobra.NoArgs,
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
}

var tokenOutputs = []string{"token", "json", "header", "env"}

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
the keyring), stores it and prints it. Parallel calls coordinate through a lock,
so they cause one token request, not many.`,
		Example: `  curl -H "Authorization: Bearer $(tokctl token get tilia)" https://...
  tokctl token get tilia -o header | curl -H @- https://...
  tokctl token get tiltify --scope public --scope webhooks:write -o json | jq .expires_in
  eval "$(tokctl token get ils -o env)"   # sets TOKCTL_ACCESS_TOKEN`,
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
	fl.StringVarP(&opts.Output, "output", "o", "token", "output format: token, json, header or env")
	fl.StringArrayVar(&opts.Scopes, "scope", nil, "scope to request (repeatable; replaces the configured scopes)")
	fl.DurationVar(&opts.MinTTL, "min-ttl", 60*time.Second, "fetch a new token when the stored one has less time left")
	fl.BoolVar(&opts.NoCache, "no-cache", false, "fetch a new token; do not read or write the store")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(tokenOutputs, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func tokenGetRun(ctx context.Context, opts *TokenGetOptions) error {
	f := opts.f
	s, err := f.Settings(opts.Provider)
	if err != nil {
		return err
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
	tok, err := obtainToken(ctx, opts, p, s)
	if err != nil {
		return err
	}
	return printToken(f, opts.Output, tok)
}

// splitScopeFlags accepts --scope a --scope b as well as --scope "a b" or "a,b".
func splitScopeFlags(flags []string) []string {
	var out []string
	for _, v := range flags {
		out = append(out, oauth.SplitScopes(v, ",")...)
	}
	return out
}

// obtainToken returns a usable stored token, or fetches, stores and returns a
// new one. Fetching happens under the provider's lock, after a second look at
// the store, so parallel invocations cause one request.
func obtainToken(ctx context.Context, opts *TokenGetOptions, p provider.Provider, s provider.Settings) (*store.Record, error) {
	f := opts.f
	if opts.NoCache {
		return fetch(ctx, f, p, s, nil)
	}
	b, err := f.Store()
	if err != nil {
		return nil, err
	}
	if rec := usableRecord(ctx, f, b, p, opts.MinTTL); rec != nil {
		return rec, nil
	}
	if b.Name() != "none" {
		dir, err := f.StateDir()
		if err != nil {
			return nil, err
		}
		unlock, err := store.Lock(ctx, dir, p.Name())
		if err != nil {
			return nil, &oauth.UnavailableError{Provider: p.Name(), Detail: "waiting for another tokctl", Err: err}
		}
		defer unlock()
		if rec := usableRecord(ctx, f, b, p, opts.MinTTL); rec != nil {
			return rec, nil
		}
	}
	rec, err := fetch(ctx, f, p, s, b)
	if err != nil {
		return nil, err
	}
	if err := store.SaveRecord(ctx, b, rec); err != nil {
		f.warnf("%s: could not store the token (%v); the next call will fetch again", p.Name(), err)
	}
	return rec, nil
}

// usableRecord returns the stored record when it answers this request.
func usableRecord(ctx context.Context, f *Factory, b store.Backend, p provider.Provider, minTTL time.Duration) *store.Record {
	rec, err := store.LoadRecord(ctx, b, p.Name())
	var corrupt *store.CorruptError
	switch {
	case errors.As(err, &corrupt):
		f.warnf("%s: the stored token is unreadable; fetching a new one", p.Name())
		return nil
	case err != nil:
		return nil
	}
	if !matches(rec, p) {
		return nil
	}
	if !rec.Expiry.IsZero() && rec.Expiry.Sub(f.now()) < minTTL {
		return nil
	}
	return rec
}

// matches reports whether rec was issued for p as configured now: same token
// endpoint (a staging token is never served for production), same client,
// same scopes.
func matches(rec *store.Record, p provider.Provider) bool {
	if rec.Endpoint != p.Endpoint() {
		return false
	}
	if id := p.ClientID(); id != "" && rec.ClientID != id {
		return false
	}
	return sameScopes(rec.RequestedScopes, p.Scopes())
}

func sameScopes(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// fetch gets a new token with the client credentials grant.
func fetch(ctx context.Context, f *Factory, p provider.Provider, s provider.Settings, b store.Backend) (*store.Record, error) {
	creds, err := clientCredentials(ctx, p, s, b)
	if err != nil {
		return nil, err
	}
	tok, err := p.ClientCredentials(ctx, creds)
	if err != nil {
		return nil, err
	}
	return &store.Record{
		Provider:        p.Name(),
		Endpoint:        p.Endpoint(),
		ClientID:        creds.ID,
		AccessToken:     tok.AccessToken,
		TokenType:       tok.TokenType,
		RefreshToken:    tok.RefreshToken,
		IDToken:         tok.IDToken,
		Expiry:          tok.Expiry,
		Scopes:          tok.Scopes,
		RequestedScopes: p.Scopes(),
		ObtainedAt:      f.now().UTC(),
	}, nil
}

// storedClient is the client id and secret `tokctl login` keeps.
type storedClient struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// clientCredentials finds the client id and secret: settings (environment,
// config file) first, then the store.
func clientCredentials(ctx context.Context, p provider.Provider, s provider.Settings, b store.Backend) (provider.Credentials, error) {
	c := provider.Credentials{ID: s.ClientID, Secret: s.ClientSecret}
	if (c.ID == "" || c.Secret == "") && b != nil {
		if raw, err := b.Get(ctx, store.SecretKey(p.Name())); err == nil {
			var sc storedClient
			if json.Unmarshal(raw, &sc) == nil && (c.ID == "" || c.ID == sc.ClientID) {
				c.ID, c.Secret = sc.ClientID, sc.ClientSecret
			}
		}
	}
	if c.ID != "" && c.Secret != "" {
		return c, nil
	}
	missing := provider.EnvVar(p.Name(), "client_secret")
	if c.ID == "" {
		missing = provider.EnvVar(p.Name(), "client_id") + " and " + missing
	}
	return c, &oauth.LoginRequiredError{
		Provider: p.Name(),
		Reason:   "no stored token and no client credentials",
		Hint:     fmt.Sprintf("set %s (see `tokctl token get --help`)", missing),
	}
}

// printToken writes the token in the requested format to stdout.
func printToken(f *Factory, output string, rec *store.Record) error {
	typ := rec.TokenType
	if typ == "" || strings.EqualFold(typ, "bearer") {
		typ = "Bearer"
	}
	out := f.IO.Out
	var err error
	switch output {
	case "token":
		_, err = fmt.Fprintln(out, rec.AccessToken)
	case "header":
		_, err = fmt.Fprintf(out, "Authorization: %s %s\n", typ, rec.AccessToken)
	case "env":
		_, err = fmt.Fprintf(out, "TOKCTL_ACCESS_TOKEN=%s\n", rec.AccessToken)
	case "json":
		err = writeTokenJSON(f, rec, typ)
	}
	return err
}

func writeTokenJSON(f *Factory, rec *store.Record, typ string) error {
	v := struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		Expiry      *string `json:"expiry"`
		ExpiresIn   *int64  `json:"expires_in"`
		Scope       string  `json:"scope,omitempty"`
		IDToken     string  `json:"id_token,omitempty"`
	}{AccessToken: rec.AccessToken, TokenType: typ, Scope: strings.Join(rec.Scopes, " "), IDToken: rec.IDToken}
	if !rec.Expiry.IsZero() {
		exp := rec.Expiry.UTC().Format(time.RFC3339)
		left := int64(rec.Expiry.Sub(f.now()).Seconds())
		v.Expiry, v.ExpiresIn = &exp, &left
	}
	enc := json.NewEncoder(f.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
