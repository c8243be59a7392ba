package cli

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/tokctl/tokctl/internal/iostreams"
)

func TestVersionRun(t *testing.T) {
	tests := []struct {
		build BuildInfo
		want  string // a regexp: the Go version and platform vary
	}{
		{BuildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-24"}, `^tokctl version 1\.2\.3 \(abc1234, 2026-11-24\) go\S+ \w+/\w+\n$`},
		{BuildInfo{Version: "1.2.3"}, `^tokctl version 1\.2\.3 go\S+ \w+/\w+\n$`},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if err := versionRun(&VersionOptions{IO: iostreams.Test(nil, &out, &errOut), Build: tt.build}); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(tt.want).MatchString(out.String()) {
			t.Errorf("printed %q, want %s", out.String(), tt.want)
		}
		if errOut.Len() > 0 {
			t.Errorf("stderr: %q", errOut.String())
		}
	}
}
