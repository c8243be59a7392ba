//go:build ladder_keyring

package stack

import (
	"os"

	"github.com/zalando/go-keyring"
)

// go-keyring and godbus, linked; the file-store path never calls them.
func init() {
	if never {
		_, _ = keyring.Get(os.Args[2], os.Args[3])
	}
}
