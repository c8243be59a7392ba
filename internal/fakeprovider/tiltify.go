package fakeprovider

import (
	"net/http"
	"strings"
	"time"
)

const tiltifyLifetime = 2 * time.Hour

// tiltifyTokenResponse is Tiltify V5's token reply; refresh_token is null, not absent,
// for client credentials.
type tiltifyTokenResponse struct {
	AccessToken  string  `json:"access_token"`
	CreatedAt    string  `json:"created_at"`
	ExpiresIn    int64   `json:"expires_in"`
	RefreshToken *string `json:"refresh_token"`
	Scope        string  `json:"scope"`
	TokenType    string  `json:"token_type"`
}

func tiltifyShapes() map[string]grantShape {
	creds := []string{"grant_type", "client_id", "client_secret"}
	return map[string]grantShape{
		"client_credentials": {creds, []string{"scope"}},
		"authorization_code": {append(creds, "code", "redirect_uri"), []string{"code_verifier"}},
		"refresh_token":      {append(creds, "refresh_token"), nil},
	}
}

func tiltifyAuthorize() authorizeRoute {
	return authorizeRoute{provider: "tiltify", pkce: true, scopes: tiltifyScopes}
}

// tiltifyScopes parses a space-separated scope; Tiltify grants "public" when none is asked for.
func tiltifyScopes(s string) ([]string, bool) {
	if s == "" {
		return []string{"public"}, true
	}
	scopes, ok := splitScope(s, " ")
	return scopes, ok && subset(scopes, []string{"public", "cause", "webhooks:write"})
}

// tiltifyToken serves POST /tiltify/oauth/token (V5): a JSON body only, credentials in it.
func (s *Server) tiltifyToken(w http.ResponseWriter, r *http.Request) {
	f, err := readJSON(w, r)
	if err == nil && r.Header.Get("Authorization") != "" {
		err = errAuthHeader
	}
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
		return
	}
	shape, ok := tiltifyShapes()[f["grant_type"]]
	if !ok {
		writeRFCError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type is missing or unsupported", false)
		return
	}
	if err := f.only(shape.required, shape.optional); err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
		return
	}
	s.tiltifyGrant(w, f)
}

func (s *Server) tiltifyGrant(w http.ResponseWriter, f fields) {
	scopes, ok := tiltifyScopes(f["scope"])
	if !ok {
		writeRFCError(w, http.StatusBadRequest, "invalid_scope", "scope must be space-separated: public, cause, webhooks:write", false)
		return
	}
	id := f["client_id"]
	if _, ok := authenticate("tiltify", id, f["client_secret"]); !ok {
		writeRFCError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed", false)
		return
	}
	switch f["grant_type"] {
	case "client_credentials":
		s.tiltifyIssue(w, s.newGrant("tiltify", id, scopes, tiltifyLifetime), false)
	case "authorization_code":
		c, err := s.redeemCode("tiltify", id, f["code"], f["redirect_uri"], f["code_verifier"])
		if err != nil {
			writeRFCError(w, http.StatusBadRequest, "invalid_grant", err.Error(), false)
			return
		}
		s.tiltifyIssue(w, s.newGrant("tiltify", id, c.scopes, tiltifyLifetime), true)
	default:
		old, err := s.useRefresh("tiltify", id, f["refresh_token"], nil)
		if err != nil {
			writeRFCError(w, http.StatusBadRequest, "invalid_grant", err.Error(), false)
			return
		}
		s.tiltifyIssue(w, s.newGrant("tiltify", id, old.scopes, tiltifyLifetime), true)
	}
}

func (s *Server) tiltifyIssue(w http.ResponseWriter, g grant, withRefresh bool) {
	token := randomHex(32) // Tiltify tokens are opaque 64-hex strings, not JWTs
	s.rememberAccess(token, g)
	resp := tiltifyTokenResponse{
		AccessToken: token, CreatedAt: g.issued.UTC().Format(time.RFC3339), ExpiresIn: g.expiresIn(),
		Scope: strings.Join(g.scopes, " "), TokenType: "bearer",
	}
	if withRefresh {
		refresh := s.issueRefresh(g)
		resp.RefreshToken = &refresh
	}
	writeJSON(w, http.StatusOK, resp)
}
