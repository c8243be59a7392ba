package fakeprovider

import (
	"errors"
	"net/http"
	"time"
)

const tikiLifetime = time.Hour

// tikiErrorBody is Tiki's documented Error schema (templates/api/docs/schemas/Error.yaml).
type tikiErrorBody struct {
	Code       int    `json:"code"`
	ErrorTitle string `json:"errortitle"`
	Message    string `json:"message"`
}

// leagueError is what league/oauth2-server, under Tiki's controller, sends for a bad grant.
type leagueError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Hint        string `json:"hint"`
	Message     string `json:"message"`
}

type tikiTokenResponse struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// grantShape lists a grant's parameters.
type grantShape struct {
	required, optional []string
}

// tikiShapes follows the Tiki OpenAPI: client_id and client_secret on every grant,
// scope only with client_credentials and refresh_token.
func tikiShapes() map[string]grantShape {
	creds := []string{"grant_type", "client_id", "client_secret"}
	return map[string]grantShape{
		"client_credentials": {creds, []string{"scope"}},
		"authorization_code": {append(creds, "code", "redirect_uri"), []string{"code_verifier"}},
		"refresh_token":      {append(creds, "refresh_token"), []string{"scope"}},
	}
}

func tikiAuthorize() authorizeRoute {
	return authorizeRoute{provider: "tiki", pkce: true, scopes: tikiScopes}
}

func tikiScopes(s string) ([]string, bool) {
	scopes, ok := splitScope(s, " ")
	return scopes, ok && subset(scopes, []string{"read", "write", "admin"})
}

// tikiToken serves GET /tiki/api/oauth/access_token with query parameters only.
func (s *Server) tikiToken(w http.ResponseWriter, r *http.Request) {
	q, err := readQuery(r)
	if err != nil {
		tikiError(w, http.StatusBadRequest, err.Error())
		return
	}
	shape, ok := tikiShapes()[q["grant_type"]]
	if !ok {
		tikiError(w, http.StatusBadRequest, "grant_type must be client_credentials, authorization_code or refresh_token")
		return
	}
	if err := q.only(shape.required, shape.optional); err != nil {
		tikiError(w, http.StatusBadRequest, err.Error())
		return
	}
	scopes, ok := tikiScopes(q["scope"])
	if !ok {
		tikiError(w, http.StatusBadRequest, "scope must be a space-separated list of read, write, admin")
		return
	}
	if _, ok := authenticate("tiki", q["client_id"], q["client_secret"]); !ok {
		tikiError(w, http.StatusForbidden, "Client authentication failed")
		return
	}
	s.tikiGrant(w, q, scopes)
}

func (s *Server) tikiGrant(w http.ResponseWriter, q fields, scopes []string) {
	id := q["client_id"]
	switch q["grant_type"] {
	case "client_credentials":
		s.tikiIssue(w, s.newGrant("tiki", id, scopes, tikiLifetime), false)
	case "authorization_code":
		c, err := s.redeemCode("tiki", id, q["code"], q["redirect_uri"], q["code_verifier"])
		if err != nil {
			writeJSON(w, http.StatusBadRequest, leagueInvalidGrant(err.Error()))
			return
		}
		s.tikiIssue(w, s.newGrant("tiki", id, c.scopes, tikiLifetime), true)
	default:
		s.tikiRefresh(w, q, scopes)
	}
}

func (s *Server) tikiRefresh(w http.ResponseWriter, q fields, scopes []string) {
	old, err := s.useRefresh("tiki", q["client_id"], q["refresh_token"], scopes)
	switch {
	case errors.Is(err, errRefreshScope):
		tikiError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		writeJSON(w, http.StatusBadRequest, leagueInvalidRefresh(err))
	default:
		s.tikiIssue(w, s.newGrant("tiki", old.clientID, narrow(scopes, old.scopes), tikiLifetime), true)
	}
}

func (s *Server) tikiIssue(w http.ResponseWriter, g grant, withRefresh bool) {
	token, err := s.sign("RS256", accessClaims{
		Iss: s.url + "/tiki", Aud: g.clientID, ClientID: g.clientID, Scopes: g.scopes,
		Jti: newUUID(), Iat: g.issued.Unix(), Nbf: g.issued.Unix(), Exp: g.expires.Unix(),
	})
	if err != nil {
		tikiError(w, http.StatusInternalServerError, "signing failed")
		return
	}
	s.rememberAccess(token, g)
	resp := tikiTokenResponse{TokenType: "Bearer", ExpiresIn: g.expiresIn(), AccessToken: token}
	if withRefresh {
		resp.RefreshToken = s.issueRefresh(g)
	}
	writeJSON(w, http.StatusOK, resp)
}

func tikiError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, tikiErrorBody{Code: status, ErrorTitle: http.StatusText(status), Message: message})
}

func leagueInvalidGrant(hint string) leagueError {
	const msg = "The provided authorization grant (e.g., authorization code, resource owner credentials) " +
		"or refresh token is invalid, expired, revoked, does not match the redirection URI used in the " +
		"authorization request, or was issued to another client."
	return leagueError{Error: "invalid_grant", Description: msg, Hint: hint, Message: msg}
}

func leagueInvalidRefresh(err error) leagueError {
	const msg = "The refresh token is invalid."
	hint := "Token has been revoked"
	if errors.Is(err, errRefreshClient) {
		hint = "Token is not linked to client"
	}
	return leagueError{Error: "invalid_grant", Description: msg, Hint: hint, Message: msg}
}
