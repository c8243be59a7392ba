package fakeprovider

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Options configures a fake provider server.
type Options struct {
	// Addr is the listen address, "127.0.0.1:0" when empty; it must be a loopback address.
	Addr string
	// TiliaExpiresAsNumber makes Tilia's expires_in the number 3600 that the live API and
	// SDK tests show, instead of the string "3600" that Tilia's Auth API document shows.
	TiliaExpiresAsNumber bool
	// TTL, when positive, replaces every provider's access-token lifetime.
	TTL time.Duration
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// Key, when set, signs the tokens instead of a key generated at Start: tests that
	// start many servers skip the key generation.
	Key *rsa.PrivateKey
}

// Server is a running fake provider. Its methods are safe for concurrent use.
type Server struct {
	opts   Options
	url    string
	key    *rsa.PrivateKey
	http   *http.Server
	done   chan struct{}
	quit   chan struct{} // closed by Close: hanging faults let go
	closed sync.Once
	routes []route
	keys   oidcKeys // made on first use: keys only the oidc routes need

	mu sync.Mutex
	st state
}

// route is one counted endpoint. Its handler is wrapped in one place (Server.counted),
// which also applies the faults injected into the route.
type route struct {
	name    string
	path    string
	handler http.HandlerFunc
}

// Start generates the signing key (unless opts.Key is set), listens on opts.Addr and
// serves until Close.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := checkLoopback(opts.Addr); err != nil {
		return nil, err
	}
	key := opts.Key
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("fakeprovider: generate signing key: %w", err)
		}
	}
	ln, err := listenLoopback(opts.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, key: key, done: make(chan struct{}), quit: make(chan struct{}), st: newState()}
	s.url = baseURL(ln.Addr().(*net.TCPAddr))
	s.routes = s.routeTable()
	s.http = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln) // always ErrServerClosed once Close runs
	}()
	return s, nil
}

// URL is the server's base URL, "http://127.0.0.1:PORT", without a trailing slash.
func (s *Server) URL() string { return s.url }

// Close stops the server at once, dropping open connections, and waits for it to exit.
func (s *Server) Close() error {
	s.closed.Do(func() { close(s.quit) })
	err := s.http.Close()
	<-s.done
	return err
}

// Count is how many requests, good or bad, reached the named route (e.g. "tilia.token").
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.counts[route]
}

// Counts is a copy of every route's request count, including routes never called.
func (s *Server) Counts() map[string]int {
	out := make(map[string]int, len(s.routes))
	for _, r := range s.routes {
		out[r.name] = 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.Copy(out, s.st.counts)
	return out
}

// Reset zeroes the counters, removes every injected fault and forgets every issued
// token, refresh token and code.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = newState()
}

// Clients lists the registered demo clients; Tiltify's appears under "tiltify" and "tiltify-v3".
func (s *Server) Clients() []Client { return demoClients() }

// Route is one endpoint the server answers.
type Route struct {
	// Name is the route's [Server.Count] key, e.g. "tilia.token".
	Name string
	// Path is relative to [Server.URL], e.g. "/tilia/token".
	Path string
}

// Routes lists the provider endpoints in the order they were registered;
// the /_fake/ control routes are not among them.
func (s *Server) Routes() []Route {
	out := make([]Route, 0, len(s.routes))
	for _, r := range s.routes {
		out = append(out, Route{Name: r.name, Path: r.path})
	}
	return out
}

// PublicKey is the key that verifies every JWT this server issues.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

func (s *Server) routeTable() []route {
	return append([]route{
		{"tilia.token", "/tilia/token", s.tiliaToken},
		{"ils.token", "/ils/api/oauth/token", s.ilsToken},
		{"tiki.token", "/tiki/api/oauth/access_token", s.tikiToken},
		{"tiki.authorize", "/tiki/api/oauth/authorize", s.authorize(tikiAuthorize())},
		{"tiltify.token", "/tiltify/oauth/token", s.tiltifyToken},
		{"tiltify.authorize", "/tiltify/oauth/authorize", s.authorize(tiltifyAuthorize())},
		{"tiltify-v3.token", "/tiltify-v3/oauth/token", s.tiltifyV3Token},
		{"tiltify-v3.authorize", "/tiltify-v3/oauth/authorize", s.authorize(tiltifyV3Authorize())},
		{"oauth2.token", "/oauth2/token", s.oauth2Token},
		{"oauth2.authorize", "/oauth2/authorize", s.authorize(oauth2Authorize())},
		{"api.whoami", "/api/whoami", s.whoami},
		{"github.idtoken", "/github/idtoken", s.githubIDToken},
	}, s.oidcRoutes()...)
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes {
		mux.HandleFunc(r.path, s.counted(r.name, r.handler))
	}
	mux.HandleFunc("/_fake/stats", s.stats)
	mux.HandleFunc("/_fake/reset", s.reset)
	mux.HandleFunc("/_fake/fault", s.fault)
	mux.HandleFunc("/_fake/oidc-hostility", s.setOIDCHostilityHTTP)
	mux.HandleFunc("/", notFound)
	return mux
}

// counted records the request before the handler sees it, so refused requests count
// too, then applies the route's next injected fault, if any.
func (s *Server) counted(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.st.counts[name]++
		f, faulty := s.st.takeFault(name)
		s.mu.Unlock()
		if faulty && s.applyFault(w, r, f, h) {
			return
		}
		h(w, r)
	}
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusBadRequest, rfcError{Error: "invalid_request", Description: "use GET"})
		return
	}
	writeJSON(w, http.StatusOK, s.Counts())
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusBadRequest, rfcError{Error: "invalid_request", Description: "use POST"})
		return
	}
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, rfcError{Error: "not_found"})
}

// now is the server clock, so tests can expire tokens without sleeping.
func (s *Server) now() time.Time { return s.opts.Now() }

// ttl is a provider's access-token lifetime unless Options.TTL overrides it.
func (s *Server) ttl(def time.Duration) time.Duration {
	if s.opts.TTL > 0 {
		return s.opts.TTL
	}
	return def
}

// checkLoopback refuses non-loopback addresses before listening: the fake accepts
// fixed, published credentials and must never be reachable from another host.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("fakeprovider: bad listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("fakeprovider: listen address %q is not loopback; use 127.0.0.1 or [::1]", addr)
	}
	return nil
}

func listenLoopback(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fakeprovider: listen: %w", err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return nil, errors.New("fakeprovider: listener is not on a loopback address")
	}
	return ln, nil
}

func baseURL(a *net.TCPAddr) string {
	return "http://" + net.JoinHostPort(a.IP.String(), strconv.Itoa(a.Port))
}
