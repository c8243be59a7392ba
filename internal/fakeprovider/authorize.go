package fakeprovider

import (
	"errors"
	"net/http"
	"net/url"
)

// authorizeRoute is what differs between the providers' authorize endpoints.
type authorizeRoute struct {
	provider string                        // client registry and code namespace
	pkce     bool                          // whether code_challenge may be sent
	scopes   func(string) ([]string, bool) // parses and checks the scope parameter
}

// authorize auto-approves an authorization request and redirects back with a code.
// Until redirect_uri is known to be loopback, errors are a 400 page rather than a
// redirect, so the fake can never be used to bounce a browser elsewhere.
func (s *Server) authorize(a authorizeRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := readQuery(r)
		if err == nil {
			err = checkRedirectURI(q["redirect_uri"])
		}
		if err != nil {
			writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
			return
		}
		redirect(w, q["redirect_uri"], s.approve(a, q))
	}
}

// approve returns the redirect parameters: code and state, or error and state.
func (s *Server) approve(a authorizeRoute, q fields) url.Values {
	out := url.Values{}
	if q.has("state") {
		out.Set("state", q["state"])
	}
	code, errCode, desc := s.authorizeCode(a, q)
	if errCode != "" {
		out.Set("error", errCode)
		out.Set("error_description", desc)
		return out
	}
	out.Set("code", code)
	return out
}

func (s *Server) authorizeCode(a authorizeRoute, q fields) (code, errCode, desc string) {
	if _, ok := findClient(a.provider, q["client_id"]); !ok {
		return "", "unauthorized_client", "unknown client_id"
	}
	if q["response_type"] != "code" {
		return "", "unsupported_response_type", "response_type must be code"
	}
	optional := []string{"scope"}
	if a.pkce {
		optional = append(optional, "code_challenge", "code_challenge_method")
	}
	if err := q.only([]string{"response_type", "client_id", "redirect_uri", "state"}, optional); err != nil {
		return "", "invalid_request", err.Error()
	}
	scopes, ok := a.scopes(q["scope"])
	if !ok {
		return "", "invalid_scope", "scope is malformed or not allowed"
	}
	if err := checkChallenge(q); err != nil {
		return "", "invalid_request", err.Error()
	}
	return s.issueCode(authCode{
		provider: a.provider, clientID: q["client_id"], redirectURI: q["redirect_uri"],
		scopes: scopes, challenge: q["code_challenge"],
	}), "", ""
}

// checkChallenge accepts only S256 (RFC 7636 §4.2: a client able to use S256 must);
// an absent method means plain, so it is refused too.
func checkChallenge(q fields) error {
	switch {
	case !q.has("code_challenge") && !q.has("code_challenge_method"):
		return nil
	case !q.has("code_challenge"):
		return errors.New("code_challenge_method sent without code_challenge")
	case q["code_challenge_method"] != "S256":
		return errors.New("code_challenge_method must be S256")
	case !validChallenge(q["code_challenge"]):
		return errors.New("code_challenge must be base64url(SHA-256(verifier)) without padding")
	}
	return nil
}

// checkRedirectURI allows RFC 8252 loopback redirects on any port.
func checkRedirectURI(raw string) error {
	if raw == "" {
		return errors.New("missing required parameter \"redirect_uri\"")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return errors.New("redirect_uri must be an http loopback URL without userinfo or fragment")
	}
	switch u.Hostname() {
	case "127.0.0.1", "::1", "localhost":
		return nil
	}
	return errors.New("redirect_uri host must be 127.0.0.1, [::1] or localhost")
}

func redirect(w http.ResponseWriter, target string, params url.Values) {
	u, _ := url.Parse(target) // already validated by checkRedirectURI
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Location", u.String())
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
}
