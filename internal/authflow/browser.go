package authflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/jwt"
	"github.com/tokctl/tokctl/internal/loopback"
	"github.com/tokctl/tokctl/internal/provider"
)

// codeFlow runs the authorization-code grant through a loopback redirect.
// p must have a browser login (provider.AuthCodeGrant).
func (fl *Flow) codeFlow(ctx context.Context, p provider.Provider, creds provider.Credentials, noBrowser bool) (*Result, error) {
	ac, ok := p.(provider.AuthCodeGrant)
	if !ok {
		return nil, &failure.ConfigError{Provider: p.Name(), Msg: fmt.Sprintf("%s has no %s grant", p.Kind(), provider.GrantAuthorizationCode)}
	}
	state := loopback.NewState()
	l, err := loopback.Listen(loopback.Config{RedirectURI: ac.RedirectURI(), State: state, Provider: p.Name(),
		Issuer: mixUpIssuer(p.Endpoints())})
	if err != nil {
		var busy *loopback.PortBusyError
		if errors.As(err, &busy) || errors.Is(err, loopback.ErrInvalidRedirectURI) {
			return nil, &failure.ConfigError{Provider: p.Name(), Msg: strings.TrimPrefix(err.Error(), p.Name()+": ")}
		}
		return nil, err
	}
	defer l.Close()
	var verifier, challenge string
	if ac.PKCE() {
		verifier = xoauth2.GenerateVerifier()
		challenge = xoauth2.S256ChallengeFromVerifier(verifier)
	}
	var nonce string
	if slices.Contains(p.Scopes(), "openid") {
		nonce = jwt.NewNonce()
	}
	authURL := ac.AuthCodeURL(provider.AuthRequest{ClientID: creds.ID, RedirectURI: l.RedirectURI(), State: state, Challenge: challenge, Nonce: nonce})

	if !noBrowser {
		if err := fl.canOpen(); err != nil {
			hint := ""
			if provider.Supports(p, provider.GrantDeviceCode) {
				hint = fmt.Sprintf(" (or use `tokctl login %s --device`)", p.Name())
			}
			fl.infof("%v; showing the URL instead%s", err, hint)
			noBrowser = true
		}
	}
	if noBrowser {
		fmt.Fprintf(fl.Out, "tokctl: open this URL in a browser to log in to %s:\n\n    %s\n\n", p.Name(), authURL)
		fmt.Fprintf(fl.Out, "tokctl: the browser is then sent to %s. If that page does not load (the browser runs on another machine), copy its full address from the address bar and paste it here.\n", l.RedirectURI())
		go fl.readPastedRedirects(l)
	} else {
		fmt.Fprintf(fl.Out, "tokctl: opening %s's login page in your browser; if it does not open, visit:\n\n    %s\n\n", p.Name(), authURL)
		fl.Open(authURL)
	}
	fl.infof("waiting for the browser to come back to %s (Ctrl-C to cancel)", l.RedirectURI())

	code, err := l.Wait(ctx)
	if err != nil {
		return nil, fl.waitError(ctx, p.Name(), err)
	}
	tok, err := ac.Exchange(ctx, creds, provider.CodeExchange{Code: code, RedirectURI: l.RedirectURI(), Verifier: verifier})
	if err != nil {
		return nil, err
	}
	if tok.IDToken == "" && nonce != "" {
		fl.warnf("%s: the openid scope was asked for, but no ID token came back", p.Name())
	}
	if tok.RefreshToken == "" && slices.Contains(p.Scopes(), "offline_access") {
		fl.warnf("%s: offline_access was asked for, but no refresh token came back; some providers issue one only with `prompt: consent` (providers.%s.prompt, or %s)", p.Name(), p.Name(), provider.EnvVar(p.Name(), "prompt"))
	}
	unverified, err := fl.Verifier.Verify(ctx, p, "login", creds.ID, tok.IDToken, nonce)
	if err != nil {
		return nil, err
	}
	return &Result{Token: tok, IDTokenUnverified: unverified}, nil
}

// readPastedRedirects lets a user whose browser runs elsewhere paste the
// redirect address; a wrong one is reported and the wait goes on.
func (fl *Flow) readPastedRedirects(l *loopback.Listener) {
	for {
		line, err := iostreams.ReadLine(fl.In)
		if err != nil {
			return // no input (a script, CI): the listener alone decides
		}
		if line == "" {
			continue
		}
		if err := l.Paste(line); err != nil {
			fl.warnf("%v; paste the full address of the page the browser ended on", err)
			continue
		}
		return
	}
}

// mixUpIssuer is the issuer a login's redirect must name (RFC 9207): the
// configured one, when its discovery document says redirects carry it.
func mixUpIssuer(e provider.Endpoints) string {
	if e.IssParameter {
		return e.Issuer
	}
	return ""
}
