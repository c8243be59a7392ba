// Package config resolves tokctl's settings from the config file and the
// environment (flags are applied by the commands). It is the only package
// that imports viper.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/viper"
)

// Config is the loaded configuration. The environment is read directly and
// wins over the file; viper is set up only when there is a file to read, so
// the common CI case (no file, everything in TOKCTL_* variables) skips it.
type Config struct {
	v    *viper.Viper // nil: no config file
	path string
}

// Path returns the config file tokctl reads: --config, else TOKCTL_CONFIG,
// else $XDG_CONFIG_HOME/tokctl/config.yaml, else ~/.config/tokctl/config.yaml.
func Path(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if p := os.Getenv("TOKCTL_CONFIG"); p != "" {
		return p, nil
	}
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "tokctl", "config.yaml"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the config file: %w", err)
	}
	return filepath.Join(home, ".config", "tokctl", "config.yaml"), nil
}

// ErrNotExist is Load's error for a file the user named that does not exist.
var ErrNotExist = errors.New("does not exist")

// Load reads the config file at path. A missing file is an empty
// configuration unless explicit is set (the user named the file). The file
// is read once and parsed by viper; a YAML error names the line it is on.
func Load(path string, explicit bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if !explicit {
				return &Config{path: path}, nil
			}
			return nil, fmt.Errorf("config file %s %w", path, ErrNotExist)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return nil, fmt.Errorf("config file %s: %v", path, err)
	}
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, syntaxError(path, data, err)
	}
	return &Config{v: v, path: path}, nil
}

// File is the path Load read (or tried to).
func (c *Config) File() string { return c.path }

// Store is the configured store kind: TOKCTL_STORE, else `store:` in the
// file, else "".
func (c *Config) Store() string {
	if v := os.Getenv("TOKCTL_STORE"); v != "" || c.v == nil {
		return v
	}
	return c.v.GetString("store")
}

// RefreshAhead reports whether `token get` may refresh a token in the last
// quarter of its life in the background: TOKCTL_REFRESH_AHEAD, else
// `refresh_ahead:` in the file, else true. A value that is not a boolean is
// an error naming where it came from.
func (c *Config) RefreshAhead() (bool, error) {
	v, from := os.Getenv("TOKCTL_REFRESH_AHEAD"), "TOKCTL_REFRESH_AHEAD"
	if v == "" && c.v != nil && c.v.IsSet("refresh_ahead") {
		v, from = c.v.GetString("refresh_ahead"), "refresh_ahead in "+c.path
	}
	if v == "" {
		return true, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %q is not true or false", from, v)
	}
	return on, nil
}

// ProviderNames lists the providers defined in the config file, and those
// defined only in the environment by a TOKCTL_NAME_KIND variable, sorted.
func (c *Config) ProviderNames() []string {
	seen := map[string]bool{}
	if c.v != nil {
		for name := range c.v.GetStringMap("providers") {
			seen[name] = true
		}
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutPrefix(k, "TOKCTL_"); ok && v != "" {
			if name, ok := strings.CutSuffix(name, "_KIND"); ok && name != "" {
				seen[strings.ToLower(name)] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the setting providers.NAME.KEY with the environment
// variable env winning over the file. A YAML list becomes a comma-joined
// string. found reports whether either source set it.
func (c *Config) Lookup(name, key, env string) (value string, found bool) {
	if v := os.Getenv(env); v != "" {
		return v, true
	}
	path := "providers." + name + "." + key
	if c.v == nil || !c.v.IsSet(path) {
		return "", false
	}
	if list, ok := c.v.Get(path).([]any); ok {
		parts := make([]string, 0, len(list))
		for _, item := range list {
			parts = append(parts, fmt.Sprint(item))
		}
		return strings.Join(parts, ","), true
	}
	return c.v.GetString(path), true
}
