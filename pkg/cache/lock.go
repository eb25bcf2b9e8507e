package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// ErrLockTimeout is returned by Lock when the lock was not free in time.
// The caller goes on without it: a lock costs speed, never the call.
var ErrLockTimeout = errors.New("cache: timed out waiting for the cache lock")

// lockRetry is how often a waiting Lock tries again.
const lockRetry = 5 * time.Millisecond

// Lock takes an exclusive lock on <dir>/<key>.lock (flock on Unix,
// LockFileEx on Windows), so that processes about to fill the same entry
// take turns. It waits at most wait (zero tries once) and stops early when
// ctx is done. unlock releases the lock and may be called more than once.
// Lock files are left in place: removing them would race.
func Lock(ctx context.Context, dir, key string, wait time.Duration) (unlock func(), err error) {
	if err := validateKey(key); err != nil {
		return nil, err
	}
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	fl := flock.New(filepath.Join(dir, key+".lock"),
		flock.SetFlag(os.O_CREATE|os.O_RDWR|oNoFollow), flock.SetPermissions(0o600))
	var ok bool
	if wait <= 0 {
		ok, err = fl.TryLock()
	} else {
		wctx, cancel := context.WithTimeout(ctx, wait)
		ok, err = fl.TryLockContext(wctx, lockRetry)
		cancel()
	}
	switch {
	case ok:
		var once sync.Once
		return func() { once.Do(func() { _ = fl.Unlock() }) }, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("cache: waiting for the cache lock: %w", ctx.Err())
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%w (%s)", ErrLockTimeout, wait)
	default:
		return nil, fmt.Errorf("cache: lock: %w", err)
	}
}
