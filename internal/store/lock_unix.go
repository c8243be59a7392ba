//go:build unix

package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// tryFlock takes f's flock without waiting, or reports errLocked.
func tryFlock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch err {
		case unix.EINTR:
			continue
		case unix.EWOULDBLOCK:
			return errLocked
		}
		return err
	}
}
