package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// ErrUnreachable is wrapped by every error that means the OS keyring could not
// be reached at all (no session bus, no Secret Service, no answer in time), as
// opposed to a keyring that answered with an error.
var ErrUnreachable = errors.New("keyring unreachable")

// Keyring stores values in the OS keyring through go-keyring, with the key as
// the keyring's user name.
type Keyring struct {
	// Service is the keyring service name; "tokctl" when empty.
	Service string
	// Timeout bounds every keyring call; 3s when zero.
	Timeout time.Duration

	// bus is where the session-bus lookup reads from; the zero value reads
	// the real environment and /run/user/<uid> (tests replace it).
	bus busEnv
	// secrets is the OS keyring; nil is go-keyring (tests replace it with
	// a fake that enforces another OS's limits).
	secrets secretStore
	// limit is the largest value one keyring item takes under a user name
	// (0: no limit); nil is the running OS's (secretLimit).
	limit func(service, user string) int
}

// secretStore is what tokctl uses of go-keyring.
type secretStore interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// goKeyring is the OS keyring, through go-keyring.
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return gokeyring.Get(service, user) }
func (goKeyring) Set(service, user, password string) error {
	return gokeyring.Set(service, user, password)
}
func (goKeyring) Delete(service, user string) error { return gokeyring.Delete(service, user) }

const (
	defaultKeyringService = "tokctl"
	defaultKeyringTimeout = 3 * time.Second
)

// Name reports "keyring".
func (k Keyring) Name() string { return "keyring" }

// Get returns the value stored under key, or ErrNotFound. A value stored
// in chunks (see chunk.go) is reassembled; a small one is one keyring call.
func (k Keyring) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := k.getItem(ctx, key)
	if errors.Is(err, ErrNotFound) && k.secrets == nil {
		// A locked collection hides its items: go-keyring finds nothing,
		// and a later Set fails to unlock it. Only then is it worth the
		// extra round trip to ask, so the hot path (an item found) pays nothing.
		if lerr := k.call(ctx, collectionLocked); lerr != nil {
			return nil, lerr
		}
	}
	if err != nil {
		return nil, err
	}
	if !isChunked(v) {
		return []byte(v), nil
	}
	return k.getChunked(ctx, key, v)
}

// Set stores value under key, replacing any old value atomically: a value
// larger than one keyring item takes on this OS is split into chunks.
func (k Keyring) Set(ctx context.Context, key string, value []byte) error {
	return k.setChunked(ctx, key, value)
}

// Delete removes key, its chunks and what a killed write of it left;
// deleting a missing key is not an error.
func (k Keyring) Delete(ctx context.Context, key string) error {
	head, err := k.getItem(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if k.itemLimit(key) != 0 || isChunked(head) {
		if err := k.finishIntent(ctx, key, head); err != nil {
			return err
		}
	}
	if head == "" && err != nil {
		return nil // not found
	}
	if err := k.deleteItem(ctx, key); err != nil {
		return err
	}
	if m, ok := parseManifest(head); ok {
		return k.deleteChunks(ctx, key, m)
	}
	return nil
}

// getItem, setItem and deleteItem are one keyring call each.
func (k Keyring) getItem(ctx context.Context, user string) (string, error) {
	var v string
	err := k.call(ctx, func() (err error) {
		v, err = k.store().Get(k.service(), user)
		return err
	})
	return v, err
}

func (k Keyring) setItem(ctx context.Context, user, value string) error {
	return k.call(ctx, func() error { return k.store().Set(k.service(), user, value) })
}

func (k Keyring) deleteItem(ctx context.Context, user string) error {
	err := k.call(ctx, func() error { return k.store().Delete(k.service(), user) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func (k Keyring) store() secretStore {
	if k.secrets == nil {
		return goKeyring{}
	}
	return k.secrets
}

// itemLimit is the largest value one item under user takes (0: no limit).
func (k Keyring) itemLimit(user string) int {
	if k.limit != nil {
		return k.limit(k.service(), user)
	}
	return secretLimit(runtime.GOOS, k.service(), user)
}

func (k Keyring) service() string {
	if k.Service == "" {
		return defaultKeyringService
	}
	return k.Service
}

func (k Keyring) timeout() time.Duration {
	if k.Timeout <= 0 {
		return defaultKeyringTimeout
	}
	return k.Timeout
}

// call runs op, which talks to the keyring, in its own goroutine: neither
// go-keyring nor godbus has a timeout, and a session bus or Secret Service
// that accepts a connection but never answers would hang tokctl forever.
// A call that gives up leaves its goroutine blocked; tokctl is a short-lived
// process and the caller falls back to the file store, so that is acceptable.
func (k Keyring) call(ctx context.Context, op func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Checked before go-keyring is touched: without a bus, godbus would run
	// dbus-launch and leave a stray daemon behind.
	osKeyring := k.secrets == nil
	if osKeyring {
		if reason := k.bus.missing(); reason != "" {
			return &unreachableError{reason: reason}
		}
	}
	done := make(chan error, 1)
	connected := make(chan struct{})
	go func() {
		if osKeyring {
			if err := connectBus(); err != nil {
				done <- err
				return
			}
			close(connected)
		}
		done <- op()
	}()
	timer := time.NewTimer(k.timeout())
	defer timer.Stop()
	select {
	case err := <-done:
		return classify(err)
	case <-timer.C:
		if osKeyring && answersLocked(connected) {
			// The usual cause: go-keyring asked the Secret Service to unlock,
			// and the unlock prompt is still open (or, with no display, being
			// retried). Say so, rather than blame a silent keyring.
			return &unreachableError{reason: fmt.Sprintf("the keyring is locked and was not unlocked within %v", k.timeout())}
		}
		return &unreachableError{reason: fmt.Sprintf("keyring did not answer within %v", k.timeout())}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lockProbeTimeout bounds the question answersLocked asks after a call timed out.
const lockProbeTimeout = time.Second

// answersLocked reports whether the Secret Service, reached on a bus that
// connected, says its default collection is locked. A bus that never finished
// connecting is not asked, so a hung bus costs no more than the call's timeout.
func answersLocked(connected <-chan struct{}) bool {
	select {
	case <-connected:
	default:
		return false
	}
	answer := make(chan error, 1)
	go func() { answer <- collectionLocked() }()
	select {
	case err := <-answer:
		return errors.Is(err, ErrUnreachable)
	case <-time.After(lockProbeTimeout):
		return false
	}
}

// classify maps go-keyring's and godbus's errors onto this package's.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnreachable):
		return err
	case errors.Is(err, gokeyring.ErrNotFound):
		return ErrNotFound
	case isConnectionError(err):
		return &unreachableError{reason: err.Error(), err: err}
	case strings.Contains(err.Error(), "failed to unlock"): // go-keyring's untyped error
		return &unreachableError{reason: "the keyring is locked and could not be unlocked", err: err}
	}
	return fmt.Errorf("keyring: %w", err)
}

// unreachableError is an ErrUnreachable with a short human reason, which the
// fallback's warning quotes.
type unreachableError struct {
	reason string
	err    error
}

func (e *unreachableError) Error() string { return ErrUnreachable.Error() + ": " + e.reason }

func (e *unreachableError) Is(target error) bool { return target == ErrUnreachable }

func (e *unreachableError) Unwrap() error { return e.err }

// unreachableReason is the short reason of an ErrUnreachable error.
func unreachableReason(err error) string {
	var ue *unreachableError
	if errors.As(err, &ue) {
		return ue.reason
	}
	return err.Error()
}
