package fakeprovider

import (
	"errors"
	"net/http"
	"strings"
)

// tiltifyV3TokenResponse is the legacy reply: no expiry and no refresh token.
type tiltifyV3TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	CreatedAt   int64  `json:"created_at"`
}

var errAuthHeader = errors.New("the Authorization header is not allowed: send the client credentials in the body")

func tiltifyV3Authorize() authorizeRoute {
	return authorizeRoute{provider: "tiltify-v3", scopes: tiltifyScopes}
}

// tiltifyV3Token serves POST /tiltify-v3/oauth/token: the authorization-code exchange
// of Tiltify's v3 document, a form body plus a required Basic header.
func (s *Server) tiltifyV3Token(w http.ResponseWriter, r *http.Request) {
	f, secret, err := tiltifyV3Request(w, r)
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
		return
	}
	if _, ok := authenticate("tiltify-v3", f["client_id"], secret); !ok {
		writeRFCError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed", true)
		return
	}
	s.tiltifyV3Exchange(w, f)
}

// tiltifyV3Request checks the request shape and returns the body and the Basic secret.
func tiltifyV3Request(w http.ResponseWriter, r *http.Request) (fields, string, error) {
	f, err := readForm(w, r)
	if err != nil {
		return nil, "", err
	}
	id, secret, basic, err := basicAuth(r)
	switch {
	case err != nil:
		return nil, "", err
	case !basic:
		return nil, "", errors.New("an Authorization: Basic header with the client credentials is required")
	}
	if err := f.only([]string{"client_id", "redirect_uri", "code", "grant_type"}, nil); err != nil {
		return nil, "", err
	}
	if f["grant_type"] != "authorization_code" {
		return nil, "", errors.New("grant_type must be authorization_code")
	}
	if f["client_id"] != id {
		return nil, "", errors.New("client_id does not match the Authorization header")
	}
	return f, secret, nil
}

func (s *Server) tiltifyV3Exchange(w http.ResponseWriter, f fields) {
	id := f["client_id"]
	c, err := s.redeemCode("tiltify-v3", id, f["code"], f["redirect_uri"], "")
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_grant", err.Error(), false)
		return
	}
	g := grant{provider: "tiltify-v3", clientID: id, scopes: c.scopes, issued: s.now()}
	if s.opts.TTL > 0 {
		g.expires = g.issued.Add(s.opts.TTL) // v3 tokens never expire unless a test asks
	}
	token := randomHex(32)
	s.rememberAccess(token, g)
	writeJSON(w, http.StatusOK, tiltifyV3TokenResponse{
		AccessToken: token, TokenType: "Bearer", Scope: strings.Join(c.scopes, " "), CreatedAt: g.issued.Unix(),
	})
}
