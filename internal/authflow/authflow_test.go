package authflow_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokctl/tokctl/internal/authflow"
	"github.com/tokctl/tokctl/internal/fakeprovider"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
)

// fake starts the in-repo fake provider for one test.
func fake(t *testing.T) *fakeprovider.Server {
	t.Helper()
	return fakeprovider.StartTest(t, fakeprovider.Options{})
}

// oidcProvider is a generic provider on the fake's OpenID Connect issuer,
// discovered, for the public client id.
func oidcProvider(t *testing.T, srv *fakeprovider.Server, clientID string, edit func(*provider.Settings)) provider.Provider {
	t.Helper()
	s := provider.Settings{Name: "idp", Kind: "oauth2", ClientID: clientID, Scopes: []string{"openid"}}
	s.Set("issuer", srv.OIDCIssuer())
	if edit != nil {
		edit(&s)
	}
	p, err := provider.New(s, &oauth.Client{})
	if err != nil {
		t.Fatalf("provider.New: %v", err)
	}
	if err := p.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := p.Prepare(context.Background()); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return p
}

// syncBuffer is the flow's stderr, read while the flow may still write;
// changed (when made) is signalled after each write.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.b.Write(p)
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return n, err
}

// lineAfter waits for the flow to write marker followed by a full line,
// and returns that line.
func (b *syncBuffer) lineAfter(marker string) string {
	for {
		s := b.String()
		if i := strings.Index(s, marker); i >= 0 {
			rest := s[i+len(marker):]
			if j := strings.IndexByte(rest, '\n'); j >= 0 {
				return rest[:j]
			}
		}
		<-b.changed
	}
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// browser plays the user's browser: it follows the authorization URL
// through the provider's redirect to the loopback listener, after visiting
// each of before (addresses built from the authorization URL) first.
type browser struct {
	t      *testing.T
	before []func(authURL *url.URL) string
	// statuses are the loopback's answers to the before visits, then to the
	// real redirect.
	statuses chan int
	opened   chan string
}

func newBrowser(t *testing.T, before ...func(*url.URL) string) *browser {
	return &browser{t: t, before: before, statuses: make(chan int, len(before)+1), opened: make(chan string, 1)}
}

func (b *browser) open(raw string) {
	b.opened <- raw
	go func() {
		u, err := url.Parse(raw)
		if err != nil {
			b.statuses <- -1
			return
		}
		for _, visit := range append(b.before, func(*url.URL) string { return raw }) {
			resp, err := http.Get(visit(u))
			if err != nil {
				b.statuses <- -1
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			b.statuses <- resp.StatusCode
		}
	}()
}

func newFlow(out io.Writer, b *browser) *authflow.Flow {
	return &authflow.Flow{Out: out, In: strings.NewReader(""), Open: b.open, Timeout: time.Minute,
		Verifier: &authflow.Verifier{HTTP: &oauth.Client{}}}
}

func TestBrowser(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCPublicClientID, nil)
	var out syncBuffer
	b := newBrowser(t)
	res, err := newFlow(&out, b).Browser(context.Background(), p, provider.Credentials{ID: fakeprovider.OIDCPublicClientID})
	if err != nil {
		t.Fatalf("Browser: %v\n%s", err, out.String())
	}
	if res.Token.AccessToken == "" || res.Token.IDToken == "" {
		t.Errorf("token = %+v, want an access token and an ID token", res.Token)
	}
	if res.IDTokenUnverified {
		t.Error("IDTokenUnverified with a configured issuer")
	}
	if st := <-b.statuses; st != http.StatusOK {
		t.Errorf("success page status = %d, want 200", st)
	}
	authURL := <-b.opened
	q := mustParse(t, authURL).Query()
	for _, k := range []string{"state", "nonce", "code_challenge", "redirect_uri"} {
		if q.Get(k) == "" {
			t.Errorf("authorization URL has no %s: %s", k, authURL)
		}
	}
	for _, want := range []string{"tokctl: opening idp's login page in your browser; if it does not open, visit:\n\n    " + authURL + "\n\n",
		"tokctl: waiting for the browser to come back to " + q.Get("redirect_uri") + " (Ctrl-C to cancel)\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, out.String())
		}
	}
}

// A redirect with another state is answered 400 and ignored: the login goes
// on waiting for its own.
func TestBrowserWrongStateKeepsWaiting(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCPublicClientID, nil)
	var out syncBuffer
	b := newBrowser(t, func(u *url.URL) string {
		return u.Query().Get("redirect_uri") + "?code=stolen&state=not-this-login&iss=" + url.QueryEscape(srv.OIDCIssuer())
	})
	res, err := newFlow(&out, b).Browser(context.Background(), p, provider.Credentials{ID: fakeprovider.OIDCPublicClientID})
	if err != nil {
		t.Fatalf("Browser: %v\n%s", err, out.String())
	}
	if st := <-b.statuses; st != http.StatusBadRequest {
		t.Errorf("wrong-state redirect status = %d, want 400", st)
	}
	if st := <-b.statuses; st != http.StatusOK {
		t.Errorf("real redirect status = %d, want 200", st)
	}
	if res.Token.AccessToken == "" {
		t.Error("no access token after the real redirect")
	}
}

// A redirect naming another issuer than the discovered one (RFC 9207
// mix-up) ends the login without an exchange.
func TestBrowserMixUpIssRefused(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCPublicClientID, nil)
	if err := srv.SetOIDCHostility(fakeprovider.OIDCHostility{CallbackIss: "https://evil.example.com/oidc"}); err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	_, err := newFlow(&out, newBrowser(t)).Browser(context.Background(), p, provider.Credentials{ID: fakeprovider.OIDCPublicClientID})
	if err == nil {
		t.Fatal("Browser succeeded with a mix-up iss")
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "idp: the login was not completed: ") || !strings.HasSuffix(msg, "; run `tokctl login idp` to try again") || !strings.Contains(msg, "iss") {
		t.Errorf("error = %q", msg)
	}
	if n := srv.Count("oidc.token"); n != 0 {
		t.Errorf("%d token requests after a mix-up redirect, want 0", n)
	}
}

// An ID token from another issuer is refused: the login stores nothing.
func TestBrowserIDTokenRefused(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCPublicClientID, nil)
	if err := srv.SetOIDCHostility(fakeprovider.OIDCHostility{Claims: map[string]any{"iss": "https://evil.example.com/oidc"}}); err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	_, err := newFlow(&out, newBrowser(t)).Browser(context.Background(), p, provider.Credentials{ID: fakeprovider.OIDCPublicClientID})
	var ide *authflow.IDTokenError
	if !errors.As(err, &ide) || ide.During != "login" || ide.Provider != "idp" {
		t.Fatalf("error = %v, want an IDTokenError of the login", err)
	}
	if !strings.HasPrefix(err.Error(), "idp: login refused: ") || !strings.Contains(err.Error(), "nothing was stored") {
		t.Errorf("error = %q", err)
	}
}

// PasteBack opens no browser; a wrong pasted address is reported and the
// wait goes on until the right one.
func TestPasteBack(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCPublicClientID, nil)
	out := newBuffer()
	pr, pw := io.Pipe()
	defer pw.Close()
	fl := &authflow.Flow{Out: out, In: pr, Timeout: time.Minute, Verifier: &authflow.Verifier{HTTP: &oauth.Client{}},
		Open: func(string) { t.Error("PasteBack opened a browser") }}
	type result struct {
		res *authflow.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := fl.PasteBack(context.Background(), p, provider.Credentials{ID: fakeprovider.OIDCPublicClientID})
		done <- result{res, err}
	}()
	// The authorization URL is the indented line after the first message.
	line := out.lineAfter("to log in to idp:\n\n    ")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(line)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	redirect := resp.Header.Get("Location")
	if redirect == "" {
		t.Fatalf("authorize answered %d without a redirect", resp.StatusCode)
	}
	wrong := strings.Replace(redirect, "state=", "state=x", 1)
	if _, err := io.WriteString(pw, wrong+"\n"+redirect+"\n"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("PasteBack: %v\n%s", r.err, out.String())
	}
	if r.res.Token.AccessToken == "" {
		t.Error("no access token")
	}
	if want := "tokctl: warning: that address does not belong to this login (its state does not match); paste the full address of the page the browser ended on\n"; !strings.Contains(out.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, out.String())
	}
}

// The device flow shows the code, opens the complete verification URI and
// polls; a slow_down answer lengthens the interval and polling goes on.
func TestDeviceSlowDown(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCSlowClientID, nil)
	var out syncBuffer
	b := newBrowser(t)
	res, err := newFlow(&out, b).Device(context.Background(), p, provider.Credentials{ID: fakeprovider.OIDCSlowClientID}, false)
	if err != nil {
		t.Fatalf("Device: %v\n%s", err, out.String())
	}
	if res.Token.AccessToken == "" || res.IDTokenUnverified {
		t.Errorf("result = %+v", res)
	}
	if n := srv.Count("oidc.token"); n < 2 {
		t.Errorf("%d polls, want a slow_down and then the token", n)
	}
	opened := <-b.opened
	if !strings.Contains(out.String(), "(or open "+opened+", which has the code in it)") {
		t.Errorf("stderr does not show the opened address %s:\n%s", opened, out.String())
	}
	if !strings.Contains(out.String(), "tokctl: waiting for approval (the code expires in ") {
		t.Errorf("stderr:\n%s", out.String())
	}
}

// With noBrowser the device flow only prints: the user approves with the
// printed address.
func TestDeviceNoBrowser(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCPublicClientID, nil)
	out := newBuffer()
	fl := &authflow.Flow{Out: out, Timeout: time.Minute, Verifier: &authflow.Verifier{HTTP: &oauth.Client{}},
		Open: func(string) { t.Error("opened a browser with noBrowser") }}
	type result struct {
		res *authflow.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := fl.Device(context.Background(), p, provider.Credentials{ID: fakeprovider.OIDCPublicClientID}, true)
		done <- result{res, err}
	}()
	complete := strings.TrimSuffix(out.lineAfter("(or open "), ", which has the code in it)")
	resp, err := http.Get(complete)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r := <-done
	if r.err != nil {
		t.Fatalf("Device: %v\n%s", r.err, out.String())
	}
	if r.res.Token.AccessToken == "" {
		t.Error("no access token")
	}
}

// The wait's deadline names --timeout.
func TestBrowserDeadline(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCPublicClientID, nil)
	var out syncBuffer
	fl := &authflow.Flow{Out: &out, Timeout: 90 * time.Second, Verifier: &authflow.Verifier{HTTP: &oauth.Client{}}, Open: func(string) {}}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := fl.Browser(ctx, p, provider.Credentials{ID: fakeprovider.OIDCPublicClientID})
	if want := "idp: no login within 1m30s; run `tokctl login idp` again (--timeout sets the wait)"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// No browser can be opened here: the URL is shown instead, with the device
// hint when the provider has the device flow.
func TestBrowserCannotOpen(t *testing.T) {
	srv := fake(t)
	p := oidcProvider(t, srv, fakeprovider.OIDCPublicClientID, nil)
	var out syncBuffer
	fl := &authflow.Flow{Out: &out, In: strings.NewReader(""), Timeout: time.Minute, Verifier: &authflow.Verifier{HTTP: &oauth.Client{}},
		Open:    func(string) { t.Error("opened a browser that cannot be opened") },
		CanOpen: func() error { return errors.New("no display") }}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	fl.Browser(ctx, p, provider.Credentials{ID: fakeprovider.OIDCPublicClientID})
	if want := "tokctl: no display; showing the URL instead (or use `tokctl login idp --device`)\ntokctl: open this URL in a browser to log in to idp:\n"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("stderr = %q, want it to start %q", out.String(), want)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
