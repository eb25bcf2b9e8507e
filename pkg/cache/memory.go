package cache

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// NoAnswerMarker is the file, in the cache directory, that remembers across
// processes when the keyring last failed to answer in time. It holds one
// RFC 3339 timestamp, mode 0600.
const NoAnswerMarker = ".keyring-no-answer"

// DefaultNoAnswerMemory is how long a keyring that did not answer is left
// alone: long enough that a burst of kubectl calls (k9s, scripts) does not
// each wait the keyring's bound, short enough that a keyring that comes
// back (a desktop session unlocked, gnome-keyring restarted) is used again
// soon.
const DefaultNoAnswerMemory = 5 * time.Minute

// KeyringMemory remembers, across processes, that the keyring did not
// answer within its bound, so that the next calls do not wait for it again.
// It is a marker file in Dir; a marker older than For (or unreadable, not
// ours, or too far in the future) is ignored.
type KeyringMemory struct {
	// Dir is the cache directory that holds NoAnswerMarker.
	Dir string
	// Now is the clock.
	Now func() time.Time
	// For is how long a failure is remembered; zero means
	// DefaultNoAnswerMemory.
	For time.Duration
	// Log, when set, gets -v lines saying what was skipped and until when.
	Log func(format string, args ...any)
}

func (m *KeyringMemory) memory() time.Duration {
	if m.For <= 0 {
		return DefaultNoAnswerMemory
	}
	return m.For
}

func (m *KeyringMemory) logf(format string, args ...any) {
	if m != nil && m.Log != nil {
		m.Log(format, args...)
	}
}

// since returns when the keyring last did not answer, whether that is still
// remembered, and whether a marker file exists at all (a stale one is
// removed once the keyring answers again).
func (m *KeyringMemory) since() (at time.Time, remembered, exists bool) {
	if m == nil || m.Dir == "" || m.Now == nil {
		return time.Time{}, false, false
	}
	b, err := readPrivateFile(filepath.Join(m.Dir, NoAnswerMarker))
	if err == ErrNotFound { //nolint:errorlint // exactly: no such file (other failures wrap it)
		return time.Time{}, false, false
	}
	if err != nil {
		return time.Time{}, false, true
	}
	at, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil {
		return time.Time{}, false, true
	}
	// A marker up to a minute ahead is clock jitter between processes;
	// further ahead, the clock was wrong when it was written.
	age := m.Now().Sub(at)
	return at, age > -time.Minute && age < m.memory(), true
}

// retryAt is when a keyring that did not answer at at is tried again.
func (m *KeyringMemory) retryAt(at time.Time) time.Time { return at.Add(m.memory()) }

// remember records that the keyring did not answer just now. It creates
// Dir (0700) if needed; a marker that cannot be written costs the next call
// a wait, never the call.
func (m *KeyringMemory) remember() (time.Time, error) {
	now := m.Now().UTC()
	if err := ensureDir(m.Dir); err != nil {
		return now, err
	}
	return now, writeFileAtomic(m.Dir, NoAnswerMarker, []byte(now.Format(time.RFC3339Nano)+"\n"))
}

// forget removes the marker: the keyring answered.
func (m *KeyringMemory) forget() {
	_ = os.Remove(filepath.Join(m.Dir, NoAnswerMarker)) // already gone is as good
}

// noAnswer is called once a keyring call timed out: it remembers that and
// says what happens instead.
func (m *KeyringMemory) noAnswer(timeout time.Duration, instead string) {
	if m == nil || m.Dir == "" || m.Now == nil {
		return
	}
	at, err := m.remember()
	if err != nil {
		m.logf("keyring: did not answer within %s; using %s instead; could not remember it for the next calls: %v", timeout, instead, err)
		return
	}
	m.logf("keyring: did not answer within %s; using %s instead; not asking it again until %s (remembered in %s)",
		timeout, instead, m.retryAt(at).Format(time.RFC3339), filepath.Join(m.Dir, NoAnswerMarker))
}

// skip reports whether the keyring is to be left alone because it did not
// answer recently, telling Log so.
func (m *KeyringMemory) skip(instead string) bool {
	at, remembered, _ := m.since()
	if !remembered {
		return false
	}
	m.logf("keyring: skipped: it did not answer at %s; using %s instead; it will be tried again after %s",
		at.Format(time.RFC3339), instead, m.retryAt(at).Format(time.RFC3339))
	return true
}
