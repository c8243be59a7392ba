package tokens

import (
	"context"
	"slices"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// GetRequest is what `tokctl token get` and `tokctl exec` ask for: a valid
// token for Provider and Scopes.
type GetRequest struct {
	Provider string
	// Scopes are the --scope flags as given ("a b" and "a,b" count as two);
	// none means the configured scopes, else the default of the last login.
	Scopes []string
	// MinTTL is how much time the token served must have left.
	MinTTL time.Duration
	// NoCache fetches a new token and neither reads nor writes the store.
	NoCache bool
	// IDToken: the output is the ID token (-o id-token), which a provider
	// with only the client-credentials grant can never have.
	IDToken bool
	// FreshIDToken: the output serves the ID token when there is one
	// (-o exec-credential), so that ID token must have MinTTL left too.
	FreshIDToken bool
	// Interruptible wraps the context of the slow path (a lock, the
	// network) so that Ctrl-C and SIGTERM end it; nil leaves ctx as it is.
	// The hot path does not call it.
	Interruptible func(ctx context.Context, provider string) (context.Context, context.CancelFunc)
	// RefreshAhead starts the background refresh of this request; nil
	// means no refresh-ahead (in-process runs). Get calls it when the token
	// it serves from the store is in the last quarter of its life (but has
	// at least MinTTL left) and TOKCTL_REFRESH_AHEAD / refresh_ahead allow
	// it, so that a script calling tokctl in a loop finds a fresh token next
	// time instead of waiting for the network once per token lifetime. The
	// background refresh (RenewAhead) takes the provider's lock and looks at
	// the record again, so that however many processes start one, the
	// provider sees one request; when it fails, the record stays as it was
	// and the foreground path renews when the token is really due.
	RefreshAhead func()
}

// Get returns a valid token for q: the stored one while it has at least
// q.MinTTL left, else a new one, stored before it is returned. The hot path
// (a fresh stored token) is one config load and one store read; renewing
// happens under the provider's lock, after a second look at the store
// (Manager.Obtain), so parallel invocations cause one request and a
// rotating refresh token is spent once.
func (sv *Service) Get(ctx context.Context, q GetRequest) (*Token, error) {
	r, err := sv.request(q.Provider, q.Scopes)
	if err != nil {
		return nil, err
	}
	p := r.Provider()
	if q.IDToken && !mayHaveIDToken(p) {
		return nil, failure.Usagef("%s: -o id-token: %s has only the client-credentials grant, whose tokens never come with an ID token (that takes an OpenID Connect login); use -o token", p.Name(), p.Name())
	}
	if q.NoCache {
		rec, err := sv.fetchUncached(ctx, r, q)
		if err != nil {
			return nil, err
		}
		return tokenOf(rec), nil
	}
	b, err := sv.Store()
	if err != nil {
		return nil, err
	}
	rec, corrupt, err := r.Load(ctx, b)
	if err != nil {
		return nil, err
	}
	now := sv.now()
	if servable(rec, q, now) {
		if q.RefreshAhead != nil && InLastQuarter(rec, now) && sv.refreshAheadOn() {
			q.RefreshAhead()
		}
		return tokenOf(rec), nil
	}
	ctx, stop := interruptible(ctx, q)
	defer stop()
	if corrupt {
		sv.warnf("%s: the stored token is unreadable; fetching a new one", q.Provider)
	}
	rec, err = sv.Manager().Obtain(ctx, r, b, func(rec *store.Record) bool { return servable(rec, q, sv.now()) })
	if err != nil {
		return nil, err
	}
	return tokenOf(rec), nil
}

// RenewAhead is the background refresh of refresh-ahead for provider name
// and the --scope flags scopes: under the provider's lock, it renews the
// record when it is still in the last quarter of its life (no other process
// renewed it meanwhile). A failure leaves the record as it was.
func (sv *Service) RenewAhead(ctx context.Context, name string, scopes []string) error {
	r, err := sv.request(name, scopes)
	if err != nil {
		return err
	}
	b, err := sv.Store()
	if err != nil || b.Name() == "none" {
		return err
	}
	return sv.Manager().RenewAhead(ctx, r, b)
}

// fetchUncached gets a new token with the client credentials, reading
// nothing stored: not the default scopes of a login either.
func (sv *Service) fetchUncached(ctx context.Context, r *Request[provider.Provider], q GetRequest) (*store.Record, error) {
	if err := r.UseDefaultScopes(store.Index{}); err != nil {
		return nil, err
	}
	ctx, stop := interruptible(ctx, q)
	defer stop()
	creds, err := ClientCredentials(ctx, r.Provider(), r.Settings(), nil)
	if err != nil {
		return nil, err
	}
	if err := r.Provider().Prepare(ctx); err != nil {
		return nil, err
	}
	return sv.Manager().FetchClientCredentials(ctx, r, creds)
}

// refreshAheadOn reports whether the setting allows refresh-ahead; a value
// that cannot be read is a warning and means no.
func (sv *Service) refreshAheadOn() bool {
	cfg, err := sv.Config()
	if err != nil {
		return false
	}
	on, err := cfg.RefreshAhead()
	if err != nil {
		sv.warnf("%v; not refreshing ahead", err)
	}
	return err == nil && on
}

// request resolves provider name's settings, applies the --scope flags and
// checks the result, all before any I/O.
func (sv *Service) request(name string, scopes []string) (*Request[provider.Provider], error) {
	s, err := sv.Settings(name)
	if err != nil {
		return nil, err
	}
	if len(scopes) > 0 {
		s.Scopes = SplitScopeFlags(scopes)
	}
	return NewRequest[provider.Provider](s, sv)
}

func interruptible(ctx context.Context, q GetRequest) (context.Context, context.CancelFunc) {
	if q.Interruptible == nil {
		return ctx, func() {}
	}
	return q.Interruptible(ctx, q.Provider)
}

// servable reports whether rec can be served as q asks: fresh, and when the
// output serves the ID token (exec-credential), with that ID token fresh
// too (an ID token can expire before the access token, and kubectl would
// keep sending an expired one until the next 401).
func servable(rec *store.Record, q GetRequest, now time.Time) bool {
	if !Fresh(rec, now, q.MinTTL) {
		return false
	}
	if !q.FreshIDToken || rec.IDToken == "" {
		return true
	}
	exp := idTokenExpiry(rec.IDToken)
	return exp.IsZero() || exp.Sub(now) >= q.MinTTL
}

// mayHaveIDToken reports whether p has a grant that can bring an ID token:
// a login (browser or device) or a refresh of one. The client-credentials
// grant never does.
func mayHaveIDToken(p Provider) bool {
	return slices.ContainsFunc(provider.Flows(p), func(g string) bool { return g != provider.GrantClientCredentials })
}

// SplitScopeFlags accepts --scope a --scope b as well as --scope "a b" or
// "a,b".
func SplitScopeFlags(flags []string) []string {
	var out []string
	for _, v := range flags {
		out = append(out, oauth.SplitScopes(v, ",")...)
	}
	return out
}
