package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/proc"
	"github.com/tokctl/tokctl/internal/reference"
)

// ExecOptions are the inputs of `tokctl exec`.
type ExecOptions struct {
	// Token selects the token as `token get` does: Provider, Scopes,
	// MinTTL; and gets it (Tokens, Interruptible, RefreshAhead).
	Token TokenGetOptions
	// Env is the name of the variable that carries the token.
	Env string
	// Command is CMD and its arguments.
	Command []string
}

// NewCmdExec builds `tokctl exec`; runF replaces the work in tests.
func NewCmdExec(f *Factory, runF func(context.Context, *ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{Token: TokenGetOptions{IO: f.IO, Now: f.now, Interruptible: f.Interruptible}}
	cmd := &cobra.Command{
		Use:   "exec PROVIDER [--env NAME] -- CMD [ARGS...]",
		Short: "Run a command with a valid access token in its environment",
		Long:  reference.Exec,
		Example: `  tokctl exec tilia -- sh -c 'printf "Authorization: Bearer %s\n" "$TOKCTL_ACCESS_TOKEN" | curl -H @- https://...'
  tokctl exec ils --env ILS_TOKEN --min-ttl 10m -- sh -c 'printf "Authorization: Bearer %s\n" "$ILS_TOKEN" | curl -fsS -H @- https://api.ils.live/api/...'
  # curl 8.3 or later reads the variable itself, no shell needed:
  #   tokctl exec tilia -- curl --variable %TOKCTL_ACCESS_TOKEN --expand-header 'Authorization: Bearer {{TOKCTL_ACCESS_TOKEN}}' https://...`,
		Args:              execArgs,
		ValidArgsFunction: completeExec(f),
		RunE: runE(f, opts, runF, execRun, func(args []string) error {
			opts.Token.Provider = args[0]
			opts.Command = args[1:]
			if !proc.ValidEnvName(opts.Env) {
				return usageErrorf("%s: invalid --env %q: use letters, digits and _, not starting with a digit", opts.Token.Provider, opts.Env)
			}
			if opts.Token.MinTTL < 0 {
				return usageErrorf("--min-ttl must not be negative")
			}
			opts.Token.Tokens, opts.Token.RefreshAhead = f.Service(), f.refreshAhead()
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Env, "env", "TOKCTL_ACCESS_TOKEN", "name of the environment variable that carries the token")
	fl.StringArrayVar(&opts.Token.Scopes, "scope", nil, "scope to request (repeatable; replaces the configured scopes)")
	fl.DurationVar(&opts.Token.MinTTL, "min-ttl", 60*time.Second, "get a new token when the stored one has less time left")
	return cmd
}

// execArgs requires PROVIDER, then `--`, then CMD: with the `--` there, no
// argument of CMD can be taken for one of tokctl's flags.
func execArgs(cmd *cobra.Command, args []string) error {
	dash := cmd.ArgsLenAtDash()
	switch {
	case len(args) == 0 || dash == 0:
		return usageErrorf("%s needs a PROVIDER argument: tokctl exec PROVIDER -- CMD [ARGS...]", cmd.CommandPath())
	case dash == -1 && len(args) == 1:
		return usageErrorf("%s needs a command to run: tokctl exec %s -- CMD [ARGS...]", cmd.CommandPath(), args[0])
	case dash == -1:
		return usageErrorf("%s: put `--` between PROVIDER and the command: tokctl exec %s -- %s ...", cmd.CommandPath(), args[0], args[1])
	case dash > 1:
		return usageErrorf("%s takes one PROVIDER argument before `--`, got %d", cmd.CommandPath(), dash)
	case len(args) == 1:
		return usageErrorf("%s needs a command after `--`: tokctl exec %s -- CMD [ARGS...]", cmd.CommandPath(), args[0])
	}
	return nil
}

// completeExec completes PROVIDER, and after it CMD and its arguments as
// files.
func completeExec(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	providers := completeProviders(f)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return providers(cmd, args, toComplete)
		}
		return nil, cobra.ShellCompDirectiveDefault
	}
}

// execRun looks CMD up (a typo costs no token request), gets the token as
// `token get` would, and runs CMD with it in its environment.
func execRun(ctx context.Context, opts *ExecOptions) error {
	name, errOut := opts.Command[0], opts.Token.IO.ErrOut
	path, err := proc.LookPath(name)
	var nr *proc.NotRunnableError
	if errors.As(err, &nr) {
		fmt.Fprintf(errOut, "tokctl: %s: cannot run %q: %s\n", opts.Token.Provider, name, nr.Reason)
		return &failure.SilentError{Code: nr.Code}
	}
	tok, err := opts.Token.Tokens.Get(ctx, getRequest(&opts.Token))
	if err != nil {
		return err
	}
	cmd := &exec.Cmd{
		Path: path,
		Args: opts.Command,
		// The token goes last: os/exec keeps the last of duplicate names,
		// so it replaces any NAME the environment already has.
		Env:    append(os.Environ(), opts.Env+"="+tok.AccessToken),
		Stdin:  opts.Token.IO.In,
		Stdout: opts.Token.IO.Out,
		Stderr: errOut,
	}
	code, err := proc.Run(cmd)
	if err != nil {
		fmt.Fprintf(errOut, "tokctl: %s: cannot run %q: %v\n", opts.Token.Provider, name, err)
		return &failure.SilentError{Code: proc.ExitCannotRun}
	}
	if code != 0 {
		return &failure.SilentError{Code: code}
	}
	return nil
}
