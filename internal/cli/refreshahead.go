package cli

import (
	"context"
	"os"
	"os/exec"
)

// Refresh-ahead: a `token get` that serves a token in the last quarter of
// its life (but with at least --min-ttl left) prints it at once and starts
// one background refresh, so that a script calling it in a loop finds a
// fresh token next time instead of waiting for the network once per token
// lifetime. The background refresh is tokctl itself, run again for the same
// request with a hidden flag, in a session of its own and with no
// stdin, stdout or stderr, so that `$(tokctl token get …)` does not wait for
// it. It takes the provider's lock and looks at the record again, so that
// however many processes start one, the provider sees one request; when it
// fails, the record stays as it was and the foreground path refreshes when
// the token is really due.

// refreshAheadFlag marks the background refresh's command line.
const refreshAheadFlag = "refresh-ahead-child"

// startRefreshAhead starts the background refresh of opts's request unless
// the setting turns it off. Whatever goes wrong here only means no refresh
// ahead: the token is served either way.
func startRefreshAhead(f *Factory, opts *TokenGetOptions) {
	if f.Args == nil || opts.RefreshAheadChild || opts.NoCache {
		return
	}
	cfg, err := f.Config()
	if err != nil {
		return
	}
	if on, err := cfg.RefreshAhead(); err != nil || !on {
		if err != nil {
			f.warnf("%v; not refreshing ahead", err)
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	cmd := exec.Command(exe, refreshAheadArgs(f, opts)...)
	cmd.Args[0] = os.Args[0] // what the program was called, as a shell would pass it
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return
	}
	// Reaped if this process outlives it (tokctl exec); it outlives a
	// `token get`, which exits without waiting.
	go func() { _ = cmd.Wait() }()
}

// refreshAheadArgs is the background refresh's command line: the request
// of opts (a `token get`, or the token of a `tokctl exec`) with the global
// settings it ran with.
func refreshAheadArgs(f *Factory, opts *TokenGetOptions) []string {
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
	args = append(args, "token", "get", opts.Provider, "--min-ttl", opts.MinTTL.String(), "--"+refreshAheadFlag)
	for _, s := range opts.Scopes {
		args = append(args, "--scope", s)
	}
	return args
}

// refreshAheadRun is the background refresh: under the provider's lock, it
// renews the record when it is still in the last quarter of its life (no
// other process renewed it meanwhile). It prints nothing; a failure leaves
// the record as it was.
func refreshAheadRun(ctx context.Context, opts *TokenGetOptions) error {
	f := opts.f
	r, err := newTokenRequest(f, opts.Provider, withScopes(opts.Scopes))
	if err != nil {
		return err
	}
	b, err := f.Store()
	if err != nil || b.Name() == "none" {
		return err
	}
	return f.Tokens().RenewAhead(ctx, r, b)
}
