// Package buildinfo says which tokctl this is: the version, commit and date
// a release stamps, else what Go recorded in the binary.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Info is what `tokctl version` prints; set by the linker in releases.
type Info struct {
	Version, Commit, Date string
}

// Detail is the version after "tokctl version ": V (COMMIT, DATE) GO OS/ARCH,
// as gh and most Cobra tools print it.
func Detail(b Info) string {
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
func withBuildInfo(b Info, info *debug.BuildInfo) Info {
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
