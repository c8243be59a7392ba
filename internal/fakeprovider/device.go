package fakeprovider

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// deviceInterval is every demo client's polling interval: short, to keep tests fast.
	deviceInterval = time.Second
	// slowDownStep is what RFC 8628 §3.5 adds to the interval on each slow_down.
	slowDownStep = 5 * time.Second
	// userCodeAlphabet is RFC 8628 §6.1's example: consonants only, so no words and no
	// characters that look alike.
	userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"
)

type deviceStatus int

const (
	devicePending deviceStatus = iota
	deviceApproved
	deviceDenied
)

// deviceAuth is one device authorization request (RFC 8628), keyed by its device_code.
type deviceAuth struct {
	clientID string
	scopes   []string
	userCode string
	expires  time.Time
	interval time.Duration // grows by slowDownStep on each slow_down
	lastPoll time.Time     // zero before the first poll
	polls    int
	status   deviceStatus
	authTime time.Time // when the user approved
}

// oidcState is the oidc routes' part of state; Server.mu guards it.
type oidcState struct {
	devices   map[string]*deviceAuth // device_code → request; a redeemed one is deleted
	userCodes map[string]string      // user code without its hyphen → device_code
	revoked   map[string]bool        // tokens revoked at /oidc/revoke
}

func newOIDCState() oidcState {
	return oidcState{devices: map[string]*deviceAuth{}, userCodes: map[string]string{}, revoked: map[string]bool{}}
}

// deviceResponse is RFC 8628 §3.2's device authorization response.
type deviceResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// deviceAuthorization serves POST /oidc/device (RFC 8628 §3.1): form body with the
// client's authentication and an optional scope.
func (s *Server) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	f, err := readForm(w, r)
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
		return
	}
	c, fail := s.oidcClient(r, f)
	if fail == nil {
		if err := f.only(nil, []string{"scope"}); err != nil {
			fail = badRequest(err.Error())
		}
	}
	scopes, ok := oauth2Scopes(f["scope"])
	if fail == nil && !ok {
		fail = &rfcFailure{status: http.StatusBadRequest, code: "invalid_scope", desc: "scope must be space-separated scope tokens"}
	}
	if fail != nil {
		fail.write(w)
		return
	}
	lifetime := quirksOf(c.ID).deviceLifetime
	deviceCode, userCode := s.startDevice(&deviceAuth{
		clientID: c.ID, scopes: scopes, expires: s.now().Add(lifetime), interval: deviceInterval,
	})
	verify := s.OIDCIssuer() + "/device/verify"
	writeJSON(w, http.StatusOK, deviceResponse{
		DeviceCode: deviceCode, UserCode: userCode, VerificationURI: verify,
		VerificationURIComplete: verify + "?" + url.Values{"user_code": {userCode}}.Encode(),
		ExpiresIn:               int64(lifetime / time.Second), Interval: int64(deviceInterval / time.Second),
	})
}

// startDevice stores d under a new device code and a new, unused user code.
func (s *Server) startDevice(d *deviceAuth) (deviceCode, userCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	deviceCode = randomHex(32)
	for {
		d.userCode = newUserCode()
		if _, taken := s.st.oidc.userCodes[normalUserCode(d.userCode)]; !taken {
			break
		}
	}
	s.st.oidc.devices[deviceCode] = d
	s.st.oidc.userCodes[normalUserCode(d.userCode)] = deviceCode
	return deviceCode, d.userCode
}

// newUserCode is eight characters of userCodeAlphabet, shown as "WDJB-MJHT".
func newUserCode() string {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 9 {
		if b.Len() == 4 {
			b.WriteByte('-')
			continue
		}
		_, _ = rand.Read(buf)
		if int(buf[0]) < 256-256%len(userCodeAlphabet) { // rejection sampling: no bias
			b.WriteByte(userCodeAlphabet[int(buf[0])%len(userCodeAlphabet)])
		}
	}
	return b.String()
}

// normalUserCode lets users type the code in any case, with or without the hyphen (RFC 8628 §6.1).
func normalUserCode(code string) string {
	return strings.ToUpper(strings.ReplaceAll(code, "-", ""))
}

// deviceVerify serves GET /oidc/device/verify?user_code=X[&action=approve|deny]: the page a
// user opens to decide a device request. It decides at once and answers a small HTML page.
func (s *Server) deviceVerify(w http.ResponseWriter, r *http.Request) {
	q, err := readQuery(r)
	if err == nil {
		err = q.only([]string{"user_code"}, []string{"action"})
	}
	if err == nil && q.has("action") && q["action"] != "approve" && q["action"] != "deny" {
		err = errors.New("action must be approve or deny")
	}
	if err == nil {
		err = s.decideDevice(q["user_code"], q["action"] != "deny")
	}
	switch {
	case err != nil:
		writePage(w, http.StatusBadRequest, "Device request refused: "+err.Error()+".")
	case q["action"] == "deny":
		writePage(w, http.StatusOK, "Device request denied. You can close this window.")
	default:
		writePage(w, http.StatusOK, "Device approved. You can return to your terminal.")
	}
}

func (s *Server) decideDevice(userCode string, approve bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.st.oidc.devices[s.st.oidc.userCodes[normalUserCode(userCode)]]
	switch {
	case !ok:
		return errors.New("unknown user code")
	case !s.now().Before(d.expires):
		return errors.New("the user code has expired")
	case d.status != devicePending:
		return errors.New("the request was already decided")
	case approve:
		d.status, d.authTime = deviceApproved, s.now()
	default:
		d.status = deviceDenied
	}
	return nil
}

func writePage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!doctype html>\n<meta charset=utf-8>\n<title>fakeprovider device login</title>\n<p>%s</p>\n", html.EscapeString(msg))
}

// devicePoll answers a device_code grant (RFC 8628 §3.4, §3.5).
func (s *Server) devicePoll(w http.ResponseWriter, c Client, deviceCode string) {
	d, fail := s.pollDevice(c.ID, deviceCode)
	if fail != nil {
		fail.write(w)
		return
	}
	g := s.newGrant("oidc", c.ID, d.scopes, oidcLifetime)
	g.authTime = d.authTime
	s.oidcIssue(w, c, issuance{grant: g, user: true, grantType: deviceGrantType})
}

// pollDevice records a poll and returns the approved request, spending its device code,
// or the RFC 8628 §3.5 error to answer. A poll sooner than the interval after the last
// one gets slow_down, and the interval grows by 5 s for that device code.
func (s *Server) pollDevice(clientID, deviceCode string) (deviceAuth, *rfcFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	d, ok := s.st.oidc.devices[deviceCode]
	switch {
	case !ok:
		return deviceAuth{}, pollError("invalid_grant", "device_code is unknown or already used")
	case d.clientID != clientID:
		return deviceAuth{}, pollError("invalid_grant", "device_code was issued to another client")
	case !now.Before(d.expires):
		return deviceAuth{}, pollError("expired_token", "device_code has expired; start a new device authorization")
	}
	first, last := d.polls == 0, d.lastPoll
	d.polls++
	d.lastPoll = now
	if first && quirksOf(clientID).firstPollSlow || !first && now.Sub(last) < d.interval {
		d.interval += slowDownStep
		return deviceAuth{}, pollError("slow_down", fmt.Sprintf("polling too fast: wait %d s between polls", d.interval/time.Second))
	}
	switch d.status {
	case deviceDenied:
		return deviceAuth{}, pollError("access_denied", "the user denied the request")
	case devicePending:
		return deviceAuth{}, pollError("authorization_pending", "the user has not approved the request yet")
	}
	delete(s.st.oidc.devices, deviceCode)
	delete(s.st.oidc.userCodes, normalUserCode(d.userCode))
	return *d, nil
}

func pollError(code, desc string) *rfcFailure {
	return &rfcFailure{status: http.StatusBadRequest, code: code, desc: desc}
}
