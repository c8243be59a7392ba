package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
)

// answer is one canned HTTP response.
type answer struct {
	status int
	header map[string]string
	body   string
}

const okBody = `{"access_token":"tok-abcdefghijklmnop","token_type":"Bearer","expires_in":3600}`

var ok200 = answer{status: 200, body: okBody}

// scripted is a token endpoint that plays answers in order, repeating the
// last, and counts the requests it gets.
type scripted struct {
	srv  *httptest.Server
	hits atomic.Int32
	mu   sync.Mutex
	last *http.Request
}

func serve(t *testing.T, answers ...answer) *scripted {
	t.Helper()
	s := &scripted{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.hits.Add(1))
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.last = r.Clone(context.Background())
		s.last.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Unlock()
		a := answers[min(n, len(answers))-1]
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) request() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// fastClient retries on a fake clock (see fakeClock).
func fastClient() *Client {
	c, _ := clockedClient()
	return c
}

// clockedClient is fastClient and its clock.
func clockedClient() (*Client, *fakeClock) {
	clock := &fakeClock{at: clockStart}
	c := &Client{UserAgent: "tokctl/test", MaxAttempts: 3, MaxRetryWait: 3 * time.Second, RequestTimeout: 5 * time.Second,
		now: clock.now, sleep: clock.sleep}
	return c, clock
}

// fakeClock is the time between a client's tries: a wait returns at once,
// moves the clock on and is recorded, so a test checks the waits asked
// for, not how long the machine took.
type fakeClock struct {
	mu    sync.Mutex
	at    time.Time
	waits []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.at = c.at.Add(d)
	return ctx.Err()
}

// waited is the sum of the waits and how many there were.
func (c *fakeClock) waited() (time.Duration, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum time.Duration
	for _, d := range c.waits {
		sum += d
	}
	return sum, len(c.waits)
}

// clockStart is the fake clock's first instant, for Retry-After dates.
var clockStart = time.Date(2026, time.December, 3, 9, 0, 0, 0, time.UTC)

func exchange(u string) *Exchange {
	return &Exchange{
		Request: Request{Provider: "acme", Method: "POST", URL: u, Form: url.Values{"grant_type": {"client_credentials"}}},
		Grant:   "client_credentials",
	}
}

func TestClientRetries(t *testing.T) {
	retry0 := map[string]string{"Retry-After": "0"}
	tests := []struct {
		name     string
		answers  []answer
		hook     func(int, http.Header) (time.Duration, bool)
		wantHits int32
		wantOK   bool
		minWait  time.Duration
		maxWait  time.Duration
	}{
		{"500 then success", []answer{{status: 500, header: retry0}, ok200}, nil, 2, true, 0, time.Second},
		{"502 then success", []answer{{status: 502, header: retry0}, ok200}, nil, 2, true, 0, time.Second},
		{"503 then success", []answer{{status: 503, header: retry0}, ok200}, nil, 2, true, 0, time.Second},
		{"429 then success", []answer{{status: 429, header: retry0}, ok200}, nil, 2, true, 0, time.Second},
		{"504 twice then success", []answer{{status: 504, header: retry0}, {status: 504, header: retry0}, ok200}, nil, 3, true, 0, time.Second},
		{"backoff without any hint", []answer{{status: 503}, ok200}, nil, 2, true, 125 * time.Millisecond, 250 * time.Millisecond},
		{"retry-after seconds honoured", []answer{{status: 429, header: map[string]string{"Retry-After": "1"}}, ok200}, nil, 2, true, time.Second, time.Second},
		{"retry-after http-date honoured",
			[]answer{{status: 503, header: map[string]string{"Retry-After": clockStart.Add(2 * time.Second).Format(http.TimeFormat)}}, ok200},
			nil, 2, true, 2 * time.Second, 2 * time.Second},
		{"retry-after date in the past means now",
			[]answer{{status: 503, header: map[string]string{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}}, ok200},
			nil, 2, true, 0, 500 * time.Millisecond},
		{"provider hook used without retry-after", []answer{{status: 429, header: map[string]string{"X-Reset": "400ms"}}, ok200},
			func(_ int, h http.Header) (time.Duration, bool) {
				d, err := time.ParseDuration(h.Get("X-Reset"))
				return d, err == nil
			},
			2, true, 400 * time.Millisecond, 400 * time.Millisecond},
		{"retry-after wins over provider hook", []answer{{status: 429, header: map[string]string{"Retry-After": "0", "X-Reset": "10s"}}, ok200},
			func(_ int, h http.Header) (time.Duration, bool) {
				d, err := time.ParseDuration(h.Get("X-Reset"))
				return d, err == nil
			},
			2, true, 0, 500 * time.Millisecond},
		{"retry-after beyond the wait budget gives up at once", []answer{{status: 503, header: map[string]string{"Retry-After": "3600"}}, ok200}, nil, 1, false, 0, 500 * time.Millisecond},
		{"overflowing retry-after gives up, no hammering", []answer{{status: 503, header: map[string]string{"Retry-After": "9223372037"}}, ok200}, nil, 1, false, 0, 500 * time.Millisecond},
		{"bounded attempts", []answer{{status: 503, header: retry0}}, nil, 3, false, 0, time.Second},
		{"no retry on 400", []answer{{status: 400, body: `{"error":"invalid_request"}`}, ok200}, nil, 1, false, 0, 500 * time.Millisecond},
		{"no retry on 401", []answer{{status: 401, body: `{"error":"invalid_client"}`}, ok200}, nil, 1, false, 0, 500 * time.Millisecond},
		{"no retry on 403", []answer{{status: 403, body: `{"error":"access_denied"}`}, ok200}, nil, 1, false, 0, 500 * time.Millisecond},
		{"no retry on 404", []answer{{status: 404}, ok200}, nil, 1, false, 0, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, tt.answers...)
			ex := exchange(s.srv.URL)
			ex.RetryAfter = tt.hook
			c, clock := clockedClient()
			tok, err := c.Token(context.Background(), ex)
			took, _ := clock.waited()
			if got := s.hits.Load(); got != tt.wantHits {
				t.Errorf("server hits = %d, want %d", got, tt.wantHits)
			}
			if tt.wantOK && (err != nil || tok.AccessToken != "tok-abcdefghijklmnop") {
				t.Fatalf("Token = %v, %v; want the token", tok, err)
			}
			if !tt.wantOK && err == nil {
				t.Fatalf("Token = %v, want an error", tok)
			}
			if took < tt.minWait || took > tt.maxWait {
				t.Errorf("waited %v between tries, want between %v and %v", took, tt.minWait, tt.maxWait)
			}
		})
	}
}

func TestClientUnavailable(t *testing.T) {
	huge := `{"access_token":"x","pad":"` + strings.Repeat("a", MaxResponseBytes) + `"}`
	tests := []struct {
		name     string
		answers  []answer
		wantHits int32
		status   int
	}{
		{"5xx after retries", []answer{{status: 503, header: map[string]string{"Retry-After": "0"}, body: `{"error":"temporarily_unavailable"}`}}, 3, 503},
		{"429 after retries", []answer{{status: 429, header: map[string]string{"Retry-After": "0"}}}, 3, 429},
		{"response over 1 MiB refused, not retried", []answer{{status: 200, body: huge}}, 1, 200},
		{"error response over 1 MiB refused", []answer{{status: 400, body: huge}}, 1, 400},
		{"html body on 200", []answer{{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: "<html><body>login</body></html>"}}, 1, 200},
		{"truncated json on 200", []answer{{status: 200, body: `{"access_token":"x"`}}, 1, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, tt.answers...)
			_, err := fastClient().Token(context.Background(), exchange(s.srv.URL))
			var ue *failure.UnavailableError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %T %v, want *failure.UnavailableError", err, err)
			}
			if ue.Status != tt.status || ue.Provider != "acme" {
				t.Errorf("Status, Provider = %d, %q; want %d, acme", ue.Status, ue.Provider, tt.status)
			}
			if got := s.hits.Load(); got != tt.wantHits {
				t.Errorf("server hits = %d, want %d", got, tt.wantHits)
			}
			if !strings.HasPrefix(err.Error(), "acme: ") {
				t.Errorf("message %q does not name the provider", err)
			}
		})
	}
}

func TestClientExactlyOneMiBAccepted(t *testing.T) {
	prefix, suffix := `{"access_token":"tok-abcdefghijklmnop","pad":"`, `"}`
	body := prefix + strings.Repeat("a", MaxResponseBytes-len(prefix)-len(suffix)) + suffix
	s := serve(t, answer{status: 200, body: body})
	tok, err := fastClient().Token(context.Background(), exchange(s.srv.URL))
	if err != nil || tok.AccessToken != "tok-abcdefghijklmnop" {
		t.Fatalf("Token = %v, %v; want a token from a body of exactly 1 MiB", tok, err)
	}
}

func TestClientRedirectNotFollowed(t *testing.T) {
	var followed atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(okBody))
	}))
	defer other.Close()
	for _, status := range []int{301, 302, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			s := serve(t, answer{status: status, header: map[string]string{"Location": other.URL + "/steal"}})
			_, err := fastClient().Token(context.Background(), exchange(s.srv.URL))
			var ue *failure.UnavailableError
			if !errors.As(err, &ue) || ue.Status != status {
				t.Fatalf("err = %v, want *failure.UnavailableError with status %d", err, status)
			}
			if n := followed.Load(); n != 0 {
				t.Errorf("redirect target got %d requests, want 0", n)
			}
			if s.hits.Load() != 1 {
				t.Errorf("hits = %d, want 1", s.hits.Load())
			}
		})
	}
}

func TestClientNetworkErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/token"
	_ = ln.Close()

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hang(r) }))
	defer slow.Close()

	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		want    string
		// maxWaits: a closed port is tried twice; a deadline ends the
		// first try and leaves nothing to wait for.
		maxWaits int
	}{
		{"closed port", closed, 5 * time.Second, "cannot connect", 1},
		{"context deadline", slow.URL, 150 * time.Millisecond, "timed out", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			c, clock := clockedClient()
			c.MaxAttempts = 2
			_, err := c.Token(ctx, exchange(tt.url))
			var ue *failure.UnavailableError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %T %v, want *failure.UnavailableError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "acme: ") {
				t.Errorf("message %q, want it to name acme and contain %q", err, tt.want)
			}
			if _, n := clock.waited(); n > tt.maxWaits {
				t.Errorf("waited %d times between tries, want at most %d", n, tt.maxWaits)
			}
		})
	}
}

// hang blocks until the client goes away (bounded, so Close never waits long).
// The body is read first: only then does net/http notice a closed connection.
func hang(r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(3 * time.Second):
	}
}

func TestClientPerTryTimeoutRetries(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			hang(r) // the first try hangs until the client gives up on it
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(okBody))
	}))
	defer srv.Close()
	c := fastClient()
	c.RequestTimeout = 100 * time.Millisecond
	tok, err := c.Token(context.Background(), exchange(srv.URL))
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("Token = %v, %v; want success on the second try", tok, err)
	}
	if hits.Load() != 2 {
		t.Errorf("hits = %d, want 2", hits.Load())
	}
}

func TestClientRequestShape(t *testing.T) {
	tests := []struct {
		name   string
		client *Client
		req    Request
		check  func(t *testing.T, r *http.Request)
	}{
		{"user agent sent", &Client{UserAgent: "tokctl/1.2.3"}, Request{Method: "POST", Form: url.Values{"a": {"b"}}},
			func(t *testing.T, r *http.Request) {
				if got := r.Header.Get("User-Agent"); got != "tokctl/1.2.3" {
					t.Errorf("User-Agent = %q", got)
				}
				if got := r.Header.Get("Accept"); got != "application/json" {
					t.Errorf("Accept = %q", got)
				}
			}},
		{"default user agent", &Client{}, Request{Method: "POST"},
			func(t *testing.T, r *http.Request) {
				if got := r.Header.Get("User-Agent"); got != "tokctl" {
					t.Errorf("User-Agent = %q, want tokctl", got)
				}
			}},
		{"form body", &Client{}, Request{Method: "POST", Form: url.Values{"grant_type": {"client_credentials"}, "scope": {"a,b"}}},
			func(t *testing.T, r *http.Request) {
				if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
					t.Errorf("Content-Type = %q", ct)
				}
				if err := r.ParseForm(); err != nil || r.PostForm.Get("scope") != "a,b" || r.PostForm.Get("grant_type") != "client_credentials" {
					t.Errorf("form = %v, %v", r.PostForm, err)
				}
			}},
		{"json body", &Client{}, Request{Method: "POST", JSON: map[string]string{"clientId": "id"}},
			func(t *testing.T, r *http.Request) {
				if ct := r.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
			}},
		{"query appended to a url with a query", &Client{}, Request{Method: "GET", Query: url.Values{"client_id": {"x y"}}},
			func(t *testing.T, r *http.Request) {
				if r.Method != "GET" || r.URL.Query().Get("keep") != "1" || r.URL.Query().Get("client_id") != "x y" {
					t.Errorf("got %s %s", r.Method, r.URL)
				}
				if r.ContentLength != 0 {
					t.Errorf("GET has a body of %d bytes", r.ContentLength)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serve(t, ok200)
			r := tt.req
			r.Provider = "acme"
			r.URL = s.srv.URL + "/token?keep=1"
			if _, err := tt.client.Do(context.Background(), &r); err != nil {
				t.Fatal(err)
			}
			tt.check(t, s.request())
		})
	}
}

// TestClientBasicAuthFormEncoded checks RFC 6749 §2.3.1: id and secret are
// form-urlencoded before base64, so a server that decodes them gets them back.
func TestClientBasicAuthFormEncoded(t *testing.T) {
	tests := []struct {
		name, id, secret string
	}{
		{"plain", "client", "secret"},
		{"colon plus percent", "client:1", "s3:cr+t%20/x"},
		{"space and unicode", "my client", "pä ss wörd&=?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serve(t, ok200)
			r := Request{Provider: "acme", Method: "POST", URL: s.srv.URL, Form: url.Values{},
				Basic: &BasicAuth{User: tt.id, Password: tt.secret, FormEncode: true}}
			if _, err := (&Client{}).Do(context.Background(), &r); err != nil {
				t.Fatal(err)
			}
			scheme, payload, _ := strings.Cut(s.request().Header.Get("Authorization"), " ")
			raw, err := base64.StdEncoding.DecodeString(payload)
			if scheme != "Basic" || err != nil {
				t.Fatalf("Authorization = %q %q", scheme, payload)
			}
			rawID, rawSecret, found := strings.Cut(string(raw), ":")
			id, err1 := url.QueryUnescape(rawID)
			secret, err2 := url.QueryUnescape(rawSecret)
			if !found || err1 != nil || err2 != nil || id != tt.id || secret != tt.secret {
				t.Errorf("server decoded %q / %q, want %q / %q", id, secret, tt.id, tt.secret)
			}
		})
	}
	t.Run("without form encoding", func(t *testing.T) {
		s := serve(t, ok200)
		r := Request{Provider: "acme", Method: "POST", URL: s.srv.URL, Basic: &BasicAuth{User: "a b", Password: "c:d"}}
		if _, err := (&Client{}).Do(context.Background(), &r); err != nil {
			t.Fatal(err)
		}
		id, secret, ok := s.request().BasicAuth()
		if !ok || id != "a b" || secret != "c:d" {
			t.Errorf("BasicAuth = %q %q %v", id, secret, ok)
		}
	})
}

func TestClientRefusesBadEndpointBeforeSending(t *testing.T) {
	_, err := (&Client{}).Do(context.Background(), &Request{Provider: "acme", Method: "POST", URL: "http://example.com/token"})
	var ce *failure.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %T %v, want *failure.ConfigError", err, err)
	}
}

func TestClientUnbuildableRequestIsConfigError(t *testing.T) {
	s := serve(t, ok200)
	c, clock := clockedClient()
	_, err := c.Do(context.Background(), &Request{Provider: "acme", Method: "BAD METHOD", URL: s.srv.URL})
	var ce *failure.ConfigError
	var ue *failure.UnavailableError
	if !errors.As(err, &ce) || errors.As(err, &ue) {
		t.Fatalf("err = %T %v, want *failure.ConfigError (exit 2), not unavailability", err, err)
	}
	if _, n := clock.waited(); n != 0 {
		t.Errorf("waited %d times: a request that cannot be built was retried", n)
	}
	if s.hits.Load() != 0 {
		t.Errorf("hits = %d, want 0", s.hits.Load())
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		name     string
		attempt  int
		min, max time.Duration
	}{
		{"first", 1, 125 * time.Millisecond, 250 * time.Millisecond},
		{"second", 2, 250 * time.Millisecond, 500 * time.Millisecond},
		{"capped", 6, 2 * time.Second, 4 * time.Second},
		{"far beyond the shift width", 100, 2 * time.Second, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 {
				if d := backoff(tt.attempt); d < tt.min || d > tt.max {
					t.Fatalf("backoff(%d) = %v, want in [%v, %v]", tt.attempt, d, tt.min, tt.max)
				}
			}
		})
	}
}

func TestCheckEndpoint(t *testing.T) {
	tests := []struct {
		name, url string
		ok        bool
	}{
		{"https", "https://auth.tilia-inc.com/token", true},
		{"https with port", "https://idp.example.com:8443/oauth/token", true},
		{"upper-case scheme", "HTTPS://idp.example.com/token", true},
		{"http on 127.0.0.1", "http://127.0.0.1:8080/token", true},
		{"http on another loopback address", "http://127.1.2.3/token", true},
		{"http on [::1]", "http://[::1]:8080/token", true},
		{"http on localhost", "http://localhost:8080/realms/dev", true},
		{"http on LOCALHOST", "http://LOCALHOST/token", true},
		{"http on another host", "http://idp.example.com/token", false},
		{"http on a lookalike of localhost", "http://localhost.evil.example/token", false},
		{"http on a lookalike of 127.0.0.1", "http://127.0.0.1.evil.example/token", false},
		{"http on 0.0.0.0", "http://0.0.0.0/token", false},
		{"http on a private address", "http://10.0.0.1/token", false},
		{"ftp", "ftp://idp.example.com/token", false},
		{"file", "file:///etc/passwd", false},
		{"no scheme", "idp.example.com/token", false},
		{"garbage", "::not a url::", false},
		{"empty", "", false},
		{"scheme only", "https://", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckEndpoint("acme", tt.url)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckEndpoint(%q) = %v, want nil", tt.url, err)
				}
				return
			}
			var ce *failure.ConfigError
			if !errors.As(err, &ce) || ce.Provider != "acme" {
				t.Fatalf("CheckEndpoint(%q) = %T %v, want *failure.ConfigError for acme", tt.url, err, err)
			}
		})
	}
}

func TestCheckEndpointHidesPassword(t *testing.T) {
	err := CheckEndpoint("acme", "http://user:hunter2@idp.example.com/token")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v, want a refusal without the password", err)
	}
}

// TestClientDefaultAttempts: by default a failing request is tried 4 times in
// all (3 retries), as the README and the guides say.
func TestClientDefaultAttempts(t *testing.T) {
	s := serve(t, answer{status: 503, header: map[string]string{"Retry-After": "0"}})
	c, clock := clockedClient()
	c.MaxAttempts = 0 // the default
	if _, err := c.Token(context.Background(), exchange(s.srv.URL)); err == nil {
		t.Fatal("Token succeeded against a 503")
	}
	if got := s.hits.Load(); got != 4 {
		t.Errorf("tried %d times, want 4", got)
	}
	if _, n := clock.waited(); n != 3 {
		t.Errorf("waited %d times, want 3", n)
	}
}
