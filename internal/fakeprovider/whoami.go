package fakeprovider

import (
	"net/http"
	"strings"
	"time"
)

type whoamiResponse struct {
	Provider  string   `json:"provider"`
	ClientID  string   `json:"client_id"`
	Scopes    []string `json:"scopes"`
	ExpiresAt *string  `json:"expires_at"` // null for tokens that never expire (Tiltify v3)
}

// whoami serves GET /api/whoami: it tells a demo which token it is holding, and
// proves a token was issued here and is still live.
func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeRFCError(w, http.StatusBadRequest, "invalid_request", "use GET", false)
		return
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	g, ok := s.lookupAccess(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" || !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, rfcError{Error: "invalid_token"})
		return
	}
	resp := whoamiResponse{Provider: g.provider, ClientID: g.clientID, Scopes: g.scopes}
	if resp.Scopes == nil {
		resp.Scopes = []string{}
	}
	if !g.expires.IsZero() {
		at := g.expires.UTC().Format(time.RFC3339)
		resp.ExpiresAt = &at
	}
	writeJSON(w, http.StatusOK, resp)
}
