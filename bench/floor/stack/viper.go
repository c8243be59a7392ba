//go:build ladder_viper

package stack

import (
	"os"

	"github.com/spf13/viper"
)

// tokctl sets viper up only when the config file exists; here it is
// linked and never set up, as on tokctl's cached path without a file.
func init() {
	if never {
		v := viper.New()
		v.SetConfigFile(os.Args[2])
		_ = v.ReadInConfig()
		_ = v.GetString("store")
	}
}
