package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokctl/tokctl/internal/privdir"
)

// lockRetry is how often a waiting Lock tries again.
const lockRetry = 10 * time.Millisecond

// errLocked is what tryFlock reports while another process holds the lock.
var errLocked = errors.New("locked")

// Lock takes an exclusive advisory lock on <dir>/locks/<key>.lock, waiting
// until it is free or ctx is done. The lock is an flock(2)-style lock: the
// kernel drops it when the holder exits, so a killed holder never blocks
// others. unlock releases it. The directories and the lock file are checked
// as the file store's are (package privdir): a link there is refused, never
// followed, and nothing tokctl did not create has its mode changed.
func Lock(ctx context.Context, dir, key string) (unlock func() error, err error) {
	name, err := fileName(key)
	if err != nil {
		return nil, err
	}
	f, err := privdir.OpenLock(dir, "locks/"+name+".lock")
	if err != nil {
		var unsafe *privdir.UnsafeError
		if errors.As(err, &unsafe) {
			return nil, err
		}
		return nil, fmt.Errorf("lock %q: %w", key, err)
	}
	var ticker *time.Ticker
	for {
		err := tryFlock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errLocked) {
			f.Close()
			return nil, fmt.Errorf("lock %q: %w", key, err)
		}
		if ticker == nil {
			ticker = time.NewTicker(lockRetry)
			defer ticker.Stop()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %q: %w", key, ctx.Err())
		case <-ticker.C:
		}
	}
	// Closing the file drops the lock.
	return f.Close, nil
}
