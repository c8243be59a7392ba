package fakeprovider

import (
	"encoding/json"
	"net/http"
)

// rfcError is an RFC 6749 §5.2 error body.
type rfcError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeJSON sends v as JSON. Every response carries the RFC 6749 §5.1 no-store headers:
// harmless on errors, and required on token responses, so one writer serves all.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeRFCError sends an RFC 6749 §5.2 error; when the client used Basic, a 401 must
// carry WWW-Authenticate.
func writeRFCError(w http.ResponseWriter, status int, code, desc string, basic bool) {
	if status == http.StatusUnauthorized && basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
	}
	writeJSON(w, status, rfcError{Error: code, Description: desc})
}
