// Package authflow holds tokctl's login flows, the int128/oauth2cli shape:
// one entry point per flow — the browser with a loopback listener
// (Browser), the same with the address pasted back (PasteBack), and the
// device flow (Device) — each owning its state, PKCE, nonce, listener,
// the opening of the browser, the code exchange and the ID-token check,
// and returning a token. What it needs of the outside (the browser opener,
// stderr, stdin, the clock, the HTTP client) comes in through Flow.
package authflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
)

// Flow is what a login flow needs of the outside.
type Flow struct {
	// Out receives the user-facing lines (stderr).
	Out io.Writer
	// In is where a pasted redirect address is read from (stdin).
	In io.Reader
	// Open starts the user's browser on a URL without waiting for it.
	Open func(url string)
	// CanOpen says whether a browser can be opened here (nil: it can).
	CanOpen func() error
	// Timeout is the command's --timeout, for the message when it runs out.
	Timeout time.Duration
	// Verifier checks the ID token a login brings.
	Verifier *Verifier
}

// Result is a login's token and whether its ID token is unverified (the
// provider has no issuer that vouches for it), so kept marked as such.
type Result struct {
	Token             *oauth.Token
	IDTokenUnverified bool
}

// Browser runs the authorization-code grant: a loopback listener for the
// redirect, the authorization page opened in the browser, or, when no
// browser can be opened here, shown for pasting back (PasteBack).
func (fl *Flow) Browser(ctx context.Context, p provider.Provider, creds provider.Credentials) (*Result, error) {
	return fl.codeFlow(ctx, p, creds, false)
}

// PasteBack runs the authorization-code grant with the URL only printed
// (--no-browser): the loopback listener waits, and the address of the page
// the browser ended on may also be pasted into the terminal.
func (fl *Flow) PasteBack(ctx context.Context, p provider.Provider, creds provider.Credentials) (*Result, error) {
	return fl.codeFlow(ctx, p, creds, true)
}

// waitError explains why no code arrived: the command's deadline, an
// interrupt, or a conclusive redirect without a code (the provider's
// refusal, a missing code).
func (fl *Flow) waitError(ctx context.Context, name string, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: no login within %s; run `tokctl login %s` again (--timeout sets the wait)", name, fl.Timeout, name)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%s: login interrupted", name)
	}
	return fmt.Errorf("%s: the login was not completed: %s; run `tokctl login %s` to try again", name, strings.TrimPrefix(err.Error(), name+": "), name)
}

func (fl *Flow) canOpen() error {
	if fl.CanOpen == nil {
		return nil
	}
	return fl.CanOpen()
}

// warnf prints one warning line to Out.
func (fl *Flow) warnf(format string, args ...any) {
	fmt.Fprintf(fl.Out, "tokctl: warning: "+format+"\n", args...)
}

// infof prints one message line to Out.
func (fl *Flow) infof(format string, args ...any) {
	fmt.Fprintf(fl.Out, "tokctl: "+format+"\n", args...)
}
