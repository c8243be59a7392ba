package loopback

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/tokctl/tokctl/internal/termtext"
)

// CallbackError is the provider's refusal, carried by the redirect
// (RFC 6749 §4.1.2.1: error, error_description), sanitised for one line.
type CallbackError struct {
	Provider    string
	Code        string // e.g. access_denied; may be empty
	Description string
}

func (e *CallbackError) Error() string {
	msg := prefix(e.Provider) + "the authorization server refused"
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// ErrNoCode means the redirect had the right state but no authorization code.
var ErrNoCode = errors.New("the redirect carried no authorization code")

var (
	// errBadState marks a callback that is not ours: it must not end the login.
	errBadState  = errors.New("the redirect's state does not match this login")
	errManyCodes = errors.New("the redirect carried more than one authorization code")
)

// IssuerMismatchError ends a login whose redirect names another
// authorization server than the one the login was sent to, or none when the
// provider promised to name itself (RFC 9207: a mix-up attack).
type IssuerMismatchError struct {
	Provider string
	Got      string // the iss parameter, sanitised; "" when absent
	Want     string
}

func (e *IssuerMismatchError) Error() string {
	if e.Got == "" {
		return prefix(e.Provider) + "the redirect does not say which server issued it (no iss), though the provider's discovery document says it always does (RFC 9207); refusing it as a possible mix-up attack"
	}
	return prefix(e.Provider) + fmt.Sprintf("the redirect was issued by %q, not by %q (RFC 9207 iss); refusing it as a possible mix-up attack", e.Got, e.Want)
}

// parseCallback reads a redirect's query. It returns the code only when the
// query carries exactly one state equal to wantState; errBadState means
// "ignore this request and keep waiting"; any other error is conclusive.
func parseCallback(query url.Values, wantState string) (code string, err error) {
	return parseCallbackFrom(query, wantState, "")
}

// parseCallbackFrom is parseCallback that also checks RFC 9207's iss: when
// issuer is set (the provider said it sends iss), the query must carry
// exactly one iss, equal to it.
func parseCallbackFrom(query url.Values, wantState, issuer string) (code string, err error) {
	states := query["state"]
	if wantState == "" || len(states) != 1 ||
		subtle.ConstantTimeCompare([]byte(states[0]), []byte(wantState)) != 1 {
		return "", errBadState
	}
	if isses := query["iss"]; issuer != "" && (len(isses) != 1 || isses[0] != issuer) {
		return "", &IssuerMismatchError{Got: sanitize(strings.Join(isses, ","), 200), Want: issuer}
	}
	if query.Has("error") {
		return "", &CallbackError{
			Code:        sanitize(query.Get("error"), 100),
			Description: sanitize(query.Get("error_description"), 300),
		}
	}
	codes := query["code"]
	switch {
	case len(codes) > 1:
		return "", errManyCodes
	case len(codes) == 0 || codes[0] == "":
		return "", ErrNoCode
	}
	return codes[0], nil
}

// sanitize makes provider text safe for a terminal line: control
// characters (C0, DEL, C1), invisible format characters and bytes that are
// not UTF-8 escaped by termtext.Escape, collapsed spaces, at most max bytes.
func sanitize(s string, max int) string {
	s = strings.Join(strings.Fields(termtext.Escape(s)), " ")
	if len(s) <= max {
		return s
	}
	n := max - len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
