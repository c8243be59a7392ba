package fakeprovider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// FaultAction is what an injected fault does once its delay is over.
type FaultAction string

// Fault actions.
const (
	// FaultPass lets the route answer as usual (a fault that only delays).
	FaultPass FaultAction = ""
	// FaultRespond answers with the fault's Status, Header and Body instead of the route.
	FaultRespond FaultAction = "respond"
	// FaultHang never answers: it holds the request until the client gives up or the server closes.
	FaultHang FaultAction = "hang"
	// FaultDrop closes the connection without answering.
	FaultDrop FaultAction = "drop"
	// FaultTruncate sends the status line, the headers (Content-Length announcing the whole
	// Body) and the first half of Body, then closes the connection.
	FaultTruncate FaultAction = "truncate"
	// FaultPatch lets the route answer, then sets the fault's Patch fields in its JSON
	// object (a hostile provider that answers a real flow with chosen values: a token
	// of shell syntax, a device verification_uri of "javascript:…").
	FaultPatch FaultAction = "patch"
)

// Fault is a misbehaviour injected into one route with [Server.InjectFault] or
// POST /_fake/fault. The request is counted first, as every request is.
type Fault struct {
	// Times is how many requests the fault applies to before it is used up; 0 means all.
	// Faults on one route queue up: the first one applies until it is used up, then the next.
	Times int
	// Delay holds the request this long before the action; DelayJitter adds a random
	// extra between 0 and DelayJitter.
	Delay       time.Duration
	DelayJitter time.Duration
	// Action is what happens after the delay.
	Action FaultAction
	// Status is the HTTP status of FaultRespond and FaultTruncate; 200 when zero.
	Status int
	// Header is sent with FaultRespond and FaultTruncate; Content-Type defaults to application/json.
	Header map[string]string
	// Body is the body of FaultRespond and FaultTruncate, sent as is.
	Body string
	// Patch is what FaultPatch sets in the route's JSON object answer, by top-level
	// field name; a nil value removes the field.
	Patch map[string]any
	// Template makes Body and the string values of Patch text/templates expanded with
	// the request (see [FaultRequest]), so that a hostile provider can echo what the
	// client sent: `{"error":"bad secret {{.Form.client_secret}}"}`.
	Template bool
}

// InjectFault queues f on the named route (e.g. "tilia.token"). Reset removes every fault.
func (s *Server) InjectFault(route string, f Fault) error {
	if err := s.checkFault(route, f); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.faults[route] = append(s.st.faults[route], f)
	return nil
}

// ClearFaults removes the faults of route, or of every route when route is empty.
func (s *Server) ClearFaults(route string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if route == "" {
		clear(s.st.faults)
		return
	}
	delete(s.st.faults, route)
}

// IssueRefreshToken mints a live refresh token for a registered client, as if it
// had just logged in with the authorization code flow, so that tests can start
// from a stored refresh token without a browser. provider is "tiki", "tiltify",
// "tiltify-v3" or "oauth2"; the token rotates on use like any other.
func (s *Server) IssueRefreshToken(provider, clientID string, scopes []string) (string, error) {
	switch provider {
	case "tiki", "tiltify", "tiltify-v3", "oauth2":
	default:
		return "", fmt.Errorf("fakeprovider: %s issues no refresh tokens", provider)
	}
	if _, ok := findClient(provider, clientID); !ok {
		return "", fmt.Errorf("fakeprovider: no %s client %q", provider, clientID)
	}
	return s.issueRefresh(s.newGrant(provider, clientID, slices.Clone(scopes), 0)), nil
}

func (s *Server) checkFault(name string, f Fault) error {
	if !slices.ContainsFunc(s.routes, func(r route) bool { return r.name == name }) {
		return fmt.Errorf("fakeprovider: unknown route %q", name)
	}
	switch f.Action {
	case FaultPass, FaultRespond, FaultHang, FaultDrop, FaultTruncate, FaultPatch:
	default:
		return fmt.Errorf("fakeprovider: unknown fault action %q", f.Action)
	}
	if (f.Patch != nil) != (f.Action == FaultPatch) {
		return errors.New("fakeprovider: a fault has a patch exactly when its action is patch")
	}
	if f.Template {
		if _, err := f.expand(&FaultRequest{}); err != nil {
			return err
		}
	}
	if f.Times < 0 || f.Delay < 0 || f.DelayJitter < 0 || f.Status < 0 || f.Status > 999 ||
		(f.Status != 0 && f.Status < 100) {
		return errors.New("fakeprovider: fault times, delays and status must be in range")
	}
	return nil
}

// takeFault returns the fault that applies to the next request on route, using
// one of its Times. The caller holds s.mu.
func (st *state) takeFault(route string) (Fault, bool) {
	q := st.faults[route]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	if q[0].Times > 0 {
		q[0].Times--
		if q[0].Times == 0 {
			q = q[1:]
		}
	}
	if len(q) == 0 {
		delete(st.faults, route)
	} else {
		st.faults[route] = q
	}
	return f, true
}

// applyFault carries out f and reports whether it answered the request (or
// gave up on it), so that the route's own handler h must not run again.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault, h http.HandlerFunc) bool {
	wait := f.Delay
	if f.DelayJitter > 0 {
		wait += rand.N(f.DelayJitter + 1)
	}
	if wait > 0 && !s.pause(r, time.NewTimer(wait).C) {
		drop(w) // the client or the server went away: answer nothing
		return true
	}
	if f.Template {
		var err error
		if f, err = f.expand(readFaultRequest(r)); err != nil {
			writeJSON(w, http.StatusInternalServerError, rfcError{Error: "server_error", Description: err.Error()})
			return true
		}
	}
	switch f.Action {
	case FaultPass:
		return false
	case FaultPatch:
		patchResponse(w, r, f.Patch, h)
	case FaultRespond:
		writeFaultHeader(w.Header(), f)
		w.WriteHeader(faultStatus(f))
		_, _ = io.WriteString(w, f.Body)
	case FaultHang:
		s.pause(r, nil)
		drop(w)
	case FaultDrop:
		drop(w)
	case FaultTruncate:
		truncateResponse(w, f)
	}
	return true
}

// pause waits for done, the client leaving or the server closing; it reports
// whether done came first.
func (s *Server) pause(r *http.Request, done <-chan time.Time) bool {
	select {
	case <-done:
		return true
	case <-r.Context().Done():
	case <-s.quit:
	}
	return false
}

// drop closes the connection without an answer; returning from the handler
// instead would send an empty 200.
func drop(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}

// truncateResponse writes a response that promises the whole body and delivers half.
func truncateResponse(w http.ResponseWriter, f Fault) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	h := http.Header{}
	writeFaultHeader(h, f)
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	status := faultStatus(f)
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n" + f.Body[:len(f.Body)/2])
	_ = buf.Flush()
}

func writeFaultHeader(h http.Header, f Fault) {
	h.Set("Content-Type", "application/json")
	for k, v := range f.Header {
		h.Set(k, v)
	}
}

func faultStatus(f Fault) int {
	if f.Status == 0 {
		return http.StatusOK
	}
	return f.Status
}

// faultRequest is the body of POST /_fake/fault: a Fault with durations as Go
// duration strings ("500ms") and the route it applies to.
type faultRequest struct {
	Route       string            `json:"route"`
	Times       int               `json:"times"`
	Delay       string            `json:"delay"`
	DelayJitter string            `json:"delay_jitter"`
	Action      FaultAction       `json:"action"`
	Status      int               `json:"status"`
	Header      map[string]string `json:"header"`
	Body        string            `json:"body"`
	Patch       map[string]any    `json:"patch"`
	Template    bool              `json:"template"`
}

// maxFaultBody lets a fault carry a body over tokctl's 1 MiB response cap.
const maxFaultBody = 4 << 20

// fault serves /_fake/fault: POST adds a fault, DELETE removes the faults of
// ?route= (or all).
func (s *Server) fault(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodDelete:
		s.ClearFaults(r.URL.Query().Get("route"))
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodPost:
	default:
		writeJSON(w, http.StatusBadRequest, rfcError{Error: "invalid_request", Description: "use POST or DELETE"})
		return
	}
	var fr faultRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFaultBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fr); err != nil {
		writeJSON(w, http.StatusBadRequest, rfcError{Error: "invalid_request", Description: "body must be a fault object: " + err.Error()})
		return
	}
	f := Fault{Times: fr.Times, Action: fr.Action, Status: fr.Status, Header: fr.Header, Body: fr.Body, Patch: fr.Patch, Template: fr.Template}
	var err error
	if f.Delay, err = parseDelay(fr.Delay); err == nil {
		f.DelayJitter, err = parseDelay(fr.DelayJitter)
	}
	if err == nil {
		err = s.InjectFault(fr.Route, f)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, rfcError{Error: "invalid_request", Description: err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func parseDelay(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("fakeprovider: bad delay %q", s)
	}
	return d, nil
}
