package loopback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testState = "s3cr3t-state-0123456789abcdefghijklmnopqrstu"

func listen(t *testing.T, cfg Config) *Listener {
	t.Helper()
	if cfg.State == "" {
		cfg.State = testState
	}
	l, err := Listen(cfg)
	if err != nil {
		t.Fatalf("Listen(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// request is one browser (or attacker) request to a listener.
type request struct {
	method string // default GET
	path   string // default: the callback path
	query  string
	host   string // Host header; default: the redirect URI's host
	addr   string // IP to connect to; default: the redirect URI's host
}

type response struct {
	status int
	header http.Header
	body   string
}

var client = &http.Client{
	Timeout:   3 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

func send(t *testing.T, l *Listener, r request) (response, error) {
	t.Helper()
	u, err := url.Parse(l.RedirectURI())
	if err != nil {
		t.Fatal(err)
	}
	host := u.Host
	if r.addr != "" {
		u.Host = net.JoinHostPort(r.addr, u.Port())
	}
	if r.path != "" {
		u.Path = r.path
	}
	u.RawQuery = r.query
	if r.method == "" {
		r.method = http.MethodGet
	}
	req, err := http.NewRequest(r.method, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	if r.host != "" {
		req.Host = r.host
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(body)}, err
}

func mustSend(t *testing.T, l *Listener, r request) response {
	t.Helper()
	resp, err := send(t, l, r)
	if err != nil {
		t.Fatalf("request %+v: %v", r, err)
	}
	return resp
}

func wait(t *testing.T, l *Listener) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return l.Wait(ctx)
}

func q(state, code string) string {
	v := url.Values{}
	if state != "" {
		v.Set("state", state)
	}
	if code != "" {
		v.Set("code", code)
	}
	return v.Encode()
}

func TestCallback(t *testing.T) {
	right := q(testState, "the-code")
	tests := []struct {
		name     string
		steps    []request
		statuses []int
		wantCode string
		wantErr  string // exact Wait error; empty: success
	}{
		{
			name:     "success",
			steps:    []request{{query: right}},
			statuses: []int{200},
			wantCode: "the-code",
		},
		{
			name:     "wrong state then right state",
			steps:    []request{{query: q("forged", "evil-code")}, {query: right}},
			statuses: []int{400, 200},
			wantCode: "the-code",
		},
		{
			name:     "missing state is ignored",
			steps:    []request{{query: q("", "evil-code")}, {query: right}},
			statuses: []int{400, 200},
			wantCode: "the-code",
		},
		{
			name:     "state given twice is ignored",
			steps:    []request{{query: "state=forged&state=" + testState + "&code=evil"}, {query: right}},
			statuses: []int{400, 200},
			wantCode: "the-code",
		},
		{
			name:     "missing code",
			steps:    []request{{query: q(testState, "")}},
			statuses: []int{400},
			wantErr:  "Tiltify: the redirect carried no authorization code",
		},
		{
			name: "access denied",
			steps: []request{{query: url.Values{
				"state": {testState}, "error": {"access_denied"},
				"error_description": {"The user denied access"}, "error_uri": {"https://example.com/e"},
			}.Encode()}},
			statuses: []int{400},
			wantErr:  "Tiltify: the authorization server refused: access_denied: The user denied access",
		},
		{
			name: "provider text is sanitised",
			steps: []request{{query: url.Values{
				"state": {testState}, "error": {"server_error\x1b[31m"},
				"error_description": {"line one\r\nline\u202etwo\x00" + strings.Repeat("x", 500)},
			}.Encode()}},
			statuses: []int{400},
			wantErr: `Tiltify: the authorization server refused: server_error\x1b[31m: line one line\u202etwo\x00` +
				strings.Repeat("x", 300-len(`line one line\u202etwo\x00`)-len("…")) + "…",
		},
		{
			name: "other paths then success",
			steps: []request{
				{path: "/favicon.ico"}, {path: "/other", query: right}, {path: "/callback/", query: right}, {query: right},
			},
			statuses: []int{404, 404, 404, 200},
			wantCode: "the-code",
		},
		{
			name:     "POST and HEAD to the callback then GET",
			steps:    []request{{method: "POST", query: right}, {method: "HEAD", query: right}, {query: right}},
			statuses: []int{405, 405, 200},
			wantCode: "the-code",
		},
		{
			name: "wrong Host header then right",
			steps: []request{
				{host: "evil.example", query: right}, {host: "localhost:1", query: right}, {query: right},
			},
			statuses: []int{421, 421, 200},
			wantCode: "the-code",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listen(t, Config{Provider: "Tiltify"})
			for i, step := range tt.steps {
				resp := mustSend(t, l, step)
				if resp.status != tt.statuses[i] {
					t.Fatalf("step %d %+v: status %d, want %d; body:\n%s", i, step, resp.status, tt.statuses[i], resp.body)
				}
				if i < len(tt.steps)-1 {
					select {
					case <-l.done:
						t.Fatalf("step %d ended the login", i)
					default:
					}
				}
			}
			code, err := wait(t, l)
			if code != tt.wantCode {
				t.Errorf("code = %q, want %q", code, tt.wantCode)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Wait: %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("Wait error = %v\nwant          %s", err, tt.wantErr)
			}
		})
	}
}

func TestCallbackErrorTypes(t *testing.T) {
	l := listen(t, Config{Provider: "tiki"})
	mustSend(t, l, request{query: "state=" + testState + "&error=access_denied&error_description=no"})
	_, err := wait(t, l)
	var ce *CallbackError
	if !errors.As(err, &ce) || ce.Code != "access_denied" || ce.Description != "no" || ce.Provider != "tiki" {
		t.Fatalf("Wait error = %#v, want *CallbackError{tiki, access_denied, no}", err)
	}

	l = listen(t, Config{Provider: "tiki"})
	mustSend(t, l, request{query: "state=" + testState})
	if _, err := wait(t, l); !errors.Is(err, ErrNoCode) {
		t.Fatalf("Wait error = %v, want ErrNoCode", err)
	}
}

func TestSecondCallbackIsNotDelivered(t *testing.T) {
	l := listen(t, Config{})
	if resp := mustSend(t, l, request{query: q(testState, "first")}); resp.status != 200 {
		t.Fatalf("first callback: status %d", resp.status)
	}
	if code, err := wait(t, l); code != "first" || err != nil {
		t.Fatalf("Wait = %q, %v", code, err)
	}
	resp, err := send(t, l, request{query: q(testState, "second")})
	if err == nil && (resp.status != http.StatusGone || !strings.Contains(resp.body, "already finished")) {
		t.Fatalf("second callback: status %d, body:\n%s", resp.status, resp.body)
	}
	if code, err := wait(t, l); code != "first" || err != nil {
		t.Fatalf("Wait after a second callback = %q, %v", code, err)
	}
	// The listener shuts itself down, Close or not.
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := send(t, l, request{query: q(testState, "third")}); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still answering 2s after a successful callback")
		}
	}
}

func TestConcurrentCallbacksDeliverOne(t *testing.T) {
	l := listen(t, Config{})
	const n = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted []string
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := "code-" + strconv.Itoa(i)
			path := "/callback"
			if i%2 == 1 {
				path = "/favicon.ico"
			}
			resp, err := send(t, l, request{path: path, query: q(testState, code)})
			if err == nil && resp.status == 200 {
				mu.Lock()
				accepted = append(accepted, code)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	code, err := wait(t, l)
	if err != nil || len(accepted) != 1 || code != accepted[0] {
		t.Fatalf("Wait = %q, %v; accepted %v: want exactly one, the same", code, err, accepted)
	}
}

func TestWaitTimeout(t *testing.T) {
	l := listen(t, Config{Provider: "ils"})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	code, err := l.Wait(ctx)
	if code != "" || !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "ils: ") {
		t.Fatalf("Wait = %q, %v; want a wrapped context.DeadlineExceeded naming the provider", code, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Wait took %v", d)
	}
}

func TestCloseIsIdempotentAndFreesThePort(t *testing.T) {
	l := listen(t, Config{})
	addr := strings.TrimSuffix(strings.TrimPrefix(l.RedirectURI(), "http://"), "/callback")
	for range 2 {
		if err := l.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if code, err := l.Wait(ctx); code != "" || err == nil || ctx.Err() != nil {
		t.Fatalf("Wait after Close = %q, %v; want an immediate error", code, err)
	}
	if _, err := send(t, l, request{query: q(testState, "late")}); err == nil {
		t.Fatal("a callback after Close was answered")
	}
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Fatalf("port not released: %v", err)
	}
	ln.Close()
}

func TestPortBusy(t *testing.T) {
	tests := []struct{ name, occupy, uri string }{
		{"127.0.0.1", "127.0.0.1", "http://127.0.0.1:%d/cb"},
		{"localhost, 127.0.0.1 busy", "127.0.0.1", "http://localhost:%d"},
		{"localhost, ::1 busy", "::1", "http://localhost:%d"},
		{"[::1]", "::1", "http://[::1]:%d/cb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.occupy == "::1" && !haveIPv6(t) {
				t.Skip("no IPv6 loopback on this machine")
			}
			busy, err := net.Listen("tcp", net.JoinHostPort(tt.occupy, "0"))
			if err != nil {
				t.Fatal(err)
			}
			defer busy.Close()
			port := busy.Addr().(*net.TCPAddr).Port
			l, err := Listen(Config{RedirectURI: fmt.Sprintf(tt.uri, port), State: testState, Provider: "tiltify"})
			if err == nil {
				l.Close()
				t.Fatal("Listen succeeded on a busy port")
			}
			var pb *PortBusyError
			if !errors.As(err, &pb) || pb.Port != port {
				t.Fatalf("Listen error = %#v, want *PortBusyError for port %d", err, port)
			}
			msg := err.Error()
			for _, want := range []string{"tiltify: ", "port " + strconv.Itoa(port), "free it", "redirect_uri"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			// Nothing of ours is left behind on the other address.
			if ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
				ln.Close()
			} else if tt.occupy != "127.0.0.1" {
				t.Errorf("127.0.0.1:%d still bound after the failed Listen: %v", port, err)
			}
		})
	}
}

func TestRedirectURI(t *testing.T) {
	tests := []struct {
		name     string
		uri      string // %d: a free port; "" the default
		fixed    bool
		wantURI  string // regexp when not fixed
		wantPath string
	}{
		{"default", "", false, `^http://127\.0\.0\.1:\d+/callback$`, "/callback"},
		{"fixed with path", "http://127.0.0.1:%d/cb", true, "", "/cb"},
		{"fixed without path", "http://localhost:%d", true, "", "/"},
		{"fixed with slash", "http://localhost:%d/", true, "", "/"},
		{"fixed IPv6", "http://[::1]:%d/cb", true, "", "/cb"},
		{"no port: ephemeral", "http://localhost/oauth/cb", false, `^http://localhost:\d+/oauth/cb$`, "/oauth/cb"},
		{"port 0: ephemeral", "http://127.0.0.1:0/cb", false, `^http://127\.0\.0\.1:\d+/cb$`, "/cb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.uri, "::1") && !haveIPv6(t) {
				t.Skip("no IPv6 loopback on this machine")
			}
			var l *Listener
			uri := tt.uri
			if tt.fixed {
				l, uri = listenFixed(t, tt.uri)
				if l.RedirectURI() != uri {
					t.Errorf("RedirectURI() = %q, want %q verbatim", l.RedirectURI(), uri)
				}
			} else {
				l = listen(t, Config{RedirectURI: uri})
				if !regexp.MustCompile(tt.wantURI).MatchString(l.RedirectURI()) {
					t.Errorf("RedirectURI() = %q, want %s", l.RedirectURI(), tt.wantURI)
				}
				if strings.HasSuffix(l.RedirectURI(), ":0/cb") {
					t.Errorf("RedirectURI() = %q has no real port", l.RedirectURI())
				}
			}
			if tt.wantPath != "/callback" {
				if resp := mustSend(t, l, request{path: "/callback", query: q(testState, "x")}); resp.status != 404 {
					t.Errorf("/callback: status %d, want 404", resp.status)
				}
			}
			if resp := mustSend(t, l, request{path: tt.wantPath, query: q(testState, "c")}); resp.status != 200 {
				t.Fatalf("%s: status %d, want 200", tt.wantPath, resp.status)
			}
			if code, err := wait(t, l); code != "c" || err != nil {
				t.Fatalf("Wait = %q, %v", code, err)
			}
		})
	}
}

func TestLocalhostListensOnBothLoopbacks(t *testing.T) {
	addrs := []string{"127.0.0.1", "::1"}
	for _, addr := range addrs {
		t.Run(addr, func(t *testing.T) {
			if addr == "::1" && !haveIPv6(t) {
				t.Skip("no IPv6 loopback on this machine")
			}
			for _, fixed := range []bool{false, true} {
				var l *Listener
				if fixed {
					l, _ = listenFixed(t, "http://localhost:%d/cb")
				} else {
					l = listen(t, Config{RedirectURI: "http://localhost/cb"})
				}
				if n := len(l.lns); addr == "::1" && n != 2 {
					t.Fatalf("listening on %d addresses, want 2", n)
				}
				resp := mustSend(t, l, request{addr: addr, query: q(testState, "via-"+addr)})
				if resp.status != 200 {
					t.Fatalf("fixed=%v: status %d, want 200", fixed, resp.status)
				}
				if code, err := wait(t, l); code != "via-"+addr || err != nil {
					t.Fatalf("fixed=%v: Wait = %q, %v", fixed, code, err)
				}
			}
		})
	}
}

func TestInvalidConfig(t *testing.T) {
	for _, uri := range []string{
		"http://example.com:9000",
		"https://127.0.0.1:9000",
		"http://0.0.0.0:9000/cb",
		"http://192.168.1.10:9000/cb",
		"http://localhost.example.com:9000",
		"http://127.0.0.2:9000",
		"http://user:pw@127.0.0.1:9000",
		"http://127.0.0.1:99999",
		"http://127.0.0.1:9000/cb#frag",
		"127.0.0.1:9000",
		"http:127.0.0.1",
		"http://127.0.0.1:9000/%zz",
	} {
		t.Run(uri, func(t *testing.T) {
			l, err := Listen(Config{RedirectURI: uri, State: testState, Provider: "oauth2"})
			if err == nil {
				l.Close()
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidRedirectURI) || !strings.Contains(err.Error(), "redirect_uri") ||
				!strings.HasPrefix(err.Error(), "oauth2: ") {
				t.Fatalf("error %q: want ErrInvalidRedirectURI naming redirect_uri and the provider", err)
			}
		})
	}
	t.Run("empty state", func(t *testing.T) {
		if l, err := Listen(Config{}); err == nil {
			l.Close()
			t.Fatal("accepted an empty state")
		}
	})
}

func TestPages(t *testing.T) {
	const code = "SECRET-CODE-42"
	tests := []struct {
		name     string
		req      request
		status   int
		want     []string
		conclude bool
	}{
		{"success", request{query: q(testState, code)}, 200,
			[]string{"You are logged in to &lt;Tilia&gt;. You can close this tab and return to the terminal."}, true},
		{"provider error", request{query: "state=" + testState + "&code=" + code +
			"&error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E"}, 400,
			[]string{"The login failed: the authorization server refused: access_denied: &lt;script&gt;"}, true},
		{"no code", request{query: q(testState, "")}, 400, []string{"no authorization code"}, true},
		{"wrong state", request{query: q("x"+testState, code)}, 400, []string{"does not match"}, false},
		{"not found", request{path: "/x", query: q(testState, code)}, 404, nil, false},
		{"method", request{method: "PUT", query: q(testState, code)}, 405, nil, false},
		{"host", request{host: "attacker.example:80", query: q(testState, code)}, 421, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listen(t, Config{Provider: "<Tilia>"})
			resp := mustSend(t, l, tt.req)
			if resp.status != tt.status {
				t.Errorf("status %d, want %d", resp.status, tt.status)
			}
			for k, v := range map[string]string{
				"Content-Type":            "text/html; charset=utf-8",
				"Cache-Control":           "no-store",
				"Referrer-Policy":         "no-referrer",
				"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
				"X-Content-Type-Options":  "nosniff",
			} {
				if got := resp.header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if tt.status == 405 && resp.header.Get("Allow") != "GET" {
				t.Errorf("Allow: %q", resp.header.Get("Allow"))
			}
			body := resp.body
			if !strings.Contains(body, "<title>tokctl</title>") {
				t.Errorf("no title in\n%s", body)
			}
			for _, bad := range []string{code, testState, "<script", "<Tilia>", "src=", "href=", "http"} {
				if strings.Contains(body, bad) {
					t.Errorf("page contains %q:\n%s", bad, body)
				}
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, body)
				}
			}
			select {
			case <-l.done:
				if !tt.conclude {
					t.Error("the request ended the login")
				}
			default:
				if tt.conclude {
					t.Error("the request did not end the login")
				}
			}
		})
	}
}

func TestNewState(t *testing.T) {
	a, b := NewState(), NewState()
	if a == b || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(a) {
		t.Fatalf("NewState() = %q, %q", a, b)
	}
}

// listenFixed listens on format with a free port, retrying if another
// process takes the port in between.
func listenFixed(t *testing.T, format string) (*Listener, string) {
	t.Helper()
	host := "127.0.0.1"
	if strings.Contains(format, "[::1]") {
		host = "::1"
	}
	for range 5 {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		uri := fmt.Sprintf(format, port)
		l, err := Listen(Config{RedirectURI: uri, State: testState})
		var busy *PortBusyError
		if errors.As(err, &busy) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Close() })
		return l, uri
	}
	t.Fatal("no free port")
	return nil, ""
}

func haveIPv6(t *testing.T) bool {
	t.Helper()
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
