package fakeprovider

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"
)

const (
	codeLifetime    = 10 * time.Minute
	refreshLifetime = 30 * 24 * time.Hour
)

// state is everything Reset forgets; Server.mu guards it.
type state struct {
	counts  map[string]int
	access  map[string]grant    // access token → what it grants, for /api/whoami
	refresh map[string]grant    // live refresh tokens; a used one is deleted (rotation)
	codes   map[string]authCode // unredeemed authorization codes
	faults  map[string][]Fault  // route → queued faults (see InjectFault)
	ils     rateWindow
	oidc    oidcState // device authorizations and revoked tokens (oidc.go, device.go, revoke.go)
	// oidcHostility is how the /oidc routes misbehave on purpose (oidchostile.go).
	oidcHostility OIDCHostility
	// jtis are the client assertion ids seen (replays are refused); ciExpired is how
	// many of the next CI tokens come already expired (clientassertion.go).
	jtis       map[string]bool
	ciExpired  int
	assertions []string // every assertion received (Server.Assertions)
}

func newState() state {
	return state{
		counts:  map[string]int{},
		access:  map[string]grant{},
		refresh: map[string]grant{},
		codes:   map[string]authCode{},
		faults:  map[string][]Fault{},
		oidc:    newOIDCState(),
		jtis:    map[string]bool{},
	}
}

// grant is what a token was issued for.
type grant struct {
	provider string
	clientID string
	scopes   []string
	issued   time.Time
	expires  time.Time // zero: never (Tiltify v3 tokens have no expiry)
	authTime time.Time // oidc: when the user approved, for the ID token's auth_time
}

func (g grant) expiresIn() int64 {
	if g.expires.IsZero() {
		return 0
	}
	return int64((g.expires.Sub(g.issued) + time.Second - 1) / time.Second)
}

func (g grant) validAt(t time.Time) bool {
	return g.expires.IsZero() || t.Before(g.expires)
}

// authCode is an issued authorization code and what its exchange must match.
type authCode struct {
	provider    string
	clientID    string
	redirectURI string
	scopes      []string
	challenge   string // S256 PKCE challenge, empty when none was sent
	nonce       string // oidc: the authorization request's nonce, for the ID token
	authTime    time.Time
	expires     time.Time
}

// rateWindow is ILS's per-minute request quota, reported but not enforced.
type rateWindow struct {
	start time.Time
	used  int
}

// newGrant starts a grant now with the provider's access lifetime (or Options.TTL).
func (s *Server) newGrant(provider, clientID string, scopes []string, lifetime time.Duration) grant {
	now := s.now()
	return grant{provider: provider, clientID: clientID, scopes: scopes, issued: now, expires: now.Add(s.ttl(lifetime))}
}

// rememberAccess records an issued access token so /api/whoami can recognise it.
func (s *Server) rememberAccess(token string, g grant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.access[token] = g
}

// lookupAccess finds an issued access token that has not expired.
func (s *Server) lookupAccess(token string) (grant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.st.access[token]
	if !ok || !g.validAt(s.now()) {
		return grant{}, false
	}
	return g, true
}

// issueRefresh creates a refresh token for the same client and scopes as g.
func (s *Server) issueRefresh(g grant) string {
	token := randomHex(32)
	g.expires = g.issued.Add(refreshLifetime)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.refresh[token] = g
	return token
}

var (
	errRefreshUnknown = errors.New("refresh token is unknown, expired or revoked")
	errRefreshClient  = errors.New("refresh token was issued to another client")
	errRefreshScope   = errors.New("scope exceeds the scope of the original grant")
)

// useRefresh revokes a refresh token and returns its grant, so every refresh rotates.
// A request for scopes beyond the original grant fails before anything is revoked.
func (s *Server) useRefresh(provider, clientID, token string, scopes []string) (grant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.st.refresh[token]
	switch {
	case !ok || g.provider != provider || !g.validAt(s.now()):
		return grant{}, errRefreshUnknown
	case g.clientID != clientID:
		return grant{}, errRefreshClient
	case !subset(scopes, g.scopes):
		return grant{}, errRefreshScope
	}
	delete(s.st.refresh, token)
	return g, nil
}

// narrow is the scope of a refreshed token: the requested subset, or all of the original.
func narrow(requested, original []string) []string {
	if len(requested) == 0 {
		return original
	}
	return requested
}

// issueCode stores a new single-use authorization code.
func (s *Server) issueCode(c authCode) string {
	code := randomHex(20)
	c.expires = s.now().Add(codeLifetime)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.codes[code] = c
	return code
}

// redeemCode consumes a code (any attempt burns it) and checks that the exchange matches
// the authorization request. Error messages never include the code itself.
func (s *Server) redeemCode(provider, clientID, code, redirectURI, verifier string) (authCode, error) {
	s.mu.Lock()
	c, ok := s.st.codes[code]
	if ok && c.provider == provider {
		delete(s.st.codes, code)
	}
	s.mu.Unlock()
	switch {
	case !ok || c.provider != provider:
		return authCode{}, errors.New("authorization code is unknown or already used")
	case !s.now().Before(c.expires):
		return authCode{}, errors.New("authorization code has expired")
	case c.clientID != clientID:
		return authCode{}, errors.New("authorization code was issued to another client")
	case c.redirectURI != redirectURI:
		return authCode{}, errors.New("redirect_uri does not match the authorization request")
	}
	return c, checkVerifier(c.challenge, verifier)
}

// checkVerifier applies RFC 7636 §4.6 with S256, the only method this server accepts.
func checkVerifier(challenge, verifier string) error {
	switch {
	case challenge == "" && verifier == "":
		return nil
	case challenge == "":
		return errors.New("code_verifier sent but the authorization request had no code_challenge")
	case verifier == "":
		return errors.New("code_verifier is required: the authorization request had a code_challenge")
	case !validVerifier(verifier):
		return errors.New("code_verifier must be 43-128 characters of [A-Za-z0-9-._~]")
	case s256(verifier) != challenge:
		return errors.New("code_verifier does not match the code_challenge")
	}
	return nil
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	return !slices.ContainsFunc([]byte(v), func(b byte) bool { return !isUnreserved(b) })
}

// validChallenge checks an S256 challenge: base64url of 32 bytes, no padding.
func validChallenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == sha256.Size
}

func isUnreserved(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
		b == '-' || b == '.' || b == '_' || b == '~'
}

// ilsQuota counts one ILS request in the current minute and returns what is left.
func (s *Server) ilsQuota() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	w := &s.st.ils
	if w.start.IsZero() || !now.Before(w.start.Add(time.Minute)) {
		*w = rateWindow{start: now}
	}
	w.used++
	return max(0, ilsRateLimit-w.used)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
