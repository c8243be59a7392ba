package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestWithBuildInfo(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "9ca04012190bbd11edab5b761804037b32d92c9d"},
		{Key: "vcs.time", Value: "2026-12-03T08:43:01Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	dirty := append(vcs[:3:3], debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	tests := []struct {
		name  string
		stamp Info
		info  *debug.BuildInfo
		want  Info
	}{
		{"go install module@version", Info{Version: "dev"},
			&debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}},
			Info{Version: "v1.4.0"}},
		{"go build in a checkout", Info{Version: "dev"},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203084301-9ca04012190b"}, Settings: vcs},
			Info{Version: "v0.0.0-20261203084301-9ca04012190b", Commit: "9ca04012190b", Date: "2026-12-03T08:43:01Z"}},
		{"uncommitted changes", Info{},
			&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: dirty},
			Info{Commit: "9ca04012190b-dirty", Date: "2026-12-03T08:43:01Z"}},
		{"nothing recorded", Info{Version: "dev"},
			&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			Info{Version: "dev"}},
		{"no build information", Info{Version: "dev"}, nil, Info{Version: "dev"}},
		{"a release stamp wins", Info{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-24"},
			&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs},
			Info{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withBuildInfo(tt.stamp, tt.info); got != tt.want {
				t.Errorf("withBuildInfo = %+v, want %+v", got, tt.want)
			}
		})
	}
}
