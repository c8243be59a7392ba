package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/buildinfo"
	"github.com/tokctl/tokctl/internal/failure"
	"github.com/tokctl/tokctl/internal/iostreams"
	"github.com/tokctl/tokctl/internal/reference"
	"github.com/tokctl/tokctl/internal/termtext"
	"github.com/tokctl/tokctl/internal/tokens"
)

// Main runs tokctl with args and returns the process exit code.
func Main(build BuildInfo, args []string) int {
	return Run(&Factory{IO: iostreams.System(), Build: build}, args)
}

// Run runs tokctl with args on f's dependencies and returns the process
// exit code; tests that run the real command set f's hooks.
func Run(f *Factory, args []string) (code int) {
	io := f.IO
	defer recoverPanic(io.ErrOut, &code)
	f.Args = args // tokctl runs as a program: it may start a background refresh
	root := newRootForArgs(f, args)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if intr := f.interrupted.Load(); intr != nil && err != nil {
		err = intr // whatever the wait it cut short said about it
	}
	if err != nil {
		if _, silent := err.(*failure.SilentError); !silent {
			fmt.Fprintf(io.ErrOut, "tokctl: %s\n", termtext.EscapeLines(err.Error())) // it may quote a provider, a file or a path
		}
	}
	return exitCode(err)
}

// subcommands are tokctl's commands, in the order help lists them.
var subcommands = []struct {
	name  string
	build func(*Factory) *cobra.Command
}{
	{"login", func(f *Factory) *cobra.Command { return NewCmdLogin(f, nil) }},
	{"token", NewCmdToken},
	{"exec", func(f *Factory) *cobra.Command { return NewCmdExec(f, nil) }},
	{"refresh", func(f *Factory) *cobra.Command { return NewCmdRefresh(f, nil) }},
	{"logout", func(f *Factory) *cobra.Command { return NewCmdLogout(f, nil) }},
	{"status", func(f *Factory) *cobra.Command { return NewCmdStatus(f, nil) }},
	{"providers", func(f *Factory) *cobra.Command { return NewCmdProviders(f, nil) }},
	{"key", NewCmdKey},
	{"decode", func(f *Factory) *cobra.Command { return NewCmdDecode(f, nil) }},
	{"version", func(f *Factory) *cobra.Command { return NewCmdVersion(f, nil) }},
	{"environment", func(*Factory) *cobra.Command { return newHelpTopic(reference.Environment()) }},
	{"exit-codes", func(*Factory) *cobra.Command { return newHelpTopic(reference.ExitCodes()) }},
}

// newRootForArgs builds the tree that args need. When the first argument names a
// command, only that command is built, and Cobra's default `completion`
// command is left out: nothing else can be shown or run, and building the
// other commands, their flags and help texts (and Cobra's five completion
// commands) at every start cost a cached `token get` ≈ 0.1 ms. Anything
// else (`tokctl`, `help`, `completion`, `__complete`, a flag first, an
// unknown command) gets the whole tree.
func newRootForArgs(f *Factory, args []string) *cobra.Command {
	if len(args) > 0 {
		for _, sc := range subcommands {
			if sc.name == args[0] {
				root := newBareRoot(f)
				root.CompletionOptions.DisableDefaultCmd = true
				root.AddCommand(sc.build(f))
				return root
			}
		}
	}
	return NewCmdRoot(f)
}

// recoverPanic turns a panic into exit 1 and one line that names only the
// panic's type: its value could hold a secret. Deferred by Main.
func recoverPanic(errOut io.Writer, code *int) {
	r := recover()
	if r == nil {
		return
	}
	fmt.Fprintf(errOut, "tokctl: internal error (%T); please report it with the output of `tokctl version`\n", r)
	if os.Getenv("TOKCTL_DEBUG") != "" {
		fmt.Fprintf(errOut, "%s", debug.Stack())
	}
	*code = failure.ExitError
}

// NewCmdRoot builds the whole command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := newBareRoot(f)
	// cobra prints "tokctl version " + Version for --version, a flag of the
	// root alone, so only the whole tree needs it (reading the build
	// information costs every start otherwise). cobra's default printer is
	// used on purpose: a version template would link text/template's method
	// calls by name, which turns off the linker's dead-code elimination of
	// methods (+2.5 MB, see docs/performance.md).
	root.Version = buildinfo.Detail(f.Build)
	// Only `tokctl --help` shows it: the kinds name themselves.
	root.Long = "tokctl gets OAuth2 access tokens from " + tokens.BuiltInTitles() + ` and any RFC 6749
server, keeps them in the OS keyring, and prints a valid one in milliseconds.`
	for _, sc := range subcommands {
		root.AddCommand(sc.build(f))
	}
	// Cobra adds its `completion` command at Execute; adding it now lets
	// `tokctl completion tcsh` be a usage error like `tokctl token bogus`.
	root.InitDefaultCompletionCmd()
	// The same for `help`, so that `tokctl help bogus` is a usage error too.
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "completion":
			c.Args = nil
			c.RunE = runGroup
		case "help":
			c.Args = knownHelpTopic
		}
	}
	return root
}

// knownHelpTopic makes a `help` topic that names no command a usage error
// (exit 2); Cobra printed the usage and exited 0.
func knownHelpTopic(cmd *cobra.Command, args []string) error {
	if target, _, err := cmd.Root().Find(args); target == nil || err != nil {
		return usageErrorf("unknown help topic %q; `tokctl help` lists the commands and topics", strings.Join(args, " "))
	}
	return nil
}

// runGroup is the RunE of a command that only groups others (token, key,
// completion). Alone it shows its help; an argument that names none of its
// commands is a usage error (exit 2), as `tokctl bogus` is. Without it Cobra
// printed the help and exited 0, so `tokctl completion tcsh > file` wrote
// the help into file.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return cmd.Help()
}

// newBareRoot is the root command with its global flags, without subcommands.
func newBareRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "tokctl",
		Short: "Get OAuth2 access tokens for people, scripts and CI",
		Example: `  # A token for a script, fetched once and then served from the store
  curl -H "Authorization: Bearer $(tokctl token get tilia)" https://invoicing.tilia-inc.com/...

  # CI: credentials from the environment
  TOKCTL_ILS_CLIENT_ID="$ILS_CLIENT_ID" TOKCTL_ILS_CLIENT_SECRET="$ILS_CLIENT_SECRET" tokctl token get ils -o header | curl -H @- https://api.ils.live/api/...

  # What is inside a token?
  tokctl token get tilia | tokctl decode`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &failure.UsageError{Msg: err.Error()} })
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if f.Timeout <= 0 {
			return errTimeout
		}
		return nil
	}

	pf := root.PersistentFlags()
	pf.StringVar(&f.ConfigFile, "config", "", "config file (default $XDG_CONFIG_HOME/tokctl/config.yaml; env TOKCTL_CONFIG)")
	pf.StringVar(&f.StoreKind, "store", "", "where tokens are kept: keyring, file or none (env TOKCTL_STORE)")
	pf.DurationVar(&f.Timeout, "timeout", defaultTimeout, timeoutUsage)
	pf.BoolVarP(&f.Verbose, "verbose", "v", false, "log requests and responses to stderr, secrets redacted")

	return root
}

// defaultTimeout bounds every command but login (see loginTimeout).
const defaultTimeout = 60 * time.Second

const timeoutUsage = "give up after this long"

// errTimeout is the answer to --timeout 0 or a negative one: no command can
// run without a bound.
var errTimeout = &failure.UsageError{Msg: "--timeout must be a positive duration, e.g. 30s or 5m"}

// completeProviders completes provider names, built-in and configured.
func completeProviders(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, err := f.Service().ProviderNames()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// exactProvider requires exactly one PROVIDER argument.
func exactProvider(cmd *cobra.Command, args []string) error {
	switch len(args) {
	case 1:
		return nil
	case 0:
		return usageErrorf("%s needs a PROVIDER argument; see `tokctl providers`", cmd.CommandPath())
	}
	return usageErrorf("%s takes one PROVIDER argument, got %d", cmd.CommandPath(), len(args))
}

// newHelpTopic builds `tokctl help NAME` for a reference: a command that
// only has help text, which Cobra lists under "Additional help topics".
func newHelpTopic(r reference.Reference) *cobra.Command {
	return &cobra.Command{Use: r.Topic, Short: r.Short, Long: r.Text()}
}
