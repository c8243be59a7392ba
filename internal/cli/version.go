package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// NewCmdVersion builds `tokctl version`.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tokctl's version",
		Example: `  tokctl version
  tokctl --version`,
		Args: cobra.NoArgs,
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
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	b = withBuildInfo(b, info)
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

// withBuildInfo fills in what no release stamped (-X main.version=…, see
// .goreleaser.yaml) from the build information Go records in every binary:
// the module version of `go install …@v1.2.3` (or the pseudo-version Go
// derives from the checkout), and the VCS revision, time and "dirty" state
// of a build in a checkout. A stamped version is kept as it is.
func withBuildInfo(b BuildInfo, info *debug.BuildInfo) BuildInfo {
	if (b.Version != "" && b.Version != "dev") || info == nil {
		return b
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		b.Version = v
	}
	var rev, at string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if b.Commit == "" && rev != "" {
		b.Commit = rev[:min(len(rev), 12)]
		if dirty {
			b.Commit += "-dirty"
		}
		if b.Date == "" {
			b.Date = at
		}
	}
	return b
}
