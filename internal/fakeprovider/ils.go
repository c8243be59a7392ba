package fakeprovider

import (
	"net/http"
	"strconv"
	"time"
)

const (
	ilsLifetime  = 2 * time.Hour
	ilsRateLimit = 100
)

// ilsStatus is ILS's Error Status Info schema.
type ilsStatus struct {
	Errors        []ilsErrorItem `json:"errors"`
	StatusCode    string         `json:"statusCode"`
	StatusInfoSet ilsStatusInfo  `json:"statusInfoSet"`
}

type ilsErrorItem struct {
	Location string `json:"location"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
}

type ilsStatusInfo struct {
	CodeMajor    string `json:"ils_codeMajor"`
	CodeMinor    string `json:"ils_codeMinor"`
	CodeSeverity string `json:"ils_codeSeverity"`
	Description  string `json:"ils_description"`
}

type ilsTokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// ilsToken serves POST /ils/api/oauth/token: a JSON body with exactly clientId and
// clientSecret. Every reply carries the documented rate-limit headers; the quota is
// reported but never enforced, so long test runs do not hit 429.
func (s *Server) ilsToken(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(ilsRateLimit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(s.ilsQuota()))
	h.Set("X-Rate-Limit-Reset", "60")
	f, err := readJSON(w, r)
	if err == nil {
		err = f.only([]string{"clientId", "clientSecret"}, nil)
	}
	if err != nil {
		ilsError(w, http.StatusBadRequest, "body", "invalid data", err.Error())
		return
	}
	if _, ok := authenticate("ils", f["clientId"], f["clientSecret"]); !ok {
		ilsError(w, http.StatusUnauthorized, "clientSecret", "unauthorized", "invalid client credentials")
		return
	}
	s.ilsIssue(w, f["clientId"])
}

func (s *Server) ilsIssue(w http.ResponseWriter, clientID string) {
	g := s.newGrant("ils", clientID, []string{}, ilsLifetime)
	token, err := s.sign("RS256", accessClaims{
		Iss: s.url + "/ils", ClientID: clientID, Jti: newUUID(), Iat: g.issued.Unix(), Exp: g.expires.Unix(),
	})
	if err != nil {
		ilsError(w, http.StatusInternalServerError, "server", "server_busy", "signing failed")
		return
	}
	s.rememberAccess(token, g)
	writeJSON(w, http.StatusOK, ilsTokenResponse{AccessToken: token, ExpiresIn: g.expiresIn(), TokenType: "bearer"})
}

func ilsError(w http.ResponseWriter, status int, location, minor, message string) {
	reason := "invalid"
	if status >= 500 {
		reason = "error"
	}
	writeJSON(w, status, ilsStatus{
		Errors:     []ilsErrorItem{{Location: location, Reason: reason, Message: message}},
		StatusCode: strconv.Itoa(status),
		StatusInfoSet: ilsStatusInfo{
			CodeMajor: "failure", CodeMinor: minor, CodeSeverity: "error", Description: message,
		},
	})
}
