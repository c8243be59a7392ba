package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"

	"github.com/tokctl/tokctl/internal/oauth"
)

// Well-known paths for an issuer <server>/realm.
const (
	oidcPath     = "/realm/.well-known/openid-configuration"
	rfc8414Path  = "/realm/.well-known/oauth-authorization-server"
	insertedPath = "/.well-known/oauth-authorization-server/realm"
	discoToken   = "/realm/token"
)

// discoIDP is an authorization server on 127.0.0.1 that serves its
// metadata document at docPath only (404 elsewhere), answers token
// requests at /realm/token and counts requests per path.
type discoIDP struct {
	URL    string // http://127.0.0.1:port
	Issuer string // URL + "/realm"

	mu   sync.Mutex
	hits map[string]int
	// checkToken inspects a token request; a non-empty result fails it with 400.
	checkToken func(r *http.Request) string
}

// discoDocument is the metadata document of issuer base+"/realm".
func discoDocument(base string) map[string]any {
	return map[string]any{
		"issuer":                        base + "/realm",
		"authorization_endpoint":        base + "/realm/auth",
		"token_endpoint":                base + discoToken,
		"device_authorization_endpoint": base + "/realm/device",
		"revocation_endpoint":           base + "/realm/revoke",
		"jwks_uri":                      base + "/realm/certs",
	}
}

// startDiscoIDP serves body (the default document when nil) at docPath;
// docPath "" serves no document.
func startDiscoIDP(t *testing.T, docPath string, body func(base string) string) *discoIDP {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	idp := &discoIDP{URL: "http://" + srv.Listener.Addr().String(), hits: map[string]int{}}
	idp.Issuer = idp.URL + "/realm"
	if body == nil {
		body = func(base string) string { return string(mustMarshal(t, discoDocument(base))) }
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		idp.mu.Lock()
		idp.hits[r.URL.Path]++
		check := idp.checkToken
		idp.mu.Unlock()
		switch {
		case docPath != "" && r.URL.Path == docPath:
			if r.Method != http.MethodGet {
				t.Errorf("discovery request %s, want GET", r.Method)
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body(idp.URL)))
		case r.URL.Path == discoToken:
			w.Header().Set("Content-Type", "application/json")
			if check != nil {
				if msg := check(r); msg != "" {
					w.WriteHeader(http.StatusBadRequest)
					_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": msg})
					return
				}
			}
			_, _ = w.Write([]byte(`{"access_token":"at-disco","token_type":"Bearer","expires_in":3600}`))
		default:
			http.NotFound(w, r)
		}
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return idp
}

func (idp *discoIDP) count(path string) int {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	return idp.hits[path]
}

func (idp *discoIDP) total() int {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	n := 0
	for _, v := range idp.hits {
		n += v
	}
	return n
}

func (idp *discoIDP) setCheckToken(f func(r *http.Request) string) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	idp.checkToken = f
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// discoClient fails fast: one try, no retry wait.
func discoClient() *oauth.Client {
	return &oauth.Client{UserAgent: "tokctl/test", MaxAttempts: 1, MaxRetryWait: time.Millisecond, RequestTimeout: 2 * time.Second}
}

func newDisco(t *testing.T, s Settings) Provider {
	t.Helper()
	if s.Name == "" {
		s.Name = "idp"
	}
	s.Kind = "oauth2"
	p, err := New(s, discoClient())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func TestDiscoverPrepare(t *testing.T) {
	tests := []struct {
		name    string
		docPath string
		body    func(base string) string
		// settings adjusts the Settings (Issuer and CacheDir are set).
		settings func(s *Settings, idp *discoIDP)
		// want are the endpoints after Prepare, from the server's URL.
		want      func(idp *discoIDP) Endpoints
		wantFlows []string
		// wantHits are the requests each path must get.
		wantHits map[string]int
	}{
		{
			name: "openid-configuration", docPath: oidcPath,
			want:      discoEndpoints,
			wantFlows: []string{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1, rfc8414Path: 0, insertedPath: 0},
		},
		{
			name: "rfc 8414 fallback", docPath: rfc8414Path,
			want:      discoEndpoints,
			wantFlows: []string{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1, rfc8414Path: 1, insertedPath: 0},
		},
		{
			name: "rfc 8414 path inserted", docPath: insertedPath,
			want:      discoEndpoints,
			wantFlows: []string{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1, rfc8414Path: 1, insertedPath: 1},
		},
		{
			name: "configured issuer with a trailing slash", docPath: oidcPath,
			settings: func(s *Settings, idp *discoIDP) { s.Set("issuer", idp.Issuer+"/") },
			want: func(idp *discoIDP) Endpoints {
				e := discoEndpoints(idp)
				e.Issuer += "/"
				return e
			},
			wantFlows: []string{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1},
		},
		{
			name: "document issuer with a trailing slash", docPath: oidcPath,
			body: func(base string) string {
				d := discoDocument(base)
				d["issuer"] = base + "/realm/"
				return string(mustMarshal(t, d))
			},
			want:      discoEndpoints,
			wantFlows: []string{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1},
		},
		{
			name: "configured URLs win", docPath: oidcPath,
			settings: func(s *Settings, idp *discoIDP) {
				s.TokenURL = "https://token.example.com/t"
				s.AuthURL = "https://auth.example.com/a"
				s.Set("device_auth_url", "https://device.example.com/d")
				s.Set("revocation_url", "https://revoke.example.com/r")
				s.Set("jwks_url", "https://jwks.example.com/k")
			},
			want: func(idp *discoIDP) Endpoints {
				return Endpoints{Issuer: idp.Issuer, Token: "https://token.example.com/t", Auth: "https://auth.example.com/a",
					Device: "https://device.example.com/d", Revocation: "https://revoke.example.com/r", JWKS: "https://jwks.example.com/k"}
			},
			wantFlows: []string{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1},
		},
		{
			name: "configured token URL only", docPath: oidcPath,
			settings: func(s *Settings, idp *discoIDP) { s.TokenURL = "https://token.example.com/t" },
			want: func(idp *discoIDP) Endpoints {
				e := discoEndpoints(idp)
				e.Token = "https://token.example.com/t"
				return e
			},
			wantFlows: []string{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1},
		},
		{
			name: "document without authorization or device endpoint", docPath: oidcPath,
			body: func(base string) string {
				return string(mustMarshal(t, map[string]any{"issuer": base + "/realm", "token_endpoint": base + discoToken}))
			},
			want:      func(idp *discoIDP) Endpoints { return Endpoints{Issuer: idp.Issuer, Token: idp.URL + discoToken} },
			wantFlows: []string{GrantClientCredentials, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1},
		},
		{
			name: "public client: no client-credentials grant", docPath: oidcPath,
			settings:  func(s *Settings, idp *discoIDP) { s.ClientSecret = "" },
			want:      discoEndpoints,
			wantFlows: []string{GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1},
		},
		{
			name: "auth_method none: no client-credentials grant", docPath: oidcPath,
			settings:  func(s *Settings, idp *discoIDP) { s.Set("auth_method", "none") },
			want:      discoEndpoints,
			wantFlows: []string{GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken},
			wantHits:  map[string]int{oidcPath: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := startDiscoIDP(t, tt.docPath, tt.body)
			s := with(Settings{CacheDir: t.TempDir(), ClientSecret: "sec"}, "issuer", idp.Issuer)
			if tt.settings != nil {
				tt.settings(&s, idp)
			}
			p := newDisco(t, s)
			if err := p.Check(); err != nil {
				t.Fatalf("Check before Prepare: %v", err)
			}
			wantEndpoint := s.TokenURL
			if wantEndpoint == "" {
				wantEndpoint = s.Value("issuer") // stored records match before and after discovery
			}
			if got := p.RecordEndpoint(); got != wantEndpoint {
				t.Errorf("RecordEndpoint() before Prepare = %q, want %q", got, wantEndpoint)
			}
			if idp.total() != 0 {
				t.Fatalf("New or Check sent %d requests", idp.total())
			}
			if err := p.Prepare(context.Background()); err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			want := tt.want(idp)
			want.Discovery = idp.URL + tt.docPath // the document's full URL, as `tokctl providers` shows it
			if got := p.Endpoints(); got != want {
				t.Errorf("Endpoints() =\n %+v\nwant\n %+v", got, want)
			}
			if got := p.RecordEndpoint(); got != wantEndpoint {
				t.Errorf("RecordEndpoint() after Prepare = %q, want %q", got, wantEndpoint)
			}
			if got := Flows(p); !slices.Equal(got, tt.wantFlows) {
				t.Errorf("Flows() = %q, want %q", got, tt.wantFlows)
			}
			if got, want := p.Endpoints().Auth, tt.want(idp).Auth; got != want {
				t.Errorf("AuthURL() = %q, want %q", got, want)
			}
			if err := p.Check(); err != nil {
				t.Errorf("Check after Prepare: %v", err)
			}
			for path, n := range tt.wantHits {
				if got := idp.count(path); got != n {
					t.Errorf("requests to %s = %d, want %d", path, got, n)
				}
			}
			// Prepare again is free.
			before := idp.total()
			if err := p.Prepare(context.Background()); err != nil || idp.total() != before {
				t.Errorf("second Prepare: %v, %d more requests", err, idp.total()-before)
			}
		})
	}
}

func discoEndpoints(idp *discoIDP) Endpoints {
	return Endpoints{Issuer: idp.Issuer, Token: idp.URL + discoToken, Auth: idp.URL + "/realm/auth",
		Device: idp.URL + "/realm/device", Revocation: idp.URL + "/realm/revoke", JWKS: idp.URL + "/realm/certs"}
}

func TestDiscoverErrors(t *testing.T) {
	tests := []struct {
		name    string
		docPath string
		body    func(base string) string
		check   func(t *testing.T, idp *discoIDP, err error)
		// cached: the document is cached before its endpoints are
		// checked, so a refusal by Check leaves it in the cache.
		cached bool
	}{
		{
			name: "document names another issuer", docPath: oidcPath,
			body: func(base string) string {
				d := discoDocument(base)
				d["issuer"] = "https://evil.example.com/realm"
				return string(mustMarshal(t, d))
			},
			check: func(t *testing.T, idp *discoIDP, err error) {
				var ce *failure.ConfigError
				if !errors.As(err, &ce) {
					t.Fatalf("Prepare: %v, want a ConfigError", err)
				}
				if msg := err.Error(); !strings.Contains(msg, "https://evil.example.com/realm") || !strings.Contains(msg, idp.Issuer) {
					t.Errorf("message %q does not name both issuers", msg)
				}
			},
		},
		{
			name: "no document anywhere", docPath: "",
			check: func(t *testing.T, idp *discoIDP, err error) {
				wantUnavailable(t, err)
				for _, path := range []string{oidcPath, rfc8414Path, insertedPath} {
					if n := idp.count(path); n != 1 {
						t.Errorf("requests to %s = %d, want 1", path, n)
					}
				}
			},
		},
		{
			name: "html document", docPath: oidcPath,
			body:  func(string) string { return "<!DOCTYPE html><html><body>Welcome to Keycloak</body></html>" },
			check: func(t *testing.T, idp *discoIDP, err error) { wantUnavailable(t, err) },
		},
		{
			name: "non-JSON document", docPath: oidcPath,
			body:  func(string) string { return "issuer: https://idp.example.com/realm\n" },
			check: func(t *testing.T, idp *discoIDP, err error) { wantUnavailable(t, err) },
		},
		{
			name: "JSON array", docPath: oidcPath,
			body:  func(string) string { return "[]" },
			check: func(t *testing.T, idp *discoIDP, err error) { wantUnavailable(t, err) },
		},
		{
			name: "document without token_endpoint", docPath: oidcPath,
			body: func(base string) string {
				return string(mustMarshal(t, map[string]any{"issuer": base + "/realm", "authorization_endpoint": base + "/realm/auth"}))
			},
			check: func(t *testing.T, idp *discoIDP, err error) {
				wantUnavailable(t, err)
				if !strings.Contains(err.Error(), "token_endpoint") {
					t.Errorf("message %q does not name token_endpoint", err)
				}
			},
		},
		{
			name: "plain-http token endpoint on another host", docPath: oidcPath,
			body: func(base string) string {
				d := discoDocument(base)
				d["token_endpoint"] = "http://idp.example.com/token"
				return string(mustMarshal(t, d))
			},
			check: func(t *testing.T, idp *discoIDP, err error) {
				var ce *failure.ConfigError
				if !errors.As(err, &ce) {
					t.Fatalf("Prepare: %v, want a ConfigError", err)
				}
			},
			cached: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := startDiscoIDP(t, tt.docPath, tt.body)
			dir := t.TempDir()
			p := newDisco(t, with(Settings{CacheDir: dir}, "issuer", idp.Issuer))
			err := p.Prepare(context.Background())
			if err == nil {
				t.Fatalf("Prepare succeeded; Endpoints() = %+v", p.Endpoints())
			}
			tt.check(t, idp, err)
			if idp.count(discoToken) != 0 {
				t.Errorf("a token request was sent")
			}
			if _, ok := readDiscoveryCache(discoveryCacheFile(dir, idp.Issuer), idp.Issuer); ok != tt.cached {
				t.Errorf("document cached = %v, want %v", ok, tt.cached)
			}
		})
	}
}

func wantUnavailable(t *testing.T, err error) {
	t.Helper()
	var ue *failure.UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("Prepare: %v, want an UnavailableError", err)
	}
}

// noNetwork fails the test on any request.
type noNetwork struct{ t *testing.T }

func (n noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("unexpected request to %s", r.URL.Redacted())
	return nil, errors.New("no network in this test")
}

func TestDiscoverPlainHTTPIssuer(t *testing.T) {
	tests := []struct {
		name, issuer string
	}{
		{"http on a public host", "http://idp.example.com/realm"},
		{"http on a private address", "http://10.0.0.5/realm"},
		{"ftp scheme", "ftp://idp.example.com/realm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc := &oauth.Client{MaxAttempts: 1, HTTPClient: &http.Client{Transport: noNetwork{t}}}
			p, err := New(with(Settings{Name: "idp", Kind: "oauth2", CacheDir: t.TempDir(), ClientID: "c", ClientSecret: "s"}, "issuer", tt.issuer), hc)
			if err != nil {
				t.Fatal(err)
			}
			var ce *failure.ConfigError
			if err := p.Check(); !errors.As(err, &ce) {
				t.Errorf("Check: %v, want a ConfigError", err)
			}
			if err := p.Prepare(context.Background()); !errors.As(err, &ce) {
				t.Errorf("Prepare: %v, want a ConfigError", err)
			}
			if _, err := p.(ClientCredentialsGrant).ClientCredentials(context.Background(), Credentials{ID: "c", Secret: "s"}); !errors.As(err, &ce) {
				t.Errorf("ClientCredentials: %v, want a ConfigError", err)
			}
		})
	}
}

// writeCache writes a discovery cache entry as the code would, with fetchedAt.
func writeCache(t *testing.T, dir, issuer string, m map[string]any, fetchedAt time.Time) string {
	t.Helper()
	path := discoveryCacheFile(dir, issuer)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	raw := mustMarshal(t, map[string]any{"fetched_at": fetchedAt.UTC(), "metadata": m})
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiscoveryCache(t *testing.T) {
	tests := []struct {
		name string
		// seed writes a cache entry before the first provider is built; nil
		// lets the first provider's Prepare fill the cache.
		seed func(t *testing.T, dir string, idp *discoIDP)
		// wantFetches is the number of discovery requests both providers make.
		wantFetches int
		wantToken   func(idp *discoIDP) string
	}{
		{
			name: "a second provider reads the cache", wantFetches: 1,
			wantToken: func(idp *discoIDP) string { return idp.URL + discoToken },
		},
		{
			name: "a fresh seeded cache is used", wantFetches: 0,
			seed: func(t *testing.T, dir string, idp *discoIDP) {
				d := discoDocument(idp.URL)
				d["token_endpoint"] = idp.URL + "/cached/token"
				writeCache(t, dir, idp.Issuer, d, time.Now().Add(-23*time.Hour))
			},
			wantToken: func(idp *discoIDP) string { return idp.URL + "/cached/token" },
		},
		{
			name: "a cache older than 24 h is refetched", wantFetches: 1,
			seed: func(t *testing.T, dir string, idp *discoIDP) {
				d := discoDocument(idp.URL)
				d["token_endpoint"] = idp.URL + "/stale/token"
				writeCache(t, dir, idp.Issuer, d, time.Now().Add(-25*time.Hour))
			},
			wantToken: func(idp *discoIDP) string { return idp.URL + discoToken },
		},
		{
			name: "a cache from the future is refetched", wantFetches: 1,
			seed: func(t *testing.T, dir string, idp *discoIDP) {
				d := discoDocument(idp.URL)
				d["token_endpoint"] = idp.URL + "/future/token"
				writeCache(t, dir, idp.Issuer, d, time.Now().Add(time.Hour))
			},
			wantToken: func(idp *discoIDP) string { return idp.URL + discoToken },
		},
		{
			name: "a cache naming another issuer is ignored", wantFetches: 1,
			seed: func(t *testing.T, dir string, idp *discoIDP) {
				writeCache(t, dir, idp.Issuer, map[string]any{"issuer": "https://other.example.com/realm",
					"token_endpoint": "https://other.example.com/token"}, time.Now())
			},
			wantToken: func(idp *discoIDP) string { return idp.URL + discoToken },
		},
		{
			name: "a corrupt cache is refetched", wantFetches: 1,
			seed: func(t *testing.T, dir string, idp *discoIDP) {
				path := writeCache(t, dir, idp.Issuer, discoDocument(idp.URL), time.Now())
				if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			wantToken: func(idp *discoIDP) string { return idp.URL + discoToken },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := startDiscoIDP(t, oidcPath, nil)
			dir := t.TempDir()
			if tt.seed != nil {
				tt.seed(t, dir, idp)
			}
			s := with(Settings{CacheDir: dir}, "issuer", idp.Issuer)
			for i := range 2 {
				p := newDisco(t, s)
				if err := p.Prepare(context.Background()); err != nil {
					t.Fatalf("provider %d: Prepare: %v", i+1, err)
				}
				if got, want := p.Endpoints().Token, tt.wantToken(idp); got != want {
					t.Errorf("provider %d: token endpoint = %q, want %q", i+1, got, want)
				}
			}
			if n := idp.count(oidcPath); n != tt.wantFetches {
				t.Errorf("discovery requests = %d, want %d", n, tt.wantFetches)
			}
		})
	}
}

func TestDiscoveryCacheFileIsPrivate(t *testing.T) {
	idp := startDiscoIDP(t, oidcPath, nil)
	dir := filepath.Join(t.TempDir(), "cache")
	p := newDisco(t, with(Settings{CacheDir: dir}, "issuer", idp.Issuer))
	if err := p.Prepare(context.Background()); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	path := discoveryCacheFile(dir, idp.Issuer)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("cache file: %v", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("cache file mode = %v, want 0600", perm)
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if perm := di.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("cache directory mode = %v, want no group or other access", perm)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("cache directory holds %d files, want 1 (no temporary file left)", len(entries))
	}
	var c struct {
		FetchedAt time.Time      `json:"fetched_at"`
		Metadata  map[string]any `json:"metadata"`
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("cache file: %v", err)
	}
	if time.Since(c.FetchedAt) > time.Minute || c.Metadata["issuer"] != idp.Issuer || c.Metadata["token_endpoint"] != idp.URL+discoToken {
		t.Errorf("cache file = %s", raw)
	}
}

// closedPort is a loopback URL where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return "http://" + addr
}

func TestDiscoveryRefetchAfterFailure(t *testing.T) {
	tests := []struct {
		name string
		// serverToken is the token_endpoint the server's document names;
		// empty means its own.
		serverToken func(dead string) string
		wantErr     bool
		wantFetches int
	}{
		{name: "the endpoint moved: one re-discovery, then success", wantFetches: 1},
		{name: "the endpoint did not move: the failure stands", serverToken: func(dead string) string { return dead }, wantErr: true, wantFetches: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dead := closedPort(t) + "/realm/token"
			idp := startDiscoIDP(t, oidcPath, func(base string) string {
				d := discoDocument(base)
				if tt.serverToken != nil {
					d["token_endpoint"] = tt.serverToken(dead)
				}
				return string(mustMarshal(t, d))
			})
			dir := t.TempDir()
			seeded := discoDocument(idp.URL)
			seeded["token_endpoint"] = dead
			writeCache(t, dir, idp.Issuer, seeded, time.Now().Add(-time.Hour))

			p := newDisco(t, with(Settings{CacheDir: dir, ClientID: "cli", ClientSecret: "sec"}, "issuer", idp.Issuer))
			tok, err := p.(ClientCredentialsGrant).ClientCredentials(context.Background(), Credentials{ID: "cli", Secret: "sec"})
			if n := idp.count(oidcPath); n != tt.wantFetches {
				t.Errorf("discovery requests = %d, want %d", n, tt.wantFetches)
			}
			if tt.wantErr {
				wantUnavailable(t, err)
				if idp.count(discoToken) != 0 {
					t.Errorf("token requests = %d, want 0", idp.count(discoToken))
				}
				return
			}
			if err != nil {
				t.Fatalf("ClientCredentials: %v", err)
			}
			if tok.AccessToken != "at-disco" {
				t.Errorf("access token = %q", tok.AccessToken)
			}
			if n := idp.count(discoToken); n != 1 {
				t.Errorf("token requests = %d, want 1", n)
			}
			if got := p.Endpoints().Token; got != idp.URL+discoToken {
				t.Errorf("token endpoint after re-discovery = %q", got)
			}
			// The cache now holds the new document: a new provider goes straight there.
			m, ok := readDiscoveryCache(discoveryCacheFile(dir, idp.Issuer), idp.Issuer)
			if !ok || m.TokenEndpoint != idp.URL+discoToken {
				t.Errorf("cache after re-discovery = %+v, %v", m, ok)
			}
		})
	}
}

func TestOAuth2PublicClient(t *testing.T) {
	tests := []struct {
		name       string
		s          Settings
		wantPublic bool
		wantPKCE   bool
	}{
		{"no secret", Settings{}, true, true},
		{"no secret, pkce false", Settings{PKCE: "false"}, true, true},
		{"auth_method none", with(Settings{}, "auth_method", "none"), true, true},
		{"auth_method none with a secret", with(Settings{ClientSecret: "sec"}, "auth_method", "none"), true, true},
		{"secret", Settings{ClientSecret: "sec"}, false, true},
		{"secret, pkce false", Settings{ClientSecret: "sec", PKCE: "false"}, false, false},
		{"client_secret_post", with(Settings{ClientSecret: "sec"}, "auth_method", "client_secret_post"), false, true},
		{"client_secret_basic", with(Settings{ClientSecret: "sec"}, "auth_method", "client_secret_basic"), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			s.ClientID, s.TokenURL, s.AuthURL = "cli", "https://idp.example.com/token", "https://idp.example.com/auth"
			p := newDisco(t, s)
			if err := p.Check(); err != nil {
				t.Fatalf("Check: %v", err)
			}
			if got := IsPublicClient(p); got != tt.wantPublic {
				t.Errorf("PublicClient() = %v, want %v", got, tt.wantPublic)
			}
			if got := p.(AuthCodeGrant).PKCE(); got != tt.wantPKCE {
				t.Errorf("PKCE() = %v, want %v", got, tt.wantPKCE)
			}
		})
	}
}

// TestPublicClientAuthentication checks, at the token endpoint, how each
// client authenticates: a public client sends client_id in the form and no
// Authorization header; a confidential one sends HTTP Basic.
func TestPublicClientAuthentication(t *testing.T) {
	tests := []struct {
		name  string
		s     Settings
		creds Credentials
		check func(r *http.Request) string
	}{
		{
			name: "public client", creds: Credentials{ID: "cli"},
			check: func(r *http.Request) string { return wantForm(r, "cli", "", false) },
		},
		{
			name: "auth_method none ignores a secret", s: with(Settings{}, "auth_method", "none"), creds: Credentials{ID: "cli", Secret: "sec"},
			check: func(r *http.Request) string { return wantForm(r, "cli", "", false) },
		},
		{
			name: "confidential client sends basic", s: Settings{ClientSecret: "s:e c/ret"}, creds: Credentials{ID: "conf id", Secret: "s:e c/ret"},
			check: func(r *http.Request) string { return wantBasic(r, "conf id", "s:e c/ret") },
		},
		{
			name: "client_secret_basic", s: with(Settings{ClientSecret: "sec"}, "auth_method", "client_secret_basic"), creds: Credentials{ID: "cli", Secret: "sec"},
			check: func(r *http.Request) string { return wantBasic(r, "cli", "sec") },
		},
		{
			name: "client_secret_post", s: with(Settings{ClientSecret: "sec"}, "auth_method", "client_secret_post"), creds: Credentials{ID: "cli", Secret: "sec"},
			check: func(r *http.Request) string { return wantForm(r, "cli", "sec", true) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := startDiscoIDP(t, oidcPath, nil)
			var mu sync.Mutex
			var problem string
			idp.setCheckToken(func(r *http.Request) string {
				msg := tt.check(r)
				if r.PostForm.Get("grant_type") != GrantClientCredentials {
					msg += fmt.Sprintf("; grant_type = %q", r.PostForm.Get("grant_type"))
				}
				mu.Lock()
				problem = msg
				mu.Unlock()
				return msg
			})
			s := tt.s
			s.CacheDir, s.ClientID = t.TempDir(), tt.creds.ID
			s.Set("issuer", idp.Issuer)
			p := newDisco(t, s)
			tok, err := p.(ClientCredentialsGrant).ClientCredentials(context.Background(), tt.creds)
			mu.Lock()
			defer mu.Unlock()
			if problem != "" {
				t.Fatalf("token request: %s", problem)
			}
			if err != nil || tok.AccessToken != "at-disco" {
				t.Fatalf("ClientCredentials = %+v, %v", tok, err)
			}
			if n := idp.count(discoToken); n != 1 {
				t.Errorf("token requests = %d, want 1", n)
			}
		})
	}
}

// wantForm checks client authentication in the form body: client_id, and
// client_secret exactly when withSecret, and no Authorization header.
func wantForm(r *http.Request, id, secret string, withSecret bool) string {
	if err := r.ParseForm(); err != nil {
		return "unreadable form"
	}
	var problems []string
	if h := r.Header.Get("Authorization"); h != "" {
		problems = append(problems, "an Authorization header was sent")
	}
	if got := r.PostForm.Get("client_id"); got != id {
		problems = append(problems, fmt.Sprintf("client_id = %q, want %q", got, id))
	}
	if got, has := r.PostForm.Get("client_secret"), r.PostForm.Has("client_secret"); has != withSecret || got != secret {
		problems = append(problems, fmt.Sprintf("client_secret present %v, want %v", has, withSecret))
	}
	return strings.Join(problems, "; ")
}

// wantBasic checks RFC 6749 §2.3.1 HTTP Basic: both parts form-encoded,
// and neither in the form.
func wantBasic(r *http.Request, id, secret string) string {
	if err := r.ParseForm(); err != nil {
		return "unreadable form"
	}
	var problems []string
	h := r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Basic ")
	dec, err := base64.StdEncoding.DecodeString(raw)
	user, pass, found := strings.Cut(string(dec), ":")
	if !ok || err != nil || !found {
		return fmt.Sprintf("Authorization is not HTTP Basic (%d bytes)", len(h))
	}
	if u, err := url.QueryUnescape(user); err != nil || u != id {
		problems = append(problems, fmt.Sprintf("basic user %q, want %q form-encoded", user, id))
	}
	if p, err := url.QueryUnescape(pass); err != nil || p != secret {
		problems = append(problems, "basic password is not the form-encoded secret")
	}
	if r.PostForm.Has("client_id") || r.PostForm.Has("client_secret") {
		problems = append(problems, "client credentials also sent in the form")
	}
	return strings.Join(problems, "; ")
}

// TestDiscoveryErrorsNameTheIssuer: a discovery that fails says it was the
// issuer (not a token endpoint) and that `issuer` is the setting to check,
// with every URL it tried written out in full.
func TestDiscoveryErrorsNameTheIssuer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/realm"
	_ = ln.Close()
	missing := startDiscoIDP(t, "", nil) // answers 404 everywhere

	tests := []struct {
		name, issuer string
		want         []string
	}{
		{"unreachable", closed, []string{
			"idp: cannot reach issuer " + closed + " for discovery: cannot connect",
			"; check that the server is up and that `issuer` (TOKCTL_IDP_ISSUER) is right"}},
		{"no document", missing.Issuer, []string{
			"idp: discovery failed at issuer " + missing.Issuer + ": no discovery document at " +
				missing.Issuer + "/.well-known/openid-configuration, " + missing.Issuer + "/.well-known/oauth-authorization-server, " +
				missing.URL + "/.well-known/oauth-authorization-server/realm (HTTP 404 Not Found)",
			"`issuer` (TOKCTL_IDP_ISSUER)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newDisco(t, with(Settings{CacheDir: t.TempDir()}, "issuer", tt.issuer))
			err := p.Prepare(context.Background())
			wantUnavailable(t, err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "token endpoint") || strings.Contains(err.Error(), "tokctl providers") {
				t.Errorf("error %q speaks of the token endpoint or points to `tokctl providers`", err)
			}
		})
	}
}
