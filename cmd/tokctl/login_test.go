package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/store"
)

// A login process under test: the real tokctl binary (this test binary,
// installed in $PATH as tokctl by testscript.Main), started with
// --no-browser so the test plays the browser, the user and the attacker.
type loginProc struct {
	t       *testing.T
	name    string // the provider
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stderr  *lockedBuffer
	done    chan struct{}
	err     error
	authURL *url.URL
	state   *store.File
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// loginEnv is a private home pointing tiltify at the fake.
func loginEnv(t *testing.T, srv *fakeprovider.Server, extra ...string) ([]string, string) {
	home := t.TempDir()
	stateHome := filepath.Join(home, "state")
	env := append(os.Environ(),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_STATE_HOME="+stateHome,
		"TOKCTL_STORE=file",
		"DBUS_SESSION_BUS_ADDRESS=",
		"BROWSER=",
		"NO_COLOR=1",
		"GORACE=atexit_sleep_ms=0",
		"TOKCTL_TILTIFY_TOKEN_URL="+srv.URL()+"/tiltify/oauth/token",
		"TOKCTL_TILTIFY_AUTH_URL="+srv.URL()+"/tiltify/oauth/authorize",
		"TOKCTL_TILTIFY_CLIENT_ID="+fakeprovider.TiltifyClientID,
		"TOKCTL_TILTIFY_CLIENT_SECRET="+fakeprovider.TiltifyClientSecret,
	)
	return append(env, extra...), filepath.Join(stateHome, "tokctl")
}

// startLogin runs `tokctl login tiltify --no-browser ARGS` and waits until
// it has printed the authorization URL.
func startLogin(t *testing.T, srv *fakeprovider.Server, extraEnv []string, args ...string) *loginProc {
	t.Helper()
	return startLoginOf(t, srv, "tiltify", extraEnv, args...)
}

// startLoginOf is startLogin for provider name, configured by extraEnv.
func startLoginOf(t *testing.T, srv *fakeprovider.Server, name string, extraEnv []string, args ...string) *loginProc {
	t.Helper()
	env, dir := loginEnv(t, srv, extraEnv...)
	cmd := exec.Command("tokctl", append([]string{"login", name, "--no-browser"}, args...)...)
	cmd.Env = env
	p := &loginProc{t: t, name: name, cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{}), state: &store.File{Dir: dir}}
	cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if u := findURL(p.stderr.String()); u != nil {
			p.authURL = u
			return p
		}
		select {
		case <-p.done:
			return p // exited early: the test looks at why
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("no authorization URL on stderr:\n%s", p.stderr.String())
	return nil
}

// findURL picks the indented authorization URL out of login's stderr.
func findURL(stderr string) *url.URL {
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "    http") {
			u, err := url.Parse(strings.TrimSpace(line))
			if err == nil {
				return u
			}
		}
	}
	return nil
}

// redirectURI is where the listener waits.
func (p *loginProc) redirectURI() string { return p.authURL.Query().Get("redirect_uri") }

// approve plays the provider's authorize step and returns the redirect
// (code and state) without following it.
func (p *loginProc) approve() string {
	p.t.Helper()
	resp, err := noFollow.Get(p.authURL.String())
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		p.t.Fatalf("authorize: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// callback sends a request to the listener and returns its status (0 when
// the connection is refused).
func (p *loginProc) callback(rawURL string) int {
	p.t.Helper()
	resp, err := noFollow.Get(rawURL)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// exit waits for the process and returns its exit code.
func (p *loginProc) exit() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.t.Fatalf("login did not finish:\n%s", p.stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatal(p.err)
	}
	return 0
}

// running reports that the login still waits.
func (p *loginProc) running() bool {
	select {
	case <-p.done:
		return false
	case <-time.After(100 * time.Millisecond):
		return true
	}
}

func (p *loginProc) stored() bool {
	_, err := storedRecords(p.state, p.name)
	return err == nil
}

var noFollow = &http.Client{
	Timeout:       5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func withQuery(base string, q url.Values) string { return base + "?" + q.Encode() }

func TestLoginCallbacks(t *testing.T) {
	srv := fakeprovider.StartTest(t, fakeprovider.Options{})

	t.Run("the browser reaches the listener (SSH port forward)", func(t *testing.T) {
		srv.Reset()
		start := time.Now()
		p := startLogin(t, srv, nil)
		if got := p.callback(p.approve()); got != http.StatusOK {
			t.Fatalf("callback answered %d", got)
		}
		if code := p.exit(); code != 0 || !p.stored() {
			t.Fatalf("exit %d, stored %v:\n%s", code, p.stored(), p.stderr)
		}
		t.Logf("login start to stored token: %v", time.Since(start))
		if srv.Count("tiltify.token") != 1 {
			t.Errorf("token requests = %d, want 1", srv.Count("tiltify.token"))
		}
		// A second callback after success is never served: the listener is gone.
		if got := p.callback(p.approve()); got != 0 {
			t.Errorf("second callback answered %d, want a refused connection", got)
		}
		if srv.Count("tiltify.token") != 1 {
			t.Errorf("a second code was exchanged")
		}
	})

	t.Run("the redirect address is pasted into the terminal", func(t *testing.T) {
		srv.Reset()
		p := startLogin(t, srv, nil)
		loc := p.approve()
		u, _ := url.Parse(loc)
		q := u.Query()
		q.Set("state", "forged")
		io.WriteString(p.stdin, "not a url at all\n")
		io.WriteString(p.stdin, withQuery(p.redirectURI(), q)+"\n")
		if !p.running() {
			t.Fatalf("a forged paste ended the login:\n%s", p.stderr)
		}
		io.WriteString(p.stdin, loc+"\n")
		if code := p.exit(); code != 0 || !p.stored() {
			t.Fatalf("exit %d:\n%s", code, p.stderr)
		}
		if !strings.Contains(p.stderr.String(), "does not belong to this login") {
			t.Errorf("the forged paste was not reported:\n%s", p.stderr)
		}
	})

	t.Run("wrong state, missing state, another path and POST are ignored", func(t *testing.T) {
		srv.Reset()
		p := startLogin(t, srv, nil)
		loc := p.approve()
		u, _ := url.Parse(loc)
		good := u.Query()
		wrong := url.Values{"code": {good.Get("code")}, "state": {"attacker"}}
		missing := url.Values{"code": {good.Get("code")}}
		for name, status := range map[string]int{
			"wrong state":   p.callback(withQuery(p.redirectURI(), wrong)),
			"missing state": p.callback(withQuery(p.redirectURI(), missing)),
			"other path":    p.callback(strings.TrimSuffix(p.redirectURI(), "/callback") + "/admin?" + good.Encode()),
		} {
			if status < 400 || status >= 500 {
				t.Errorf("%s answered %d, want a 4xx", name, status)
			}
		}
		resp, err := http.Post(loc, "text/plain", nil)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("POST answered %d", resp.StatusCode)
			}
		}
		if !p.running() || p.stored() || srv.Count("tiltify.token") != 0 {
			t.Fatalf("a hostile request ended the login or spent the code:\n%s", p.stderr)
		}
		if got := p.callback(loc); got != http.StatusOK {
			t.Fatalf("good callback answered %d", got)
		}
		if code := p.exit(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, p.stderr)
		}
	})

	failures := []struct {
		name    string
		query   func(state string) url.Values
		message string
	}{
		{"access denied", func(s string) url.Values {
			return url.Values{"state": {s}, "error": {"access_denied"}, "error_description": {"The user denied\x1b[31m access"}}
		}, "tokctl: tiltify: the login was not completed: the authorization server refused: access_denied: The user denied\\x1b[31m access; run `tokctl login tiltify` to try again"},
		{"no code", func(s string) url.Values { return url.Values{"state": {s}} },
			"tokctl: tiltify: the login was not completed: the redirect carried no authorization code; run `tokctl login tiltify` to try again"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset()
			p := startLogin(t, srv, nil)
			state := p.authURL.Query().Get("state")
			if got := p.callback(withQuery(p.redirectURI(), tt.query(state))); got != http.StatusBadRequest {
				t.Errorf("callback answered %d, want 400", got)
			}
			if code := p.exit(); code != 1 {
				t.Fatalf("exit %d, want 1:\n%s", code, p.stderr)
			}
			lines := strings.Split(strings.TrimSpace(p.stderr.String()), "\n")
			if last := lines[len(lines)-1]; last != tt.message {
				t.Errorf("last line\n%q\nwant\n%q", last, tt.message)
			}
			if p.stored() || srv.Count("tiltify.token") != 0 {
				t.Errorf("stored %v, token requests %d", p.stored(), srv.Count("tiltify.token"))
			}
		})
	}

	t.Run("no callback before --timeout", func(t *testing.T) {
		srv.Reset()
		start := time.Now()
		p := startLogin(t, srv, nil, "--timeout", "700ms")
		if code := p.exit(); code != 1 {
			t.Fatalf("exit %d:\n%s", code, p.stderr)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("took %v", el)
		}
		if !strings.Contains(p.stderr.String(), "tokctl: tiltify: no login within 700ms; run `tokctl login tiltify` again") {
			t.Errorf("stderr:\n%s", p.stderr)
		}
		if p.callback(p.redirectURI()) != 0 {
			t.Errorf("the listener outlived the command")
		}
	})

	t.Run("the code exchange is refused", func(t *testing.T) {
		srv.Reset()
		p := startLogin(t, srv, []string{"TOKCTL_TILTIFY_CLIENT_SECRET=wrong"})
		p.callback(p.approve())
		if code := p.exit(); code != 4 {
			t.Fatalf("exit %d, want 4:\n%s", code, p.stderr)
		}
		if p.stored() || strings.Contains(p.stderr.String(), "wrong") {
			t.Errorf("stored %v or the secret echoed:\n%s", p.stored(), p.stderr)
		}
	})

	t.Run("busy fixed port", func(t *testing.T) {
		srv.Reset()
		busy := srv.URL() + "/callback" // the fake holds this port
		p := startLogin(t, srv, []string{"TOKCTL_TILTIFY_REDIRECT_URI=" + busy})
		if code := p.exit(); code != 2 {
			t.Fatalf("exit %d, want 2:\n%s", code, p.stderr)
		}
		if p.authURL != nil || !strings.Contains(p.stderr.String(), "already in use") {
			t.Errorf("stderr:\n%s", p.stderr)
		}
	})

	t.Run("non-loopback redirect_uri", func(t *testing.T) {
		p := startLogin(t, srv, []string{"TOKCTL_TILTIFY_REDIRECT_URI=http://example.com:9000/callback"})
		if code := p.exit(); code != 2 || p.authURL != nil {
			t.Fatalf("exit %d:\n%s", code, p.stderr)
		}
		if !strings.Contains(p.stderr.String(), "redirect_uri") {
			t.Errorf("stderr does not name redirect_uri:\n%s", p.stderr)
		}
	})
}
