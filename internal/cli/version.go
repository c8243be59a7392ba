package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokctl/tokctl/internal/buildinfo"
	"github.com/tokctl/tokctl/internal/iostreams"
)

// VersionOptions are the inputs of `tokctl version`.
type VersionOptions struct {
	IO    *iostreams.IOStreams
	Build BuildInfo
}

// NewCmdVersion builds `tokctl version`; runF replaces the work in tests.
func NewCmdVersion(f *Factory, runF func(context.Context, *VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IO, Build: f.Build}
	return &cobra.Command{
		Use:   "version",
		Short: "Print tokctl's version",
		Example: `  tokctl version
  tokctl --version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return versionRun(opts)
		},
	}
}

// versionRun prints what `tokctl --version` prints, after "tokctl version ",
// in the form of gh and most Cobra tools: V (COMMIT, DATE) GO OS/ARCH.
func versionRun(opts *VersionOptions) error {
	_, err := fmt.Fprintln(opts.IO.Out, "tokctl version "+buildinfo.Detail(opts.Build))
	return err
}
