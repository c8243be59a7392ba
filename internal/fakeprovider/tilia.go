package fakeprovider

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const tiliaLifetime = time.Hour

// tiliaFailure is Tilia's general error envelope (tilia.io/docs/errors).
type tiliaFailure struct {
	Status  string   `json:"status"`
	Message []string `json:"message"`
	Codes   []string `json:"codes"`
}

type tiliaTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   any    `json:"expires_in"` // "3600" per document 000, or 3600 with TiliaExpiresAsNumber
	Scope       string `json:"scope"`
}

func tiliaScopes() []string {
	return []string{"write_registrations", "write_user_tokens", "user_info", "read_invoices", "write_invoices", "read_kycs"}
}

// tiliaToken serves POST /tilia/token: a form body with exactly client_id,
// client_secret, grant_type=client_credentials and a comma-joined scope.
func (s *Server) tiliaToken(w http.ResponseWriter, r *http.Request) {
	f, err := readForm(w, r)
	if err == nil {
		err = f.only([]string{"client_id", "client_secret", "grant_type", "scope"}, nil)
	}
	if err != nil {
		tiliaError(w, http.StatusBadRequest, err.Error(), "INPUT_ERROR")
		return
	}
	scopes, ok := splitScope(f["scope"], ",")
	switch {
	case f["grant_type"] != "client_credentials":
		tiliaError(w, http.StatusBadRequest, "grant_type must be client_credentials", "INPUT_ERROR")
	case !ok:
		tiliaError(w, http.StatusBadRequest, "scope must be a comma-separated list", "INPUT_ERROR")
	default:
		s.tiliaIssue(w, f, scopes)
	}
}

func (s *Server) tiliaIssue(w http.ResponseWriter, f fields, scopes []string) {
	if _, ok := authenticate("tilia", f["client_id"], f["client_secret"]); !ok || !subset(scopes, tiliaScopes()) {
		tiliaError(w, http.StatusUnauthorized, "Unauthorized client or scope", "UNAUTHORIZED")
		return
	}
	g := s.newGrant("tilia", f["client_id"], scopes, tiliaLifetime)
	token, err := s.sign("RS512", tiliaClaims{
		ClientID: g.clientID, Exp: g.expires.Unix(), Iat: g.issued.Unix(), Integrator: "demo",
		Iss: s.url + "/tilia", Jti: newUUID(), Scopes: scopes, TokenType: "client_credentials",
	})
	if err != nil {
		tiliaError(w, http.StatusInternalServerError, "signing failed", "SERVER_ERROR")
		return
	}
	s.rememberAccess(token, g)
	var expires any = strconv.FormatInt(g.expiresIn(), 10)
	if s.opts.TiliaExpiresAsNumber {
		expires = g.expiresIn()
	}
	writeJSON(w, http.StatusOK, tiliaTokenResponse{
		AccessToken: token, TokenType: "Bearer", ExpiresIn: expires, Scope: strings.Join(scopes, ","),
	})
}

func tiliaError(w http.ResponseWriter, status int, message, code string) {
	writeJSON(w, status, tiliaFailure{Status: "Failure", Message: []string{message}, Codes: []string{code}})
}
