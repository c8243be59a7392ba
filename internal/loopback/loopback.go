// Package loopback is the redirect listener of `tokctl login` (the OAuth2
// authorization-code flow for native apps, RFC 8252 §7.3): it binds a
// loopback port before the browser is opened, waits for the one callback
// that carries the expected state, shows the user a small page, and shuts
// down.
package loopback

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Config describes the redirect to listen for.
type Config struct {
	// RedirectURI fixes host, port and path when the provider needs a
	// registered URI, e.g. "http://localhost:9000" or
	// "http://127.0.0.1:8765/callback". It must be http on 127.0.0.1, [::1]
	// or localhost; no port (or port 0) means an ephemeral port. Empty means
	// http://127.0.0.1:<ephemeral port>/callback.
	RedirectURI string
	// State is the expected `state` value; generate it with NewState.
	State string
	// Provider names the provider in pages and error messages.
	Provider string
	// Issuer, when set, is the authorization server's issuer identifier,
	// which its discovery document says every redirect carries as iss
	// (RFC 9207): a redirect whose iss differs, or that has none, ends the
	// login (a mix-up attack). Empty skips the check.
	Issuer string
}

// Listener is a bound redirect listener waiting for one callback.
type Listener struct {
	provider    string
	state       string
	issuer      string // RFC 9207: the iss a redirect must carry, if any
	redirectURI string
	path        string   // the callback path, matched exactly
	hosts       []string // accepted Host headers, lower case
	lns         []net.Listener
	srv         *http.Server
	serving     sync.WaitGroup

	finishOnce sync.Once
	done       chan struct{} // closed once code/err hold the outcome
	code       string
	err        error

	stopOnce sync.Once
}

// ErrInvalidRedirectURI is wrapped by Listen's error for a redirect_uri that
// is not a plain-http loopback URI; it is a configuration error.
var ErrInvalidRedirectURI = errors.New("invalid redirect_uri")

// PortBusyError is returned by Listen when the fixed port of redirect_uri
// is already in use.
type PortBusyError struct {
	Provider string
	Addr     string // host:port that could not be bound
	Port     int
	Err      error
}

func (e *PortBusyError) Error() string {
	return prefix(e.Provider) + fmt.Sprintf(
		"port %d (%s) is already in use by another program; free it or change redirect_uri",
		e.Port, e.Addr)
}

func (e *PortBusyError) Unwrap() error { return e.Err }

// errClosed ends Wait when Close comes first.
var errClosed = errors.New("the redirect listener was closed before a redirect arrived")

// NewState returns a fresh `state` value: 32 random bytes, base64url.
func NewState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (Go ≥ 1.24 crashes rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Listen validates cfg and binds the loopback port(s), so that a bad
// redirect_uri or a busy port is reported before any browser is opened.
func Listen(cfg Config) (*Listener, error) {
	if cfg.State == "" {
		return nil, errors.New("loopback: Config.State is empty")
	}
	t, err := parseTarget(cfg.RedirectURI)
	if err != nil {
		return nil, fmt.Errorf("%s%w", prefix(cfg.Provider), err)
	}
	lns, port, err := bind(t.hostname, t.port)
	if err != nil {
		var busy *PortBusyError
		if errors.As(err, &busy) {
			busy.Provider = cfg.Provider
			return nil, busy
		}
		return nil, fmt.Errorf("%scannot listen for the redirect: %w", prefix(cfg.Provider), err)
	}
	l := &Listener{
		provider: cfg.Provider,
		state:    cfg.State,
		issuer:   cfg.Issuer,
		path:     t.path,
		lns:      lns,
		done:     make(chan struct{}),
	}
	l.redirectURI, l.hosts = t.resolve(port)
	l.srv = &http.Server{
		Handler:           http.HandlerFunc(l.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0), // stderr belongs to tokctl's own messages
	}
	for _, ln := range lns {
		l.serving.Add(1)
		go func() {
			defer l.serving.Done()
			if err := l.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				l.finish("", fmt.Errorf("%sthe redirect listener failed: %w", prefix(l.provider), err))
				go l.stop()
			}
		}()
	}
	return l, nil
}

// RedirectURI is exactly the redirect_uri to send to the provider.
func (l *Listener) RedirectURI() string { return l.redirectURI }

// Wait blocks until the first conclusive callback and returns its code, a
// *CallbackError (the provider refused), ErrNoCode, or ctx's error wrapped.
func (l *Listener) Wait(ctx context.Context) (code string, err error) {
	select {
	case <-l.done:
		return l.code, l.err
	case <-ctx.Done():
		return "", fmt.Errorf("%sno redirect arrived from the browser: %w", prefix(l.provider), ctx.Err())
	}
}

// Close stops listening and releases the port; it is safe to call more
// than once and makes a pending Wait return.
func (l *Listener) Close() error {
	l.finish("", fmt.Errorf("%s%w", prefix(l.provider), errClosed))
	l.stop()
	return nil
}

// finish records the outcome once; it reports whether this call did.
func (l *Listener) finish(code string, err error) bool {
	first := false
	l.finishOnce.Do(func() {
		l.code, l.err, first = code, err, true
		close(l.done)
	})
	return first
}

// stop shuts the server down gracefully, so the page of a conclusive
// callback still reaches the browser, and returns once the port is free.
func (l *Listener) stop() {
	l.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if l.srv.Shutdown(ctx) != nil {
			_ = l.srv.Close()
		}
		l.serving.Wait()
	})
}

func prefix(provider string) string {
	if provider == "" {
		return ""
	}
	return provider + ": "
}

// target is a validated redirect_uri.
type target struct {
	raw      string // as configured; "" for the default
	u        *url.URL
	hostname string // 127.0.0.1, ::1 or localhost (lower case)
	port     int    // 0: ephemeral
	path     string
}

func parseTarget(raw string) (target, error) {
	if raw == "" {
		return target{u: &url.URL{Scheme: "http", Path: "/callback"}, hostname: "127.0.0.1", path: "/callback"}, nil
	}
	bad := func(why string) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidRedirectURI, raw, why)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, bad("not a URL")
	}
	if u.Scheme != "http" || u.Opaque != "" || u.User != nil {
		return target{}, bad("must be http://127.0.0.1:PORT/…, http://[::1]:PORT/… or http://localhost:PORT/… (the browser redirects to a listener on this machine)")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return target{}, bad("must not contain a fragment")
	}
	host := strings.ToLower(u.Hostname())
	if host != "127.0.0.1" && host != "::1" && host != "localhost" {
		return target{}, bad("the host must be 127.0.0.1, [::1] or localhost: tokctl listens on loopback only")
	}
	port := 0
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return target{}, bad("the port must be a number from 1 to 65535")
		}
		port = int(n)
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	return target{raw: raw, u: u, hostname: host, port: port, path: path}, nil
}

// resolve gives the redirect_uri to send and the Host headers to accept
// once the listener is bound to port.
func (t target) resolve(port int) (uri string, hosts []string) {
	authority := net.JoinHostPort(t.hostname, strconv.Itoa(port))
	hosts = []string{authority}
	if port == 80 { // browsers leave out the default port
		hosts = append(hosts, strings.TrimSuffix(authority, ":80"))
	}
	if t.raw != "" && t.port != 0 {
		return t.raw, hosts // verbatim: providers compare registered URIs as strings
	}
	u := *t.u
	if t.raw == "" {
		u.Host = authority
	} else {
		u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port)) // keep the configured spelling
	}
	return u.String(), hosts
}

// bind listens on hostname:port; localhost means 127.0.0.1 and, when the
// machine has it, ::1 on the same port, because browsers may resolve
// localhost to either (RFC 8252 §8.3).
func bind(hostname string, port int) ([]net.Listener, int, error) {
	if hostname != "localhost" {
		ln, err := listenTCP(hostname, port)
		if err != nil {
			return nil, 0, err
		}
		return []net.Listener{ln}, ln.Addr().(*net.TCPAddr).Port, nil
	}
	for attempt := 0; ; attempt++ {
		v4, err := listenTCP("127.0.0.1", port)
		if err != nil {
			return nil, 0, err
		}
		p := v4.Addr().(*net.TCPAddr).Port
		v6, err := listenTCP("::1", p)
		var busy *PortBusyError
		switch {
		case err == nil:
			return []net.Listener{v4, v6}, p, nil
		case !errors.As(err, &busy):
			return []net.Listener{v4}, p, nil // no IPv6 loopback here: 127.0.0.1 alone
		case port != 0 || attempt == 4:
			// Another program on [::1]:p would receive the code when the
			// browser picks ::1, so this is as fatal as a busy 127.0.0.1.
			_ = v4.Close()
			return nil, 0, err
		}
		_ = v4.Close() // the ephemeral port is taken on ::1 only: try another
	}
}

func listenTCP(ip string, port int) (net.Listener, error) {
	addr := net.JoinHostPort(ip, strconv.Itoa(port))
	network := "tcp4"
	if ip == "::1" {
		network = "tcp6"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		if addrInUse(err) {
			return nil, &PortBusyError{Addr: addr, Port: port, Err: err}
		}
		return nil, err
	}
	return ln, nil
}

func addrInUse(err error) bool {
	var errno syscall.Errno
	// 10048 is WSAEADDRINUSE, which Windows returns instead of EADDRINUSE.
	return errors.As(err, &errno) && (errno == syscall.EADDRINUSE || errno == 10048)
}
