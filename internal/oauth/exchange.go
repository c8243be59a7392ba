package oauth

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/termtext"
)

// ErrorInfo is a provider's error body reduced to an RFC 6749 style code and
// a human description.
type ErrorInfo struct {
	Code        string
	Description string
}

// Text is the provider's error as one line.
func (e ErrorInfo) Text() string {
	switch {
	case e.Code != "" && e.Description != "":
		return e.Code + ": " + e.Description
	case e.Code != "":
		return e.Code
	}
	return e.Description
}

// Exchange is one token request and how to read its answer.
type Exchange struct {
	Request
	// Grant is the grant type sent ("client_credentials", "refresh_token", …).
	Grant string
	// ParseError reads the provider's error body; nil means RFC 6749 §5.2.
	ParseError func(status int, body []byte) ErrorInfo
	// Parse describes the success body.
	Parse ParseOptions
	// CredentialsHint is the next step when the credentials are rejected.
	CredentialsHint string
	// BadRequestHint is the next step after a 400 that names no credentials
	// problem, for a provider that answers 400 to more than a malformed
	// request; "" means check the provider's settings.
	BadRequestHint string
}

// Token sends ex and returns the token, or an error typed by what went
// wrong: *failure.UnavailableError, *failure.CredentialsRejectedError, *failure.LoginRequiredError
// (a rejected refresh token) or *failure.ProviderError.
func (c *Client) Token(ctx context.Context, ex *Exchange) (*Token, error) {
	resp, err := c.Do(ctx, &ex.Request)
	if err != nil {
		return nil, err
	}
	provider := ex.Provider
	if resp.Status >= 300 && resp.Status < 400 {
		return nil, &failure.UnavailableError{Provider: provider, Status: resp.Status, Detail: "unexpected redirect from the token endpoint"}
	}
	if resp.Status >= 200 && resp.Status < 300 {
		opts := ex.Parse
		if opts.Now.IsZero() {
			opts.Now = time.Now()
		}
		tok, err := ParseToken(resp.Body, opts)
		if err != nil {
			return nil, &failure.UnavailableError{Provider: provider, Status: resp.Status, Detail: "unreadable response", Err: err}
		}
		return tok, nil
	}
	return nil, classify(c.clockNow(), provider, ex, resp, ReadError(&ex.Request, resp, ex.ParseError))
}

func classify(now time.Time, provider string, ex *Exchange, resp *Response, info ErrorInfo) error {
	status := resp.Status
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		ue := &failure.UnavailableError{Provider: provider, Status: status, Detail: info.Text()}
		// The retries are spent, or the wait asked for is beyond their
		// budget: say how long the provider asked to wait.
		if wait, ok := retryHint(now, resp.Status, resp.Header, ex.RetryAfter); ok && wait > 0 {
			ue.RetryIn = wait
		}
		return ue
	case ex.Grant == "refresh_token" && (info.Code == "invalid_grant" || status == http.StatusForbidden || status == http.StatusUnauthorized):
		return &failure.LoginRequiredError{Provider: provider, Reason: "the refresh token was rejected (" + fallback(info.Text(), http.StatusText(status)) + ")"}
	case ex.Grant == grantJWTBearer && info.Code == "invalid_grant":
		// The grant is an assertion signed with the client's key: a refused
		// one means the key (or its registration) is wrong.
		return &failure.CredentialsRejectedError{Provider: provider, Status: status, Detail: info.Text(), Hint: ex.CredentialsHint}
	case info.Code == "invalid_client" || info.Code == "unauthorized_client" ||
		status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &failure.CredentialsRejectedError{Provider: provider, Status: status, Detail: info.Text(), Hint: ex.CredentialsHint}
	}
	pe := &failure.ProviderError{Provider: provider, Status: status, Code: info.Code, Detail: info.Text()}
	if status == http.StatusBadRequest {
		pe.Hint = ex.BadRequestHint
	}
	return pe
}

// grantJWTBearer is RFC 7523 §2.1's grant type.
const grantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

func fallback(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func looksJSON(b []byte) bool {
	s := strings.TrimSpace(string(b))
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
}

// ParseRFC6749Error reads an RFC 6749 §5.2 error body {error, error_description}
// (or league/oauth2-server's "message"). Fields of an unexpected type are
// ignored one by one, so a stray number does not hide the error code.
func ParseRFC6749Error(_ int, body []byte) ErrorInfo {
	var e struct {
		Error            any `json:"error"`
		ErrorDescription any `json:"error_description"`
		Message          any `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ErrorInfo{}
	}
	code, _ := e.Error.(string)
	desc, _ := e.ErrorDescription.(string)
	msg, _ := e.Message.(string)
	return ErrorInfo{Code: Clean(code), Description: Clean(fallback(desc, msg))}
}

// Clean makes provider text safe for a one-line message: control
// characters escaped, no JWT, bounded length.
func Clean(s string) string {
	// Escape first: C0, DEL and C1 (e.g. U+009B, an 8-bit CSI) and
	// invisible format characters become visible escapes, white space
	// controls a space.
	s = strings.Join(strings.Fields(termtext.Escape(s)), " ")
	return truncate(redactJWTs(s), 300)
}
