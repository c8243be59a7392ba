package cli

import (
	"time"

	"github.com/tokctl/tokctl/internal/proc"
)

// Refresh-ahead (see tokens.GetRequest.RefreshAhead): the background
// refresh is tokctl itself, run again for the same request with a hidden
// flag and detached (proc.StartDetached), so that `$(tokctl token get …)`
// does not wait for it; tokens.Service.RenewAhead is its work.

// refreshAheadFlag marks the background refresh's command line.
const refreshAheadFlag = "refresh-ahead-child"

// refreshAhead is what starts a background refresh, or nil when tokctl does
// not run as a program (f.Args is nil in-process). Whatever goes wrong
// there only means no refresh ahead: the token is served either way.
func (f *Factory) refreshAhead() func(provider string, scopes []string, minTTL time.Duration) {
	if f.Args == nil {
		return nil
	}
	return func(provider string, scopes []string, minTTL time.Duration) {
		_ = proc.StartDetached(f.refreshAheadArgs(provider, scopes, minTTL))
	}
}

// refreshAheadArgs is the background refresh's command line: the request
// (of a `token get`, or the token of a `tokctl exec`) with the global
// settings it ran with.
func (f *Factory) refreshAheadArgs(provider string, scopes []string, minTTL time.Duration) []string {
	var args []string
	if f.ConfigFile != "" {
		args = append(args, "--config", f.ConfigFile)
	}
	if f.StoreKind != "" {
		args = append(args, "--store", f.StoreKind)
	}
	if f.Timeout > 0 {
		args = append(args, "--timeout", f.Timeout.String())
	}
	args = append(args, "token", "get", provider, "--min-ttl", minTTL.String(), "--"+refreshAheadFlag)
	for _, s := range scopes {
		args = append(args, "--scope", s)
	}
	return args
}
