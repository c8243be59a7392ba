package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// NewCmdVersion builds `tokctl version`.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tokctl's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(f.IO.Out, versionLine(f.Build))
			return err
		},
	}
}

// versionLine is what `tokctl version` and `tokctl --version` print, in
// the form of gh and most Cobra tools: tokctl version V (COMMIT, DATE) GO OS/ARCH.
func versionLine(b BuildInfo) string { return "tokctl version " + versionDetail(b) }

func versionDetail(b BuildInfo) string {
	s := b.Version
	if s == "" {
		s = "dev"
	}
	if b.Commit != "" {
		s += " (" + b.Commit
		if b.Date != "" {
			s += ", " + b.Date
		}
		s += ")"
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
