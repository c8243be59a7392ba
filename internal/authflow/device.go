package authflow

import (
	"context"
	"fmt"
	"time"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/oauth"
	"github.com/tokctl/tokctl/internal/provider"
)

// Device runs the device authorization grant (RFC 8628): the user code and
// where to enter it on Out, the browser opened there unless noBrowser, then
// polling until approval. p must have the grant (provider.DeviceGrant).
func (fl *Flow) Device(ctx context.Context, p provider.Provider, creds provider.Credentials, noBrowser bool) (*Result, error) {
	dg, ok := p.(provider.DeviceGrant)
	if !ok {
		return nil, &failure.ConfigError{Provider: p.Name(), Msg: fmt.Sprintf("%s has no %s grant", p.Kind(), provider.GrantDeviceCode)}
	}
	da, err := dg.DeviceAuth(ctx, creds)
	if err != nil {
		return nil, err
	}
	w := fl.Out
	fmt.Fprintf(w, "tokctl: to log in to %s, open\n\n    %s\n\nand enter the code\n\n    %s\n\n", p.Name(), da.VerificationURI, da.UserCode)
	open := da.VerificationURIComplete
	if open != "" {
		fmt.Fprintf(w, "(or open %s, which has the code in it)\n\n", open)
	} else {
		open = da.VerificationURI
	}
	if !noBrowser && fl.canOpen() == nil {
		fl.Open(open)
	}
	fl.infof("waiting for approval (the code expires in %s; Ctrl-C to cancel)", da.ExpiresIn.Round(time.Second))
	tok, err := oauth.PollDevice(ctx, p.Name(), da, func(ctx context.Context) (*oauth.Token, error) {
		return dg.DeviceToken(ctx, creds, da.DeviceCode)
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fl.waitError(ctx, p.Name(), err)
		}
		return nil, err
	}
	unverified, err := fl.Verifier.Verify(ctx, p, "login", creds.ID, tok.IDToken, "")
	if err != nil {
		return nil, err
	}
	return &Result{Token: tok, IDTokenUnverified: unverified}, nil
}
