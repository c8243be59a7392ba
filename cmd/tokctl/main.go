// Command tokctl gets OAuth2 access tokens for people, scripts and CI.
package main

import (
	"os"

	"github.com/tokctl/tokctl/internal/cli"
)

// Set by the linker in release builds (see .goreleaser.yaml).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	os.Exit(cli.Main(cli.BuildInfo{Version: version, Commit: commit, Date: date}, os.Args[1:]))
}
