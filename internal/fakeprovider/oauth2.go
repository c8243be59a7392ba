package fakeprovider

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

const oauth2Lifetime = time.Hour

type oauth2TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// rfcFailure is a refused request, written as an RFC 6749 §5.2 error.
type rfcFailure struct {
	status      int
	code, desc  string
	basicHeader bool
}

func (f *rfcFailure) write(w http.ResponseWriter) {
	writeRFCError(w, f.status, f.code, f.desc, f.basicHeader)
}

func badRequest(desc string) *rfcFailure {
	return &rfcFailure{status: http.StatusBadRequest, code: "invalid_request", desc: desc}
}

// oauth2Shapes lists each grant's parameters once client authentication is removed.
func oauth2Shapes() map[string]grantShape {
	return map[string]grantShape{
		"client_credentials": {[]string{"grant_type"}, []string{"scope"}},
		"authorization_code": {[]string{"grant_type", "code", "redirect_uri"}, []string{"code_verifier"}},
		"refresh_token":      {[]string{"grant_type", "refresh_token"}, []string{"scope"}},
	}
}

func oauth2Authorize() authorizeRoute {
	return authorizeRoute{provider: "oauth2", pkce: true, scopes: oauth2Scopes}
}

// oauth2Scopes accepts any RFC 6749 §3.3 scope-tokens, separated by single spaces.
func oauth2Scopes(s string) ([]string, bool) {
	scopes, ok := splitScope(s, " ")
	for _, sc := range scopes {
		if strings.ContainsFunc(sc, func(c rune) bool { return c < 0x21 || c > 0x7e || c == '"' || c == '\\' }) {
			return nil, false
		}
	}
	return scopes, ok
}

// oauth2Token serves POST /oauth2/token, a generic RFC 6749 token endpoint.
func (s *Server) oauth2Token(w http.ResponseWriter, r *http.Request) {
	f, err := readForm(w, r)
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
		return
	}
	id, fail := oauth2Client(r, f)
	if fail != nil {
		fail.write(w)
		return
	}
	delete(f, "client_id")
	delete(f, "client_secret")
	if fail := oauth2Shape(f); fail != nil {
		fail.write(w)
		return
	}
	s.oauth2Grant(w, f, id)
}

func oauth2Shape(f fields) *rfcFailure { return checkShape(f, oauth2Shapes()) }

// oauth2Client authenticates the client by the one method it is registered for; using
// the other method, or both, is a malformed request (400), not a credential failure.
func oauth2Client(r *http.Request, f fields) (string, *rfcFailure) {
	id, secret, basic, err := basicAuth(r)
	switch {
	case err != nil:
		return "", badRequest(err.Error())
	case basic:
		return basicClient(id, secret, f)
	default:
		return postClient(f)
	}
}

func basicClient(id, secret string, f fields) (string, *rfcFailure) {
	if f.has("client_secret") {
		return "", badRequest("use one client authentication method: a Basic header or client_secret in the body, not both")
	}
	if f.has("client_id") && f["client_id"] != id {
		return "", badRequest("client_id does not match the Authorization header")
	}
	c, ok := authenticate("oauth2", id, secret)
	if !ok {
		return "", &rfcFailure{status: http.StatusUnauthorized, code: "invalid_client", desc: "client authentication failed", basicHeader: true}
	}
	if c.AuthMethod != AuthMethodBasic {
		return "", badRequest("client " + id + " must authenticate with " + c.AuthMethod)
	}
	return id, nil
}

func postClient(f fields) (string, *rfcFailure) {
	id := f["client_id"]
	if c, known := findClient("oauth2", id); known && c.AuthMethod != AuthMethodPost && f.has("client_secret") {
		return "", badRequest("client " + id + " must authenticate with " + c.AuthMethod)
	}
	if _, ok := authenticate("oauth2", id, f["client_secret"]); !ok || !f.has("client_secret") {
		return "", &rfcFailure{status: http.StatusUnauthorized, code: "invalid_client", desc: "client authentication failed"}
	}
	return id, nil
}

func (s *Server) oauth2Grant(w http.ResponseWriter, f fields, id string) {
	scopes, _ := oauth2Scopes(f["scope"])
	switch f["grant_type"] {
	case "client_credentials":
		s.oauth2Issue(w, s.newGrant("oauth2", id, scopes, oauth2Lifetime), false)
	case "authorization_code":
		c, err := s.redeemCode("oauth2", id, f["code"], f["redirect_uri"], f["code_verifier"])
		if err != nil {
			writeRFCError(w, http.StatusBadRequest, "invalid_grant", err.Error(), false)
			return
		}
		s.oauth2Issue(w, s.newGrant("oauth2", id, c.scopes, oauth2Lifetime), true)
	default:
		s.oauth2Refresh(w, id, f["refresh_token"], scopes)
	}
}

func (s *Server) oauth2Refresh(w http.ResponseWriter, id, token string, scopes []string) {
	old, err := s.useRefresh("oauth2", id, token, scopes)
	switch {
	case errors.Is(err, errRefreshScope):
		writeRFCError(w, http.StatusBadRequest, "invalid_scope", err.Error(), false)
	case err != nil:
		writeRFCError(w, http.StatusBadRequest, "invalid_grant", err.Error(), false)
	default:
		s.oauth2Issue(w, s.newGrant("oauth2", id, narrow(scopes, old.scopes), oauth2Lifetime), true)
	}
}

func (s *Server) oauth2Issue(w http.ResponseWriter, g grant, withRefresh bool) {
	scope := strings.Join(g.scopes, " ")
	token, err := s.sign("RS256", accessClaims{
		Iss: s.url + "/oauth2", Sub: g.clientID, ClientID: g.clientID, Scope: scope,
		Jti: newUUID(), Iat: g.issued.Unix(), Exp: g.expires.Unix(),
	})
	if err != nil {
		writeRFCError(w, http.StatusInternalServerError, "server_error", "signing failed", false)
		return
	}
	s.rememberAccess(token, g)
	resp := oauth2TokenResponse{AccessToken: token, TokenType: "Bearer", ExpiresIn: g.expiresIn(), Scope: scope}
	if withRefresh {
		resp.RefreshToken = s.issueRefresh(g)
	}
	writeJSON(w, http.StatusOK, resp)
}
