package main

import (
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
)

// faultCase is one misbehaviour of a token endpoint and what tokctl must do
// about it, for every provider (or only one).
type faultCase struct {
	name string
	only string // provider name, when the fault is one provider's quirk
	// base is the endpoint's base URL; the fake's when nil.
	base func(t *testing.T, h *harness) string
	// faults are injected into the provider's route just before the run.
	faults func(h *harness, p prov) []fakeprovider.Fault
	args   []string

	code int
	// msg is a substring of the one-line error (with {rejected} standing for the
	// provider's own 401 text); a successful run must print nothing on stderr.
	msg      string
	requests int
	// min and max bound the run's duration.
	min, max time.Duration
}

// respond is a fault that answers n requests (0: all) with status, body and header pairs.
func respond(n, status int, body string, header ...string) fakeprovider.Fault {
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return fakeprovider.Fault{Times: n, Action: fakeprovider.FaultRespond, Status: status, Header: h, Body: body}
}

func faults(f ...fakeprovider.Fault) func(*harness, prov) []fakeprovider.Fault {
	return func(*harness, prov) []fakeprovider.Fault { return f }
}

// Bounds. tokctl tries 4 times; the 3 waits between tries are jittered
// within 125-250ms, 250-500ms and 0.5-1s, so 1.75s at most.
const (
	fast  = 3 * time.Second // no waiting at all: startup, one request, exit
	retry = 5 * time.Second // all four tries
)

// loadAllowance is what a busy machine adds to a run's wall-clock time (126
// runs of a -race binary, 16 at a time, on a shared 2-core runner have taken
// seconds more). The lower bounds prove the waits that must happen; the upper
// bounds, with this allowance, still catch the waits that must not (a
// provider's 5m or 1h, the 20s retry budget, a --timeout not honoured), and
// the request counts catch any retry.
const loadAllowance = 8 * time.Second

const htmlPage = `<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>…</form></body></html>`

var faultCases = []faultCase{
	{name: "connection refused", base: func(*testing.T, *harness) string { return closedPort },
		code: 5, msg: "token endpoint unavailable: cannot connect: connection refused", requests: 0, max: retry},
	{name: "connection dropped without an answer, every time", faults: faults(fakeprovider.Fault{Action: fakeprovider.FaultDrop}),
		code: 5, msg: "token endpoint unavailable: the connection closed without an answer", requests: 4, max: retry},
	{name: "connection closed mid-response once, then success", faults: faults(
		fakeprovider.Fault{Times: 1, Action: fakeprovider.FaultTruncate, Body: `{"access_token":"` + strings.Repeat("a", 64) + `","expires_in":3600}`}),
		code: 0, requests: 2, max: fast},
	{name: "connection closed mid-response every time", faults: faults(
		fakeprovider.Fault{Action: fakeprovider.FaultTruncate, Body: `{"access_token":"` + strings.Repeat("a", 64) + `","expires_in":3600}`}),
		code: 5, msg: "token endpoint unavailable: the connection closed in the middle of the answer", requests: 4, max: retry},
	{name: "hangs beyond --timeout", faults: faults(fakeprovider.Fault{Action: fakeprovider.FaultHang}), args: []string{"--timeout", "2s"},
		code: 5, msg: "timed out (see --timeout)", requests: 1, min: 2 * time.Second, max: 4 * time.Second},
	{name: "slow but within --timeout", faults: faults(fakeprovider.Fault{Delay: 800 * time.Millisecond}), args: []string{"--timeout", "5s"},
		code: 0, requests: 1, min: 800 * time.Millisecond, max: fast},
	{name: "500 once, then success", faults: faults(respond(1, 500, `{"error":"server_error"}`)),
		code: 0, requests: 2, max: fast},
	{name: "503 every time", faults: faults(respond(0, 503, `{"error":"temporarily_unavailable","error_description":"down for maintenance"}`)),
		code: 5, msg: "down for maintenance (HTTP 503 Service Unavailable)", requests: 4, max: retry},
	{name: "502 HTML page from a proxy every time", faults: faults(respond(0, 502, htmlPage, "Content-Type", "text/html")),
		code: 5, msg: "an HTML or XML page instead of JSON (HTTP 502 Bad Gateway)", requests: 4, max: retry},
	{name: "429 with Retry-After in seconds, then success", faults: faults(respond(1, 429, `{"error":"slow_down"}`, "Retry-After", "1")),
		code: 0, requests: 2, min: time.Second, max: fast + time.Second},
	{name: "429 with Retry-After as an HTTP date, then success", faults: func(*harness, prov) []fakeprovider.Fault {
		return []fakeprovider.Fault{respond(1, 429, `{"error":"slow_down"}`, "Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))}
	}, code: 0, requests: 2, min: 800 * time.Millisecond, max: fast + 2*time.Second},
	{name: "429 with Retry-After beyond the 20s budget", faults: faults(respond(0, 429, `{"error":"slow_down"}`, "Retry-After", "3600")),
		code: 5, msg: "(HTTP 429 Too Many Requests); the provider asks to wait 1h0m0s before trying again", requests: 1, max: fast},
	{name: "429 with X-Rate-Limit-Reset beyond the 20s budget", only: "ils",
		faults: faults(respond(0, 429, `{"errors":[{"message":"too many requests"}],"statusCode":"429"}`, "X-Rate-Limit-Reset", "300")),
		code:   5, msg: "too many requests (HTTP 429 Too Many Requests); the provider asks to wait 5m0s before trying again", requests: 1, max: fast},
	{name: "429 with X-Rate-Limit-Reset, then success", only: "ils",
		faults: faults(respond(1, 429, `{"errors":[{"message":"too many requests"}],"statusCode":"429"}`, "X-Rate-Limit-Reset", "1")),
		code:   0, requests: 2, min: time.Second, max: fast + time.Second},
	// ILS sends its quota window on every answer: a 5xx with quota left is
	// retried with the normal backoff, not held to the window.
	{name: "500 with X-Rate-Limit-Reset and quota left, then success", only: "ils",
		faults: faults(respond(1, 500, `{"errors":[{"message":"internal error"}],"statusCode":"500"}`, "X-Rate-Limit-Reset", "60", "X-Rate-Limit-Remaining", "99")),
		code:   0, requests: 2, max: fast},
	{name: "502 with X-Rate-Limit-Reset and quota left, every time", only: "ils",
		faults: faults(respond(0, 502, `{"errors":[{"message":"bad gateway"}],"statusCode":"502"}`, "X-Rate-Limit-Reset", "60", "X-Rate-Limit-Remaining", "99")),
		code:   5, msg: "bad gateway (HTTP 502 Bad Gateway)", requests: 4, max: retry},
	{name: "503 with the quota spent, X-Rate-Limit-Reset beyond the budget", only: "ils",
		faults: faults(respond(0, 503, `{"errors":[{"message":"quota"}],"statusCode":"503"}`, "X-Rate-Limit-Reset", "300", "X-Rate-Limit-Remaining", "0")),
		code:   5, msg: "quota (HTTP 503 Service Unavailable); the provider asks to wait 5m0s before trying again", requests: 1, max: fast},
	{name: "400 invalid_request", faults: faults(respond(0, 400, `{"error":"invalid_request","error_description":"grant_type is odd"}`)),
		code: 1, msg: "the provider refused the token request: invalid_request: grant_type is odd (HTTP 400 Bad Request)", requests: 1, max: fast},
	{name: "400 in Tilia's envelope", only: "tilia",
		faults: faults(respond(0, 400, `{"status":"Failure","message":["invalid client"],"codes":["INPUT_ERROR"]}`)),
		code:   1, msg: "invalid client [INPUT_ERROR] (HTTP 400 Bad Request); Tilia answers 400 to unknown client credentials too: check TOKCTL_TILIA_CLIENT_ID and TOKCTL_TILIA_CLIENT_SECRET; also check the scopes", requests: 1, max: fast},
	{name: "400 invalid_client", faults: faults(respond(0, 400, `{"error":"invalid_client","error_description":"unknown client"}`)),
		code: 4, msg: "the provider rejected the client credentials: invalid_client: unknown client (HTTP 400 Bad Request)", requests: 1, max: fast},
	{name: "401 in the provider's own error format", faults: func(_ *harness, p prov) []fakeprovider.Fault {
		return []fakeprovider.Fault{respond(0, 401, p.rejected)}
	}, code: 4, msg: "the provider rejected the client credentials: {rejected}", requests: 1, max: fast},
	{name: "403", faults: faults(respond(0, 403, `{"error":"unauthorized_client"}`)),
		code: 4, msg: "the provider rejected the client credentials: unauthorized_client (HTTP 403 Forbidden)", requests: 1, max: fast},
	{name: "200 HTML page", faults: faults(respond(0, 200, htmlPage, "Content-Type", "text/html")),
		code: 5, msg: "unreadable response: malformed token response: an HTML or XML page instead of JSON", requests: 1, max: fast},
	{name: "200 truncated JSON", faults: faults(respond(0, 200, `{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","expires_in":36`)),
		code: 5, msg: "malformed token response: invalid JSON", requests: 1, max: fast},
	{name: "200 expires_in as an object", faults: faults(respond(0, 200, `{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"Bearer","expires_in":{"seconds":3600}}`)),
		code: 5, msg: "malformed token response: expires_in", requests: 1, max: fast},
	{name: "200 access_token as a number", faults: faults(respond(0, 200, `{"access_token":1234567890,"token_type":"Bearer","expires_in":3600}`)),
		code: 5, msg: `malformed token response: field "access_token" has the wrong type (number)`, requests: 1, max: fast},
	{name: "200 empty access_token", faults: faults(respond(0, 200, `{"access_token":"","token_type":"Bearer","expires_in":3600}`)),
		code: 5, msg: "malformed token response: no access_token", requests: 1, max: fast},
	{name: "200 body over 1 MiB", faults: faults(respond(0, 200, `{"access_token":"abc","padding":"`+strings.Repeat("x", 1<<20)+`"}`)),
		code: 5, msg: "response larger than 1 MiB refused", requests: 1, max: fast},
	{name: "307 redirect", faults: func(h *harness, _ prov) []fakeprovider.Fault {
		return []fakeprovider.Fault{respond(0, 307, "", "Location", h.fake.URL()+"/api/whoami")}
	}, code: 5, msg: "unexpected redirect from the token endpoint (HTTP 307 Temporary Redirect)", requests: 1, max: fast},
	{name: "plain http to a non-loopback host", base: func(*testing.T, *harness) string { return "http://tokens.example.com" },
		code: 2, msg: "refusing plain-http endpoint http://tokens.example.com", requests: 0, max: fast},
}

// faultRun is one row of the matrix: a case for one provider, on its own fake
// and its own store.
type faultRun struct {
	fc     faultCase
	p      prov
	h      *harness
	base   string
	before map[string]string
	res    result
	after  map[string]string
	err    error
}

// TestFaultMatrix runs the real binary against each fault for each
// client-credentials provider. Rows run concurrently (most of their time is
// spent waiting), then each is checked in its own subtest: exit code, the
// one-line message naming the provider, the requests the fake saw, the
// duration, and the store (which holds an expired record for the provider,
// so "unchanged" means a failing run neither replaced nor removed it).
func TestFaultMatrix(t *testing.T) {
	var runs []*faultRun
	for _, c := range faultCases {
		for _, p := range providers() {
			if c.only != "" && c.only != p.name {
				continue
			}
			fc := c
			fc.msg = strings.ReplaceAll(fc.msg, "{rejected}", p.rejectedText)
			h := newHarness(t)
			r := &faultRun{fc: fc, p: p, h: h, base: h.fake.URL()}
			if fc.base != nil {
				r.base = fc.base(t, h)
			}
			h.save(expiredRecord(p, r.base))
			r.before = h.snapshot()
			runs = append(runs, r)
		}
	}

	begin := time.Now()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			r.execute()
		})
	}
	wg.Wait()
	t.Logf("%d runs in %v", len(runs), time.Since(begin).Round(time.Millisecond))

	var table strings.Builder
	fmt.Fprintf(&table, "\n%-55s %-8s %4s %4s %6s\n", "fault", "provider", "exit", "reqs", "time")
	for _, r := range runs {
		t.Run(r.p.name+"/"+r.fc.name, r.check)
		fmt.Fprintf(&table, "%-55s %-8s %4d %4d %5.1fs\n", r.fc.name, r.p.name, r.res.code, r.h.fake.Count(r.p.route), r.res.took.Seconds())
	}
	t.Log(table.String())
}

func (r *faultRun) execute() {
	if r.fc.faults != nil {
		for _, f := range r.fc.faults(r.h, r.p) {
			if r.err = r.h.fake.InjectFault(r.p.route, f); r.err != nil {
				return
			}
		}
	}
	args := append([]string{"token", "get", r.p.name}, r.fc.args...)
	if r.res, r.err = r.h.exec(r.p.env(r.base), "", args...); r.err != nil {
		return
	}
	r.after, r.err = r.h.readSnapshot()
}

func (r *faultRun) check(t *testing.T) {
	fc, res := r.fc, r.res
	if r.err != nil {
		t.Fatal(r.err)
	}
	if res.code != fc.code {
		t.Errorf("exit %d, want %d\n%s", res.code, fc.code, res)
	}
	if got := r.h.fake.Count(r.p.route); got != fc.requests {
		t.Errorf("the fake saw %d requests, want %d\n%s", got, fc.requests, res)
	}
	if res.took < fc.min || res.took > fc.max+loadAllowance {
		t.Errorf("took %v, want %v to %v (+%v for a busy machine)\n%s", res.took.Round(time.Millisecond), fc.min, fc.max, loadAllowance, res)
	}
	if fc.code == 0 {
		r.checkSuccess(t)
		return
	}
	oneLine(t, res, r.p.name)
	if !strings.Contains(res.stderr, fc.msg) {
		t.Errorf("stderr lacks %q\n%s", fc.msg, res)
	}
	if res.stdout != "" {
		t.Errorf("a failure printed on stdout\n%s", res)
	}
	if !maps.Equal(r.before, r.after) {
		t.Errorf("the store changed\nbefore: %v\nafter:  %v", r.before, r.after)
	}
	if got := r.h.fake.Count("api.whoami"); got != 0 {
		t.Errorf("a redirect was followed: %d requests to its target", got)
	}
	for _, s := range []string{r.p.secret, "old-access-token"} {
		if strings.Contains(res.stderr, s) {
			t.Errorf("stderr shows %q\n%s", s, res)
		}
	}
}

// checkSuccess: the token is printed, nothing else is said, and the expired
// record is replaced by a complete new one holding that token.
func (r *faultRun) checkSuccess(t *testing.T) {
	res := r.res
	if res.stderr != "" {
		t.Errorf("a success printed on stderr\n%s", res)
	}
	rec, err := r.h.load(r.p.name)
	if err != nil {
		t.Fatalf("stored record: %v", err)
	}
	if rec.AccessToken+"\n" != res.stdout || !rec.Expiry.After(time.Now()) {
		t.Errorf("stored record %+v does not hold the printed token\n%s", rec, res)
	}
}

// TestHTTPSProxy proves HTTPS_PROXY is honoured: the token request for an
// https endpoint goes through a CONNECT tunnel of the proxy, which leads to a
// TLS front of the fake (its certificate, for example.com, is trusted
// through SSL_CERT_FILE), and the token comes back.
func TestHTTPSProxy(t *testing.T) {
	h := newHarness(t)
	fakeURL, _ := url.Parse(h.fake.URL())
	front := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(fakeURL))
	defer front.Close()
	certFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw})
	if err := os.WriteFile(certFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var targets []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		targets = append(targets, r.Method+" "+r.Host)
		mu.Unlock()
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		upstream, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { _, _ = io.Copy(upstream, buf); upstream.Close() }()
		_, _ = io.Copy(conn, upstream)
		conn.Close()
	}))
	defer proxy.Close()

	env := []string{
		"HTTPS_PROXY=" + proxy.URL, "SSL_CERT_FILE=" + certFile,
		"TOKCTL_IDP_KIND=oauth2", "TOKCTL_IDP_TOKEN_URL=https://example.com/oauth2/token",
		"TOKCTL_IDP_CLIENT_ID=" + fakeprovider.OAuth2BasicClientID, "TOKCTL_IDP_CLIENT_SECRET=" + fakeprovider.OAuth2BasicClientSecret,
	}
	r := h.run(env, "token", "get", "idp")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "eyJ") {
		t.Fatalf("token get through the proxy failed\n%s", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(targets) != 1 || targets[0] != "CONNECT example.com:443" {
		t.Errorf("the proxy saw %q, want one CONNECT example.com:443", targets)
	}
	if got := h.fake.Count("oauth2.token"); got != 1 {
		t.Errorf("the fake saw %d token requests, want 1", got)
	}
}
