package kubeconfig

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// DefaultLockWait is how long Update waits for another writer's lock file
// before it gives up. kubectl holds its lock for a few milliseconds.
const DefaultLockWait = 10 * time.Second

// lockRetry is the base interval between attempts at a held lock.
const lockRetry = 10 * time.Millisecond

// LockName is the lock file kubectl takes for a kubeconfig file: the path
// as given, plus ".lock" (client-go tools/clientcmd lockFile/lockName).
func LockName(path string) string { return path + ".lock" }

// LockedError says a kubeconfig lock file stayed in place past the wait.
// kubectl leaves its lock behind when it is killed while writing, and then
// refuses to write the file itself until the lock is removed.
type LockedError struct {
	// Lock is the lock file's path.
	Lock string
	// Waited is how long Update waited for it.
	Waited time.Duration
	// Age is how old the lock file is (from its modification time); 0 when
	// it could not be read.
	Age time.Duration
}

func (e *LockedError) Error() string {
	age := ""
	if e.Age > 0 {
		age = fmt.Sprintf(" (it is %s old)", e.Age.Round(time.Second))
	}
	return fmt.Sprintf("the kubeconfig is locked: %s is still there after %s%s. Another kubectl or kubectl-eksxa is writing the file, "+
		"or one was killed while writing and left its lock behind; if none is running, remove the lock (rm %s) and try again",
		e.Lock, e.Waited.Round(time.Millisecond), age, e.Lock)
}

// lockFiles takes the lock files names in sorted order, the protocol
// client-go's ModifyConfig uses: create <file>.lock with O_EXCL; the lock
// is held while the file exists; unlock removes it. kubectl fails at once
// when a lock is there; lockFiles waits up to wait for it, since kubectl
// holds it for milliseconds. now is the clock, for the lock's age in the error.
func lockFiles(ctx context.Context, names []string, wait time.Duration, now func() time.Time) (unlock func(), err error) {
	names = slices.Clone(names)
	slices.Sort(names)
	names = slices.Compact(names)
	var held []string
	release := func() {
		for i := len(held) - 1; i >= 0; i-- {
			_ = os.Remove(held[i])
		}
		held = nil
	}
	for _, name := range names {
		if err := lockOne(ctx, name, wait, now); err != nil {
			release()
			return nil, err
		}
		held = append(held, name)
	}
	return release, nil
}

func lockOne(ctx context.Context, name string, wait time.Duration, now func() time.Time) error {
	// kubectl creates the folder first too (0755 there; private here).
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return fmt.Errorf("creating the kubeconfig folder: %w", err)
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			return f.Close()
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("taking the kubeconfig lock %s: %w", name, err)
		}
		retry := time.NewTimer(lockRetry + rand.N(lockRetry)) //nolint:gosec // G404: jitter, so writers do not retry in step; not a secret
		select {
		case <-ctx.Done():
			retry.Stop()
			return fmt.Errorf("waiting for the kubeconfig lock %s: %w", name, ctx.Err())
		case <-deadline.C:
			retry.Stop()
			le := &LockedError{Lock: name, Waited: wait}
			if fi, err := os.Stat(name); err == nil {
				le.Age = now().Sub(fi.ModTime())
			}
			return le
		case <-retry.C:
		}
	}
}
