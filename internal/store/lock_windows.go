//go:build windows

package store

import (
	"os"

	"golang.org/x/sys/windows"
)

// tryFlock takes an exclusive lock on f's first byte without waiting, or
// reports errLocked.
func tryFlock(f *os.File) error {
	var ol windows.Overlapped
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if err == windows.ERROR_LOCK_VIOLATION || err == windows.ERROR_IO_PENDING {
		return errLocked
	}
	return err
}
