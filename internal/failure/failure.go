// Package failure holds the typed errors that decide tokctl's exit code, shared
// by the adapters that raise them and the command layer that classifies them,
// so neither has to import the other's package to agree on what went wrong.
package failure

import (
	"fmt"
	"net/http"
	"time"
)

// The error types below decide tokctl's exit code (see the contract):
// ConfigError 2, LoginRequiredError 3, CredentialsRejectedError 4,
// UnavailableError 5; anything else is 1. Each message names the provider
// and says what to do next, and never contains a secret or token.

// ConfigError is a provider configuration that cannot work, found before
// any request is sent.
type ConfigError struct {
	Provider string
	Msg      string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("%s: %s", e.Provider, e.Msg) }

// LoginRequiredError means there is nothing to get a token with: no stored
// token and no client credentials, or a refresh token the provider rejected.
type LoginRequiredError struct {
	Provider string
	Reason   string
	// Hint is the next step; empty means "run `tokctl login PROVIDER`".
	Hint string
}

func (e *LoginRequiredError) Error() string {
	hint := e.Hint
	if hint == "" {
		hint = fmt.Sprintf("run `tokctl login %s`", e.Provider)
	}
	return fmt.Sprintf("%s: %s; %s", e.Provider, e.Reason, hint)
}

// CredentialsRejectedError means the provider refused the client credentials.
type CredentialsRejectedError struct {
	Provider string
	Status   int
	// Detail is the provider's own error text.
	Detail string
	// Hint is the next step.
	Hint string
}

func (e *CredentialsRejectedError) Error() string {
	return fmt.Sprintf("%s: the provider rejected the client credentials%s; %s",
		e.Provider, detail(e.Status, e.Detail), e.Hint)
}

// UnavailableError means the provider could not be reached or did not give a
// usable answer (network error, timeout, 5xx or 429 after retries, unreadable body).
type UnavailableError struct {
	Provider string
	Status   int
	Detail   string
	Err      error
	// RetryIn is the wait the provider asked for (Retry-After or its own
	// header) on a 429 or 5xx that outlived the retries; zero when none.
	RetryIn time.Duration
	// Summary says what could not be used; empty means "token endpoint
	// unavailable" (discovery says "cannot reach issuer …").
	Summary string
	// Hint replaces the default next step.
	Hint string
}

func (e *UnavailableError) Error() string {
	msg := e.Detail
	if e.Err != nil {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	next := "try again later, or check the endpoint with `tokctl providers`"
	switch {
	case e.RetryIn > 0:
		next = "the provider asks to wait " + max(e.RetryIn.Round(time.Second), time.Second).String() + " before trying again"
	case e.Hint != "":
		next = e.Hint
	}
	summary := e.Summary
	if summary == "" {
		summary = "token endpoint unavailable"
	}
	return fmt.Sprintf("%s: %s%s; %s", e.Provider, summary, detail(e.Status, msg), next)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// ProviderError is any other refusal by the provider (e.g. 400 invalid_scope).
type ProviderError struct {
	Provider string
	Status   int
	// Code is the RFC 6749 error code, when the provider sent one.
	Code   string
	Detail string
	Hint   string
}

func (e *ProviderError) Error() string {
	hint := e.Hint
	if hint == "" {
		hint = "check the provider's settings with `tokctl providers`"
	}
	return fmt.Sprintf("%s: the provider refused the token request%s; %s", e.Provider, detail(e.Status, e.Detail), hint)
}

// detail formats ": text (HTTP 401)" from whatever is known.
func detail(status int, text string) string {
	switch {
	case text != "" && status != 0:
		return fmt.Sprintf(": %s (HTTP %d %s)", text, status, http.StatusText(status))
	case text != "":
		return ": " + text
	case status != 0:
		return fmt.Sprintf(" (HTTP %d %s)", status, http.StatusText(status))
	}
	return ""
}
