package fakeprovider

import "net/http"

// Revoked reports whether token, an access or refresh token of an oidc client, was
// revoked at /oidc/revoke since Start or the last Reset.
func (s *Server) Revoked(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.oidc.revoked[token]
}

// RevokedCount is how many tokens /oidc/revoke has revoked since Start or the last Reset;
// requests naming unknown tokens, or another client's, revoke nothing.
func (s *Server) RevokedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.oidc.revoked)
}

// revoke serves POST /oidc/revoke (RFC 7009): form body with token, an optional
// token_type_hint and the client's authentication as at the token endpoint. It answers
// 200 with an empty body whether or not the token was known (§2.2). Revoking a refresh
// token leaves access tokens from the same grant alive, and the other way round.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	f, err := readForm(w, r)
	if err != nil {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", err.Error(), false)
		return
	}
	c, fail := s.oidcClient(r, f)
	if fail == nil {
		if err := f.only([]string{"token"}, []string{"token_type_hint"}); err != nil {
			fail = badRequest(err.Error())
		}
	}
	if hint := f["token_type_hint"]; fail == nil && hint != "" && hint != "access_token" && hint != "refresh_token" {
		fail = &rfcFailure{status: http.StatusBadRequest, code: "unsupported_token_type", desc: "token_type_hint must be access_token or refresh_token"}
	}
	if fail != nil {
		fail.write(w)
		return
	}
	s.revokeToken(c.ID, f["token"])
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// revokeToken forgets an oidc token issued to clientID, whatever the hint said (§2.1).
func (s *Server) revokeToken(clientID, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.st.access[token]; ok && g.provider == "oidc" && g.clientID == clientID {
		delete(s.st.access, token)
		s.st.oidc.revoked[token] = true
	}
	if g, ok := s.st.refresh[token]; ok && g.provider == "oidc" && g.clientID == clientID {
		delete(s.st.refresh, token)
		s.st.oidc.revoked[token] = true
	}
}
