package store

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockRetry is how often a waiting Lock tries again.
const lockRetry = 10 * time.Millisecond

// Lock takes an exclusive advisory lock on <dir>/locks/<key>.lock, waiting
// until it is free or ctx is done. The lock is an flock(2)-style lock: the
// kernel drops it when the holder exits, so a killed holder never blocks
// others. unlock releases it.
func Lock(ctx context.Context, dir, key string) (unlock func() error, err error) {
	name, err := fileName(key)
	if err != nil {
		return nil, err
	}
	locks := filepath.Join(dir, "locks")
	if err := privateDir(dir); err != nil {
		return nil, err
	}
	if err := privateDir(locks); err != nil {
		return nil, err
	}
	fl := flock.New(filepath.Join(locks, name+".lock"), flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil {
		fl.Close()
		return nil, fmt.Errorf("lock %q: %w", key, err)
	}
	if !ok { // not reachable with TryLockContext, kept for safety
		fl.Close()
		return nil, fmt.Errorf("lock %q: not acquired", key)
	}
	return fl.Unlock, nil
}
