package fakeprovider

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// OIDCHostility makes the /oidc routes misbehave on purpose, for tests of what a
// client does with an ID token or an authorization response it must not trust:
// another iss (or one with a trailing slash), an aud without azp, an iat in the
// future, an unsigned ID token on refresh, a redirect naming another issuer.
type OIDCHostility struct {
	// Claims sets claims of the ID tokens signed from now on; a null value removes one.
	Claims map[string]any `json:"claims,omitempty"`
	// Unsigned makes those ID tokens alg "none" with an empty signature.
	Unsigned bool `json:"unsigned,omitempty"`
	// Grant limits Claims and Unsigned to the ID tokens of one grant type
	// ("authorization_code", "refresh_token" or the device grant's URN); empty means all.
	Grant string `json:"grant,omitempty"`
	// CallbackIss replaces the iss parameter of authorization responses (RFC 9207);
	// "-" leaves it out.
	CallbackIss string `json:"callback_iss,omitempty"`
	// NoIssParameter stops the discovery document advertising
	// authorization_response_iss_parameter_supported.
	NoIssParameter bool `json:"no_iss_parameter,omitempty"`
}

// SetOIDCHostility replaces the /oidc routes' hostility; the zero value (or Reset)
// makes them well-behaved again. It is also POST /_fake/oidc-hostility.
func (s *Server) SetOIDCHostility(h OIDCHostility) error {
	switch h.Grant {
	case "", "authorization_code", "refresh_token", deviceGrantType:
	default:
		return errors.New("fakeprovider: hostility grant must be authorization_code, refresh_token or " + deviceGrantType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.oidcHostility = h
	return nil
}

func (s *Server) oidcHostility() OIDCHostility {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.oidcHostility
}

// applies reports whether h changes the ID tokens of grant.
func (h OIDCHostility) applies(grant string) bool {
	return (h.Claims != nil || h.Unsigned) && (h.Grant == "" || h.Grant == grant)
}

// unsigned is an alg "none" JWT of claims.
func unsigned(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	return b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64(payload) + ".", nil
}

// patchedClaims returns claims with h.Claims applied, as a map to sign.
func (h OIDCHostility) patchedClaims(claims idClaims) (map[string]any, error) {
	raw, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for k, v := range h.Claims {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m, nil
}

// callbackIss is the iss parameter of an authorization response.
func (h OIDCHostility) callbackIss(issuer string) (string, bool) {
	switch h.CallbackIss {
	case "":
		return issuer, true
	case "-":
		return "", false
	}
	return h.CallbackIss, true
}

// setOIDCHostilityHTTP serves POST /_fake/oidc-hostility: an OIDCHostility object.
func (s *Server) setOIDCHostilityHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusBadRequest, rfcError{Error: "invalid_request", Description: "use POST"})
		return
	}
	var h OIDCHostility
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFaultBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&h)
	if err == nil {
		err = s.SetOIDCHostility(h)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, rfcError{Error: "invalid_request", Description: strings.TrimPrefix(err.Error(), "fakeprovider: ")})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
