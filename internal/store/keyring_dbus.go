//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package store

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/godbus/dbus/v5"
)

// These build constraints are go-keyring's: the platforms where it talks to
// the Secret Service over the D-Bus session bus.

// busEnv is where the session-bus lookup reads from. The zero value reads
// the process environment and /run/user/<uid>, as godbus does.
type busEnv struct {
	getenv     func(string) string
	runtimeDir string
}

// missing reports why no session bus can be found, or "" when godbus would
// find an address without running dbus-launch. It mirrors godbus v5.2.2's
// getSessionBusAddress and tryDiscoverDbusSessionBusAddress.
func (b busEnv) missing() string {
	getenv := b.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if addr := getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		// godbus uses the variable as is and never looks further.
		if !addressUsable(addr) {
			return fmt.Sprintf("no D-Bus session bus at DBUS_SESSION_BUS_ADDRESS=%s", addr)
		}
		return ""
	}
	dir := b.runtimeDir
	if dir == "" {
		// godbus uses user.Current().Uid, not $XDG_RUNTIME_DIR.
		dir = fmt.Sprintf("/run/user/%d", os.Getuid())
	}
	if exists(filepath.Join(dir, "bus")) {
		return ""
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "dbus-session")); err == nil {
		if addr, ok := strings.CutPrefix(string(raw), "DBUS_SESSION_BUS_ADDRESS="); ok {
			if addressUsable(strings.TrimRight(addr, "\r\n")) {
				return ""
			}
		}
	}
	return "no D-Bus session bus"
}

// addressUsable reports whether a D-Bus address list has an entry worth
// dialling: a unix:path= entry whose socket exists, or any other transport
// (abstract sockets and TCP cannot be checked without connecting).
func addressUsable(addrs string) bool {
	for _, addr := range strings.Split(addrs, ";") {
		transport, keys, ok := strings.Cut(addr, ":")
		if !ok || transport == "" || transport == "autolaunch" {
			continue
		}
		if transport != "unix" {
			return true
		}
		path, hasPath := busKey(keys, "path")
		if !hasPath {
			return true
		}
		if path != "" && exists(path) {
			return true
		}
	}
	return false
}

func busKey(keys, name string) (string, bool) {
	for _, kv := range strings.Split(keys, ",") {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			v, err := dbus.UnescapeBusAddressValue(v)
			if err != nil {
				return "", true
			}
			return v, true
		}
	}
	return "", false
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

// connectBus opens (or reuses: godbus caches it process-wide) the session
// bus connection go-keyring is about to use, so that a failure to connect is
// told apart from an error answered by the Secret Service.
func connectBus() error {
	if _, err := dbus.SessionBus(); err != nil {
		return &unreachableError{reason: "cannot connect to the D-Bus session bus: " + err.Error(), err: err}
	}
	return nil
}

// isConnectionError reports whether err means nobody is answering on the bus:
// no Secret Service registered, or the connection broke.
func isConnectionError(err error) bool {
	var de dbus.Error
	if errors.As(err, &de) {
		return isUnreachableName(de.Name)
	}
	var dp *dbus.Error
	if errors.As(err, &dp) {
		return isUnreachableName(dp.Name)
	}
	var ne net.Error
	var errno syscall.Errno
	return errors.Is(err, dbus.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) || errors.As(err, &errno)
}

func isUnreachableName(name string) bool {
	switch name {
	case "org.freedesktop.DBus.Error.ServiceUnknown",
		"org.freedesktop.DBus.Error.NameHasNoOwner",
		"org.freedesktop.DBus.Error.NoReply",
		"org.freedesktop.DBus.Error.Disconnected",
		"org.freedesktop.DBus.Error.NoServer",
		"org.freedesktop.DBus.Error.TimedOut",
		"org.freedesktop.DBus.Error.Timeout",
		// Locked, and a CLI cannot show the unlock prompt: as good as absent.
		"org.freedesktop.Secret.Error.IsLocked":
		return true
	}
	return strings.HasPrefix(name, "org.freedesktop.DBus.Error.Spawn.")
}

// collectionLocked reports the default Secret Service collection being
// locked as unreachable: nothing can be read from or written to it without
// an unlock prompt, which a CLI cannot show.
func collectionLocked() error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return nil // the operation itself reported this
	}
	v, err := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/aliases/default").
		GetProperty("org.freedesktop.Secret.Collection.Locked")
	if locked, ok := v.Value().(bool); err == nil && ok && locked {
		return &unreachableError{reason: "the keyring is locked"}
	}
	return nil
}
