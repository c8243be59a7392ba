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

func versionLine(b BuildInfo) string {
	v := b.Version
	if v == "" {
		v = "dev"
	}
	s := "tokctl " + v
	if b.Commit != "" {
		s += " (" + b.Commit
		if b.Date != "" {
			s += ", " + b.Date
		}
		s += ")"
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
