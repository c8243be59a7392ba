//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package store

import "errors"

func testBusEnv(string) busEnv { return busEnv{} }

func lockWithSilentPrompter() error { return errors.New("no Secret Service on this OS") }
