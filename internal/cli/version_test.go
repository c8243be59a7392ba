package cli

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
		stamp BuildInfo
		info  *debug.BuildInfo
		want  BuildInfo
	}{
		{"go install module@version", BuildInfo{Version: "dev"},
			&debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}},
			BuildInfo{Version: "v1.4.0"}},
		{"go build in a checkout", BuildInfo{Version: "dev"},
			&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203084301-9ca04012190b"}, Settings: vcs},
			BuildInfo{Version: "v0.0.0-20261203084301-9ca04012190b", Commit: "9ca04012190b", Date: "2026-12-03T08:43:01Z"}},
		{"uncommitted changes", BuildInfo{},
			&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: dirty},
			BuildInfo{Commit: "9ca04012190b-dirty", Date: "2026-12-03T08:43:01Z"}},
		{"nothing recorded", BuildInfo{Version: "dev"},
			&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			BuildInfo{Version: "dev"}},
		{"no build information", BuildInfo{Version: "dev"}, nil, BuildInfo{Version: "dev"}},
		{"a release stamp wins", BuildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-24"},
			&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs},
			BuildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withBuildInfo(tt.stamp, tt.info); got != tt.want {
				t.Errorf("withBuildInfo = %+v, want %+v", got, tt.want)
			}
		})
	}
}
