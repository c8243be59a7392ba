package tokens

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// getFixture is a Service for Tilia on the fake provider, over a store in
// memory that counts its reads, with a clock the test moves.
type getFixture struct {
	srv    *fakeprovider.Server
	b      *memStore
	errOut bytes.Buffer
	// offset moves the Service's clock away from the real one (the fake
	// provider's expires_in counts from the real one).
	mu     sync.Mutex
	offset time.Duration
	// interrupts counts the calls of GetRequest.Interruptible: the slow path.
	interrupts int
}

var (
	sharedFake     *fakeprovider.Server
	sharedFakeOnce sync.Once
)

func newGetFixture(t *testing.T) *getFixture {
	t.Helper()
	sharedFakeOnce.Do(func() {
		srv, err := fakeprovider.Start(fakeprovider.Options{})
		if err != nil {
			panic(err)
		}
		sharedFake = srv
	})
	sharedFake.Reset()
	dir := t.TempDir()
	for _, key := range provider.Keys {
		t.Setenv(provider.EnvVar("tilia", key), "")
	}
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	t.Setenv("TOKCTL_CONFIG", "")
	t.Setenv("TOKCTL_REFRESH_AHEAD", "")
	t.Setenv("TOKCTL_TILIA_TOKEN_URL", sharedFake.URL()+"/tilia/token")
	t.Setenv("TOKCTL_TILIA_CLIENT_ID", fakeprovider.TiliaClientID)
	t.Setenv("TOKCTL_TILIA_CLIENT_SECRET", fakeprovider.TiliaClientSecret)
	t.Setenv("TOKCTL_TILIA_SCOPES", "user_info")
	return &getFixture{srv: sharedFake, b: newMemStore()}
}

// service is a new Service, as each tokctl process builds one.
func (fx *getFixture) service() *Service {
	return &Service{ErrOut: &fx.errOut, Now: fx.now, backend: fx.b}
}

func (fx *getFixture) now() time.Time {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return time.Now().Add(fx.offset)
}

func (fx *getFixture) advance(d time.Duration) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	fx.offset += d
}

// request is a `token get tilia` with --min-ttl minTTL.
func (fx *getFixture) request(minTTL time.Duration) GetRequest {
	return GetRequest{Provider: "tilia", MinTTL: minTTL,
		Interruptible: func(ctx context.Context, _ string) (context.Context, context.CancelFunc) {
			fx.interrupts++
			return context.WithCancel(ctx)
		}}
}

func (fx *getFixture) get(t *testing.T, q GetRequest) (*Service, *Token) {
	t.Helper()
	sv := fx.service()
	tok, err := sv.Get(context.Background(), q)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	return sv, tok
}

func (fx *getFixture) fetches() int { return fx.srv.Count("tilia.token") }

// A fresh stored token is one store read: no provider call, no Manager, no
// signal handler (Interruptible), as a cached `tokctl token get` must be.
func TestGetCachedPath(t *testing.T) {
	fx := newGetFixture(t)
	_, first := fx.get(t, fx.request(time.Minute))
	if fx.fetches() != 1 || fx.interrupts != 1 {
		t.Fatalf("first get: %d requests, %d interruptible; want 1, 1", fx.fetches(), fx.interrupts)
	}
	reads := fx.b.reads()
	sv, tok := fx.get(t, fx.request(time.Minute))
	if got := fx.b.reads() - reads; got != 1 {
		t.Errorf("cached get: %d store reads, want 1", got)
	}
	if fx.fetches() != 1 || fx.interrupts != 1 || sv.manager != nil {
		t.Errorf("cached get: %d requests, %d interruptible, manager built %v; want none", fx.fetches()-1, fx.interrupts-1, sv.manager != nil)
	}
	if tok.AccessToken != first.AccessToken || tok.Provider != "tilia" || strings.Join(tok.Scopes, " ") != "user_info" {
		t.Errorf("cached token %+v, want the first one %+v", tok, first)
	}
}

// A token with less than MinTTL left is renewed (and stored), on the slow
// path: under Interruptible.
func TestGetRenewsStale(t *testing.T) {
	fx := newGetFixture(t)
	_, first := fx.get(t, fx.request(time.Minute))
	fx.advance(first.Expiry.Sub(fx.now()) - 30*time.Second)
	_, tok := fx.get(t, fx.request(time.Minute))
	if fx.fetches() != 2 || fx.interrupts != 2 || tok.AccessToken == first.AccessToken {
		t.Fatalf("%d requests, %d interruptible, same token %v; want a renewal", fx.fetches(), fx.interrupts, tok.AccessToken == first.AccessToken)
	}
	recs, err := store.Records(context.Background(), fx.b, "tilia")
	if err != nil || len(recs) != 1 || recs[0].Record.AccessToken != tok.AccessToken {
		t.Errorf("the renewed token was not stored: %v, %v", recs, err)
	}
}

// NoCache fetches and neither reads nor writes the store.
func TestGetNoCache(t *testing.T) {
	fx := newGetFixture(t)
	q := fx.request(time.Minute)
	q.NoCache = true
	for i := 1; i <= 2; i++ {
		if _, tok := fx.get(t, q); tok.AccessToken == "" || fx.fetches() != i {
			t.Fatalf("get %d: %d requests", i, fx.fetches())
		}
	}
	if fx.b.reads() != 0 || len(fx.b.m) != 0 {
		t.Errorf("--no-cache: %d store reads, %d keys written; want none", fx.b.reads(), len(fx.b.m))
	}
}

// -o id-token of a provider with only the client-credentials grant is a
// usage error before anything is read.
func TestGetIDTokenOfClientCredentialsOnly(t *testing.T) {
	fx := newGetFixture(t)
	q := fx.request(time.Minute)
	q.IDToken = true
	_, err := fx.service().Get(context.Background(), q)
	var ue *failure.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "use -o token") || fx.b.reads() != 0 || fx.fetches() != 0 {
		t.Errorf("err %v, %d reads, %d requests; want a usage error and no I/O", err, fx.b.reads(), fx.fetches())
	}
}

// For exec-credential, an ID token with less than MinTTL left makes the
// stored record due even while its access token is fresh; the other outputs
// serve it.
func TestGetExecCredentialIDTokenFreshness(t *testing.T) {
	fx := newGetFixture(t)
	fx.get(t, fx.request(time.Minute))
	// Give the stored record an ID token that expires in 30 seconds.
	recs, err := store.Records(context.Background(), fx.b, "tilia")
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v, %v", recs, err)
	}
	rec := recs[0].Record
	rec.IDToken = unsignedJWT(fmt.Sprintf(`{"exp":%d}`, fx.now().Add(30*time.Second).Unix()))
	if err := store.SaveRecord(context.Background(), fx.b, rec); err != nil {
		t.Fatal(err)
	}
	q := fx.request(time.Minute)
	if _, tok := fx.get(t, q); fx.fetches() != 1 || tok.IDToken != rec.IDToken {
		t.Fatalf("-o token: %d requests; want the stored token served", fx.fetches())
	}
	q.FreshIDToken = true
	q.MinTTL = 10 * time.Second
	if fx.get(t, q); fx.fetches() != 1 {
		t.Fatalf("-o exec-credential --min-ttl 10s: %d requests; an ID token with 30s left is fresh enough", fx.fetches())
	}
	q.MinTTL = time.Minute
	if fx.get(t, q); fx.fetches() != 2 {
		t.Errorf("-o exec-credential: %d requests; want the record renewed", fx.fetches())
	}
}

// Refresh-ahead starts when the token served is in the last quarter of its
// life and the setting allows it; it is served from the store either way.
func TestGetRefreshAheadDecision(t *testing.T) {
	tests := []struct {
		name    string
		setting string // TOKCTL_REFRESH_AHEAD
		elapsed time.Duration
		want    bool
		warn    string
	}{
		{name: "first half of its life", elapsed: 10 * time.Minute},
		{name: "last quarter", elapsed: 50 * time.Minute, want: true},
		{name: "turned off", setting: "false", elapsed: 50 * time.Minute},
		{name: "unreadable setting", setting: "sometimes", elapsed: 50 * time.Minute,
			warn: `tokctl: warning: TOKCTL_REFRESH_AHEAD: "sometimes" is not true or false; not refreshing ahead`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newGetFixture(t)
			_, first := fx.get(t, fx.request(time.Minute))
			t.Setenv("TOKCTL_REFRESH_AHEAD", tt.setting)
			fx.advance(tt.elapsed)
			started := 0
			q := fx.request(time.Minute)
			q.RefreshAhead = func() { started++ }
			_, tok := fx.get(t, q)
			if (started == 1) != tt.want || started > 1 {
				t.Errorf("refresh-ahead started %d times, want %v", started, tt.want)
			}
			if tok.AccessToken != first.AccessToken || fx.fetches() != 1 {
				t.Errorf("%d requests; want the stored token served", fx.fetches())
			}
			if got := strings.TrimSpace(fx.errOut.String()); got != tt.warn {
				t.Errorf("stderr %q, want %q", got, tt.warn)
			}
		})
	}
}

// The background refresh renews a record in its last quarter once: a
// second one finds it renewed and does nothing.
func TestServiceRenewAhead(t *testing.T) {
	fx := newGetFixture(t)
	_, first := fx.get(t, fx.request(time.Minute))
	if err := fx.service().RenewAhead(context.Background(), "tilia", nil); err != nil || fx.fetches() != 1 {
		t.Fatalf("fresh record: %v, %d requests; want none", err, fx.fetches())
	}
	fx.advance(50 * time.Minute)
	for i := 0; i < 2; i++ {
		if err := fx.service().RenewAhead(context.Background(), "tilia", nil); err != nil || fx.fetches() != 2 {
			t.Fatalf("run %d: %v, %d requests; want 2", i+1, err, fx.fetches())
		}
	}
	if _, tok := fx.get(t, fx.request(time.Minute)); tok.AccessToken == first.AccessToken || fx.fetches() != 2 {
		t.Errorf("the renewed token is not served")
	}
}

// An ID token that is due makes a stored record unservable for
// exec-credential only: the other outputs serve the access token.
func TestServableIDTokenDue(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	rec := &store.Record{AccessToken: "at", Expiry: now.Add(time.Hour),
		IDToken: unsignedJWT(fmt.Sprintf(`{"exp":%d}`, now.Add(30*time.Second).Unix()))}
	for fresh, want := range map[bool]bool{false: true, true: false} {
		if got := servable(rec, GetRequest{FreshIDToken: fresh, MinTTL: time.Minute}, now); got != want {
			t.Errorf("FreshIDToken %v: servable %v, want %v", fresh, got, want)
		}
	}
	if !servable(rec, GetRequest{FreshIDToken: true, MinTTL: 10 * time.Second}, now) {
		t.Error("FreshIDToken, MinTTL 10s: an ID token with 30s left is not served")
	}
}

func TestSplitScopeFlags(t *testing.T) {
	got := SplitScopeFlags([]string{"a", "b c", "d,e"})
	if strings.Join(got, "|") != "a|b|c|d|e" {
		t.Errorf("got %v", got)
	}
}

// A warning is one escaped line whatever it quotes (an error naming a path,
// a stored record, an environment variable).
func TestWarnfEscapes(t *testing.T) {
	var errOut bytes.Buffer
	sv := &Service{ErrOut: &errOut}
	sv.warnf("%s: could not store %v", "p", errors.New("open /s/\x1b]52;c;eA==\a\u200b: denied\nsecond line"))
	const want = `tokctl: warning: p: could not store open /s/\x1b]52;c;eA==\x07\u200b: denied second line` + "\n"
	if errOut.String() != want {
		t.Errorf("warning %q, want %q", &errOut, want)
	}
}
