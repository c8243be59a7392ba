package tokens

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
	"github.com/tokctl/tokctl/internal/store"
)

// memStore is a Store in memory that counts its reads.
type memStore struct {
	mu     sync.Mutex
	m      map[string][]byte
	gets   int
	setErr error
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Name() string { return "file" }

func (s *memStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	v, ok := s.m[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (s *memStore) Set(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.setErr != nil {
		return s.setErr
	}
	s.m[key] = value
	return nil
}

func (s *memStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memStore) reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets
}

// memLocker is a Locker of in-process mutexes; arrived is told of every
// caller before it waits.
type memLocker struct {
	mu      sync.Mutex
	locks   map[string]*sync.Mutex
	calls   int
	arrived func()
}

func (l *memLocker) Lock(_ context.Context, name string) (func() error, error) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*sync.Mutex{}
	}
	m := l.locks[name]
	if m == nil {
		m = &sync.Mutex{}
		l.locks[name] = m
	}
	l.calls++
	arrived := l.arrived
	l.mu.Unlock()
	if arrived != nil {
		arrived()
	}
	m.Lock()
	return func() error { m.Unlock(); return nil }, nil
}

func (l *memLocker) lockCalls() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls
}

// fakeProvider is a client-credentials provider with rotating refresh
// tokens: each refresh token it issued is valid once.
type fakeProvider struct {
	name, endpoint, clientID string
	scopes                   []string
	flows                    []string
	lifetime                 time.Duration
	now                      func() time.Time
	// noNewRefresh: refreshes send no refresh token (the old one stays valid).
	noNewRefresh bool
	// before, when set, runs at the start of every token request.
	before func()

	mu        sync.Mutex
	fetches   int
	refreshes int
	n         int
	valid     map[string]bool
	spentTwce []string
}

func (p *fakeProvider) Name() string                      { return p.name }
func (p *fakeProvider) RecordEndpoint() string            { return p.endpoint }
func (p *fakeProvider) ClientID() string                  { return p.clientID }
func (p *fakeProvider) Scopes() []string                  { return p.scopes }
func (p *fakeProvider) Check() error                      { return nil }
func (p *fakeProvider) Prepare(ctx context.Context) error { return nil }

// Grants: of its two capabilities (the client credentials grant and
// refresh), the fake offers those in flows (provider.GrantSet).
func (p *fakeProvider) Grants() []string { return p.flows }

func (p *fakeProvider) ClientCredentials(_ context.Context, c provider.Credentials) (*oauth.Token, error) {
	if p.before != nil {
		p.before()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.ID != "id" || c.Secret != "secret" {
		return nil, errors.New("bad client")
	}
	p.fetches++
	p.n++
	return &oauth.Token{AccessToken: fmt.Sprintf("at%d", p.n), TokenType: "Bearer", Expiry: p.now().Add(p.lifetime), Scopes: p.scopes}, nil
}

func (p *fakeProvider) Refresh(_ context.Context, c provider.Credentials, rt string) (*oauth.Token, error) {
	if p.before != nil {
		p.before()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refreshes++
	if !p.valid[rt] {
		p.spentTwce = append(p.spentTwce, rt)
		return nil, errors.New("invalid_grant")
	}
	p.n++
	tok := &oauth.Token{AccessToken: fmt.Sprintf("at%d", p.n), TokenType: "Bearer", Expiry: p.now().Add(p.lifetime)}
	if !p.noNewRefresh {
		delete(p.valid, rt)
		tok.RefreshToken = fmt.Sprintf("rt%d", p.n)
		p.valid[tok.RefreshToken] = true
	}
	return tok, nil
}

func (p *fakeProvider) counts() (fetches, refreshes int, spentTwice []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetches, p.refreshes, p.spentTwce
}

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// fixture is a Manager over fakes, and the settings of its provider.
type fixture struct {
	m     *Manager[*fakeProvider]
	p     *fakeProvider
	b     *memStore
	lock  *memLocker
	warns []string
	// build gives every request the fixture's provider, as every process
	// shares one identity provider.
	build Builder[*fakeProvider]
	s     provider.Settings
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	now := t0
	fx := &fixture{b: newMemStore(), lock: &memLocker{}}
	fx.p = &fakeProvider{name: "p", endpoint: "https://idp.test/token", clientID: "id", scopes: []string{"a"},
		flows: []string{provider.GrantClientCredentials, provider.GrantRefreshToken}, lifetime: time.Hour,
		now: func() time.Time { return now }, valid: map[string]bool{}}
	fx.s = provider.Settings{Name: "p", ClientID: "id", ClientSecret: "secret", Scopes: []string{"a"}}
	fx.build = BuildFunc[*fakeProvider](func(provider.Settings) (*fakeProvider, error) { return fx.p, nil })
	var mu sync.Mutex
	fx.m = &Manager[*fakeProvider]{
		Lock:  fx.lock,
		Clock: ClockFunc(func() time.Time { return now }),
		Warnf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fx.warns = append(fx.warns, fmt.Sprintf(format, args...))
		},
		VerifyIDToken: func(context.Context, *fakeProvider, string, string) (bool, error) { return false, nil },
	}
	return fx
}

// get is what `tokctl token get` does: the stored record while it has
// minTTL left, else Obtain.
func (fx *fixture) get(t *testing.T, minTTL time.Duration) (*store.Record, error) {
	r, err := NewRequest(fx.s, fx.build)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	rec, _, err := r.Load(ctx, fx.b)
	if err != nil {
		return nil, err
	}
	usable := func(rec *store.Record) bool { return Fresh(rec, fx.m.Clock.Now(), minTTL) }
	if usable(rec) {
		return rec, nil
	}
	return fx.m.Obtain(ctx, r, fx.b, usable)
}

func (fx *fixture) save(t *testing.T, rec *store.Record) {
	t.Helper()
	if err := store.SaveRecord(context.Background(), fx.b, rec); err != nil {
		t.Fatal(err)
	}
}

// stored is a record that answers the fixture's request.
func stored(expiry time.Time) *store.Record {
	return &store.Record{Provider: "p", Endpoint: "https://idp.test/token", ClientID: "id", AccessToken: "stored",
		TokenType: "Bearer", Expiry: expiry, RequestedScopes: []string{"a"}, ObtainedAt: t0.Add(-time.Hour)}
}

func TestCacheRules(t *testing.T) {
	tests := []struct {
		name   string
		rec    func() *store.Record // nil: nothing stored
		minTTL time.Duration
		want   string // the access token served
	}{
		{"nothing stored", nil, time.Minute, "at1"},
		{"fresh", func() *store.Record { return stored(t0.Add(time.Hour)) }, time.Minute, "stored"},
		{"no expiry", func() *store.Record { return stored(time.Time{}) }, time.Minute, "stored"},
		{"exactly min-ttl left", func() *store.Record { return stored(t0.Add(time.Minute)) }, time.Minute, "stored"},
		{"less than min-ttl left", func() *store.Record { return stored(t0.Add(time.Minute - time.Second)) }, time.Minute, "at1"},
		{"expired", func() *store.Record { return stored(t0.Add(-time.Second)) }, 0, "at1"},
		{"other endpoint", func() *store.Record {
			r := stored(t0.Add(time.Hour))
			r.Endpoint = "https://staging.idp.test/token"
			return r
		}, time.Minute, "at1"},
		{"other client", func() *store.Record {
			r := stored(t0.Add(time.Hour))
			r.ClientID = "other"
			return r
		}, time.Minute, "at1"},
		{"unprintable token", func() *store.Record {
			r := stored(t0.Add(time.Hour))
			r.AccessToken = "bad\ntoken"
			return r
		}, time.Minute, "at1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			if tt.rec != nil {
				fx.save(t, tt.rec())
			}
			rec, err := fx.get(t, tt.minTTL)
			if err != nil {
				t.Fatal(err)
			}
			if rec.AccessToken != tt.want {
				t.Errorf("served %q, want %q", rec.AccessToken, tt.want)
			}
			fetches, _, _ := fx.p.counts()
			if want := map[bool]int{true: 0, false: 1}[tt.want == "stored"]; fetches != want {
				t.Errorf("%d token requests, want %d", fetches, want)
			}
			if tt.want != "stored" {
				// What was fetched is stored before it is served.
				again, err := fx.get(t, tt.minTTL)
				if err != nil || again.AccessToken != tt.want {
					t.Errorf("next get served %v (%v), want the stored %q", again, err, tt.want)
				}
			}
		})
	}
}

// A fresh stored token costs one store read: no lock, no index, no request.
func TestHotPathIsOneStoreRead(t *testing.T) {
	fx := newFixture(t)
	fx.save(t, stored(t0.Add(time.Hour)))
	before := fx.b.reads()
	if _, err := fx.get(t, time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := fx.b.reads() - before; n != 1 {
		t.Errorf("%d store reads, want 1", n)
	}
	if n := fx.lock.lockCalls(); n != 0 {
		t.Errorf("%d lock calls, want 0", n)
	}
}

// raceGets runs n gets at once. Every token request waits until all n
// callers have reached the lock, so every caller has found the store
// without a usable token before any token is stored: without the second
// look under the lock, each would make its own request.
func raceGets(t *testing.T, fx *fixture, n int) []*store.Record {
	t.Helper()
	all := make(chan struct{})
	var arrivals sync.WaitGroup
	arrivals.Add(n)
	var once sync.Once
	fx.lock.arrived = arrivals.Done
	go func() { arrivals.Wait(); once.Do(func() { close(all) }) }()
	fx.p.before = func() { <-all }
	recs := make([]*store.Record, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i], errs[i] = fx.get(t, time.Minute)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
	}
	return recs
}

func TestParallelGetsFetchOnce(t *testing.T) {
	const n = 8
	fx := newFixture(t)
	recs := raceGets(t, fx, n)
	fetches, _, _ := fx.p.counts()
	if fetches != 1 {
		t.Errorf("%d callers made %d token requests, want 1", n, fetches)
	}
	for i, rec := range recs {
		if rec.AccessToken != "at1" {
			t.Errorf("get %d served %q, want at1", i, rec.AccessToken)
		}
	}
}

func TestParallelGetsSpendARotatingRefreshTokenOnce(t *testing.T) {
	const n = 8
	fx := newFixture(t)
	old := stored(t0.Add(-time.Minute))
	old.RefreshToken = "rt0"
	fx.p.valid["rt0"] = true
	fx.save(t, old)
	recs := raceGets(t, fx, n)
	fetches, refreshes, twice := fx.p.counts()
	if refreshes != 1 || fetches != 0 || len(twice) != 0 {
		t.Errorf("%d callers made %d refreshes (refresh tokens spent twice: %v) and %d fetches, want 1 refresh", n, refreshes, twice, fetches)
	}
	for i, rec := range recs {
		if rec.AccessToken != "at1" || rec.RefreshToken != "rt1" {
			t.Errorf("get %d served %q with refresh token %q, want at1 and rt1", i, rec.AccessToken, rec.RefreshToken)
		}
	}
}

// Refresh renews whatever the expiry, and each refresh spends the refresh
// token the last one stored.
func TestRefreshRotates(t *testing.T) {
	fx := newFixture(t)
	old := stored(t0.Add(time.Hour))
	old.RefreshToken, old.IDToken = "rt0", "id-token"
	fx.p.valid["rt0"] = true
	fx.save(t, old)
	ctx := context.Background()
	for i, want := range []string{"rt1", "rt2", "rt3"} {
		r, err := NewRequest(fx.s, fx.build)
		if err != nil {
			t.Fatal(err)
		}
		rec, refreshed, err := fx.m.Refresh(ctx, r, fx.b)
		if err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		if !refreshed || rec.RefreshToken != want {
			t.Errorf("refresh %d: refreshed %v, refresh token %q; want true, %q", i, refreshed, rec.RefreshToken, want)
		}
		if rec.IDToken != "id-token" {
			t.Errorf("refresh %d: ID token %q; a refresh without one keeps the old one", i, rec.IDToken)
		}
	}
	if _, _, twice := fx.p.counts(); len(twice) != 0 {
		t.Errorf("refresh tokens spent twice: %v", twice)
	}
}

func TestRefreshWithoutNewRefreshTokenKeepsTheOld(t *testing.T) {
	fx := newFixture(t)
	fx.p.noNewRefresh = true
	old := stored(t0.Add(-time.Minute))
	old.RefreshToken = "rt0"
	fx.p.valid["rt0"] = true
	fx.save(t, old)
	rec, err := fx.get(t, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if rec.AccessToken != "at1" || rec.RefreshToken != "rt0" {
		t.Errorf("served %q with refresh token %q, want at1 keeping rt0", rec.AccessToken, rec.RefreshToken)
	}
}

// When a rotated refresh token cannot be stored, the warning says that the
// next call may need a login: the old one is spent.
func TestUnstoredRotationWarns(t *testing.T) {
	fx := newFixture(t)
	old := stored(t0.Add(-time.Minute))
	old.RefreshToken = "rt0"
	fx.p.valid["rt0"] = true
	fx.save(t, old)
	fx.b.setErr = errors.New("disk full")
	rec, err := fx.get(t, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if rec.AccessToken != "at1" {
		t.Errorf("served %q, want at1 (served even when it cannot be stored)", rec.AccessToken)
	}
	if len(fx.warns) != 1 || !strings.Contains(fx.warns[0], "rotated the refresh token") {
		t.Errorf("warnings %q, want one about the rotated refresh token", fx.warns)
	}
}

func TestRenewAhead(t *testing.T) {
	tests := []struct {
		name      string
		obtained  time.Time
		expiry    time.Time
		wantFetch int
	}{
		{"renewed meanwhile", t0, t0.Add(time.Hour), 0},
		{"still in the last quarter", t0.Add(-50 * time.Minute), t0.Add(10 * time.Minute), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			rec := stored(tt.expiry)
			rec.ObtainedAt = tt.obtained
			fx.save(t, rec)
			r, err := NewRequest(fx.s, fx.build)
			if err != nil {
				t.Fatal(err)
			}
			if err := fx.m.RenewAhead(context.Background(), r, fx.b); err != nil {
				t.Fatal(err)
			}
			if fetches, _, _ := fx.p.counts(); fetches != tt.wantFetch {
				t.Errorf("%d token requests, want %d", fetches, tt.wantFetch)
			}
		})
	}
}

func TestClientCredentialsLookup(t *testing.T) {
	ctx := context.Background()
	p := &fakeProvider{name: "p", flows: []string{provider.GrantClientCredentials}}
	tests := []struct {
		name       string
		s          provider.Settings
		stored     *provider.Credentials
		wantID     string
		wantSecret string
		wantErr    bool
	}{
		{"settings", provider.Settings{Name: "p", ClientID: "id", ClientSecret: "s"}, nil, "id", "s", false},
		{"stored", provider.Settings{Name: "p"}, &provider.Credentials{ID: "sid", Secret: "ss"}, "sid", "ss", false},
		{"stored secret for the configured id", provider.Settings{Name: "p", ClientID: "sid"}, &provider.Credentials{ID: "sid", Secret: "ss"}, "sid", "ss", false},
		{"stored secret of another client", provider.Settings{Name: "p", ClientID: "id"}, &provider.Credentials{ID: "sid", Secret: "ss"}, "", "", true},
		{"nothing", provider.Settings{Name: "p"}, nil, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newMemStore()
			if tt.stored != nil {
				if err := WriteStoredClient(ctx, b, "p", *tt.stored); err != nil {
					t.Fatal(err)
				}
			}
			c, err := ClientCredentials(ctx, p, tt.s, b)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (c.ID != tt.wantID || c.Secret != tt.wantSecret) {
				t.Errorf("got %q/%q, want %q/%q", c.ID, c.Secret, tt.wantID, tt.wantSecret)
			}
		})
	}
}
