//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package store

// busEnv is empty where go-keyring does not use D-Bus (macOS Keychain,
// Windows Credential Manager).
type busEnv struct{}

func (busEnv) missing() string { return "" }

func connectBus() error { return nil }

func isConnectionError(error) bool { return false }

func collectionLocked() error { return nil }
