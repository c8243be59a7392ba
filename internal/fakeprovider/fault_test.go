package fakeprovider

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// whoamiPlain asks /api/whoami without a token: the route's own answer is 401,
// so any other status came from a fault.
var whoamiPlain = req{method: http.MethodGet, path: "/api/whoami"}

func inject(t *testing.T, s *Server, route string, f Fault) {
	t.Helper()
	if err := s.InjectFault(route, f); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}
}

// rawGet sends a GET with a client timeout and returns the error of the
// request or of reading the body.
func rawGet(s *Server, path string, timeout time.Duration) (*http.Response, []byte, error) {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(s.URL() + path)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestFaultRespondQueueAndTimes(t *testing.T) {
	s := StartTest(t, Options{})
	inject(t, s, "api.whoami", Fault{Times: 2, Action: FaultRespond, Status: 503, Header: map[string]string{"Retry-After": "7"}, Body: `{"error":"busy"}`})
	inject(t, s, "api.whoami", Fault{Times: 1, Action: FaultRespond, Status: 200, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html>hi</html>"})
	for i := range 2 {
		r := do(t, s, whoamiPlain)
		wantStatus(t, r, 503)
		if r.header.Get("Retry-After") != "7" || r.str("error") != "busy" || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("request %d: header %v body %s", i, r.header, r.raw)
		}
	}
	r := do(t, s, whoamiPlain)
	if r.status != 200 || r.raw != "<html>hi</html>" || r.header.Get("Content-Type") != "text/html" {
		t.Fatalf("third request: %d %v %q", r.status, r.header, r.raw)
	}
	wantStatus(t, do(t, s, whoamiPlain), 401) // faults used up: the route answers
	if got := s.Count("api.whoami"); got != 4 {
		t.Errorf("Count = %d, want 4: faulty requests count too", got)
	}
}

func TestFaultStickyUntilCleared(t *testing.T) {
	s := StartTest(t, Options{})
	inject(t, s, "api.whoami", Fault{Action: FaultRespond, Status: 500})
	for range 3 {
		wantStatus(t, do(t, s, whoamiPlain), 500)
	}
	s.ClearFaults("api.whoami")
	wantStatus(t, do(t, s, whoamiPlain), 401)

	inject(t, s, "api.whoami", Fault{Action: FaultRespond, Status: 500})
	s.Reset()
	wantStatus(t, do(t, s, whoamiPlain), 401)
}

func TestFaultDelayPassesThrough(t *testing.T) {
	s := StartTest(t, Options{})
	inject(t, s, "api.whoami", Fault{Delay: 150 * time.Millisecond, DelayJitter: 50 * time.Millisecond})
	begin := time.Now()
	wantStatus(t, do(t, s, whoamiPlain), 401)
	if took := time.Since(begin); took < 150*time.Millisecond || took > 2*time.Second {
		t.Errorf("delayed request took %v, want 150-200ms", took)
	}
}

func TestFaultHangUntilClientOrServerGoes(t *testing.T) {
	s := StartTest(t, Options{})
	inject(t, s, "api.whoami", Fault{Action: FaultHang})
	begin := time.Now()
	if _, _, err := rawGet(s, "/api/whoami", 200*time.Millisecond); err == nil {
		t.Fatal("hanging route answered")
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("client gave up after %v", took)
	}

	// Close lets a hanging handler go at once.
	errc := make(chan error, 1)
	go func() { _, _, err := rawGet(s, "/api/whoami", 0); errc <- err }()
	for s.Count("api.whoami") < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	begin = time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Error("hanging request succeeded after Close")
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Close took %v with a hanging request", took)
	}
	_ = s.Close() // a second Close is harmless
}

func TestFaultDrop(t *testing.T) {
	s := StartTest(t, Options{})
	inject(t, s, "api.whoami", Fault{Times: 1, Action: FaultDrop})
	if resp, _, err := rawGet(s, "/api/whoami", 2*time.Second); err == nil {
		t.Fatalf("dropped request got %d", resp.StatusCode)
	}
	wantStatus(t, do(t, s, whoamiPlain), 401)
}

func TestFaultTruncate(t *testing.T) {
	s := StartTest(t, Options{})
	body := `{"access_token":"abcdefghijklmnopqrstuvwxyz","expires_in":3600}`
	inject(t, s, "api.whoami", Fault{Times: 1, Action: FaultTruncate, Body: body})
	resp, got, err := rawGet(s, "/api/whoami", 2*time.Second)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading a truncated body: err %v, want unexpected EOF", err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) || string(got) != body[:len(body)/2] {
		t.Errorf("got %d, Content-Length %d, body %q", resp.StatusCode, resp.ContentLength, got)
	}
}

func TestInjectFaultRefuses(t *testing.T) {
	s := StartTest(t, Options{})
	for name, tc := range map[string]struct {
		route string
		f     Fault
	}{
		"unknown route":       {"nope.token", Fault{}},
		"control route":       {"_fake/stats", Fault{}},
		"unknown action":      {"ils.token", Fault{Action: "explode"}},
		"negative delay":      {"ils.token", Fault{Delay: -time.Second}},
		"negative times":      {"ils.token", Fault{Times: -1}},
		"status out of range": {"ils.token", Fault{Action: FaultRespond, Status: 42}},
	} {
		if err := s.InjectFault(tc.route, tc.f); err == nil {
			t.Errorf("%s: InjectFault succeeded", name)
		}
	}
}

func TestFaultControlEndpoint(t *testing.T) {
	s := StartTest(t, Options{})
	post := func(body string) reply {
		return do(t, s, req{method: http.MethodPost, path: "/_fake/fault", contentType: "application/json", body: body})
	}
	for name, body := range map[string]string{
		"not json":       `nope`,
		"unknown field":  `{"route":"ils.token","colour":"red"}`,
		"bad delay":      `{"route":"ils.token","delay":"soon"}`,
		"unknown route":  `{"route":"nope"}`,
		"unknown action": `{"route":"ils.token","action":"explode"}`,
	} {
		if r := post(body); r.status != 400 || r.str("error") != "invalid_request" {
			t.Errorf("%s: got %d %s, want 400 invalid_request", name, r.status, r.raw)
		}
	}
	wantStatus(t, do(t, s, req{method: http.MethodGet, path: "/_fake/fault"}), 400)

	big := strings.Repeat("x", overOneMiB)
	wantStatus(t, post(`{"route":"api.whoami","times":1,"action":"respond","status":429,"header":{"Retry-After":"3"},"body":"`+big+`"}`), 204)
	wantStatus(t, post(`{"route":"api.whoami","times":1,"delay":"100ms","delay_jitter":"10ms","action":"respond","status":502}`), 204)
	r := do(t, s, whoamiPlain)
	if r.status != 429 || r.header.Get("Retry-After") != "3" || len(r.raw) != len(big) {
		t.Errorf("first: %d %v, %d bytes", r.status, r.header, len(r.raw))
	}
	begin := time.Now()
	wantStatus(t, do(t, s, whoamiPlain), 502)
	if time.Since(begin) < 100*time.Millisecond {
		t.Error("delay from the control endpoint ignored")
	}

	wantStatus(t, post(`{"route":"api.whoami","action":"respond","status":500}`), 204)
	wantStatus(t, post(`{"route":"ils.token","action":"respond","status":500}`), 204)
	wantStatus(t, do(t, s, req{method: http.MethodDelete, path: "/_fake/fault?route=api.whoami"}), 204)
	wantStatus(t, do(t, s, whoamiPlain), 401)
	wantStatus(t, do(t, s, req{method: http.MethodGet, path: "/ils/api/oauth/token"}), 500)
	wantStatus(t, do(t, s, req{method: http.MethodDelete, path: "/_fake/fault"}), 204)
	wantStatus(t, do(t, s, req{method: http.MethodGet, path: "/ils/api/oauth/token"}), 400)

	counts := s.Counts()
	if len(counts) != 21 || counts["api.whoami"] != 3 {
		t.Errorf("control requests were counted: %v", counts)
	}
}

// overOneMiB is a body size over tokctl's 1 MiB response cap.
const overOneMiB = 1<<20 + 1

func TestIssueRefreshToken(t *testing.T) {
	s := StartTest(t, Options{})
	if _, err := s.IssueRefreshToken("ils", ILSClientID, nil); err == nil {
		t.Error("ILS refresh token issued")
	}
	if _, err := s.IssueRefreshToken("tiki", "nobody", nil); err == nil {
		t.Error("refresh token for an unknown client issued")
	}
	rt, err := s.IssueRefreshToken("tiki", TikiClientID, []string{"read"})
	if err != nil {
		t.Fatal(err)
	}
	refresh := func() reply {
		q := form("grant_type", "refresh_token", "client_id", TikiClientID, "client_secret", TikiClientSecret, "refresh_token", rt)
		return do(t, s, req{method: http.MethodGet, path: "/tiki/api/oauth/access_token?" + q})
	}
	r := refresh()
	wantStatus(t, r, 200)
	if r.str("refresh_token") == "" || r.str("refresh_token") == rt {
		t.Errorf("refresh did not rotate: %s", r.raw)
	}
	_, claims := verifyJWT(t, s.PublicKey(), r.str("access_token"))
	if scopes, _ := claims["scopes"].([]any); len(scopes) != 1 || scopes[0] != "read" {
		t.Errorf("scopes claim %v, want [read]", claims["scopes"])
	}
	wantStatus(t, refresh(), 400) // spent
}

func TestStartWithKey(t *testing.T) {
	a := StartTest(t, Options{})
	b := StartTest(t, Options{Key: a.key})
	if !b.PublicKey().Equal(a.PublicKey()) {
		t.Fatal("Options.Key ignored")
	}
	r := do(t, b, req{method: http.MethodPost, path: "/ils/api/oauth/token", contentType: "application/json",
		body: `{"clientId":"` + ILSClientID + `","clientSecret":"` + ILSClientSecret + `"}`})
	wantStatus(t, r, 200)
	verifyJWT(t, a.PublicKey(), r.str("access_token"))
}
