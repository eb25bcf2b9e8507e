package cache

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Cache modes for --cache.
const (
	ModeAuto    = "auto"
	ModeKeyring = "keyring"
	ModeFile    = "file"
	ModeNone    = "none"
)

// probeKey is the item auto mode asks the keyring for when its first
// operation is not a Get; it is never written. Any answer, found or not, means the keyring works.
const probeKey = "eksxa-probe"

// noticeMarker, in the cache directory, records that the auto-mode notice
// has been shown.
const noticeMarker = ".file-store-notice-shown"

// Select returns the Store for mode (auto, keyring, file or none; "" is
// auto) with DefaultKeyringOptions. See SelectWith.
func Select(mode string, kr Keyring, dir string, notice io.Writer) (Store, error) {
	return SelectWith(mode, kr, dir, notice, DefaultKeyringOptions())
}

// SelectWith returns the Store for mode:
//
//   - keyring: a KeyringStore on kr, not probed (its failures are misses and
//     non-fatal Set errors);
//   - file: a FileStore in dir;
//   - none: NewNoneStore;
//   - auto (or ""): the keyring when kr answers in bounded time (nil kr
//     means there is none), else a FileStore in dir that writes a one-line
//     notice to notice the first time it stores a value, ever: a marker
//     file in dir remembers it was shown. With a kr, the choice is made by
//     the store's first operation, not here: a first Get's own answer
//     decides (a warm call reads one keyring item), any other first
//     operation probes with a Get of a sentinel item. Should the file store
//     then fail to open, a warning goes to notice and nothing is cached.
//
// With opts.Memory, a keyring that did not answer within opts.Timeout is
// remembered across processes (see KeyringMemory): while it is, auto mode
// goes straight to the FileStore and keyring mode caches nothing, neither
// waiting for the keyring again; opts.Memory.Log says so.
//
// An unknown mode, or keyring mode with a nil kr, is an error.
func SelectWith(mode string, kr Keyring, dir string, notice io.Writer, opts KeyringOptions) (Store, error) {
	switch mode {
	case ModeNone:
		return NewNoneStore(), nil
	case ModeFile:
		return NewFileStore(dir)
	case ModeKeyring:
		if kr == nil {
			return nil, errors.New("cache: --cache keyring: no OS keyring on this system")
		}
		// The user chose the keyring, perhaps to keep credentials off the
		// disk: a keyring that did not answer recently is not waited for
		// again, and nothing is cached instead of falling back to files.
		const instead = "no cache (--cache keyring never falls back to files)"
		if opts.Memory.skip(instead) {
			return NewNoneStore(), nil
		}
		ks := NewKeyringStore(kr, opts)
		if opts.Memory != nil {
			ks.onNoAnswer = func(d time.Duration) { opts.Memory.noAnswer(d, instead) }
		}
		return ks, nil
	case ModeAuto, "":
		openFiles := func() (Store, error) {
			fs, err := NewFileStore(dir)
			if err != nil {
				return nil, err
			}
			if notice == nil {
				return fs, nil
			}
			return &noticeStore{FileStore: fs, notice: notice}, nil
		}
		if kr == nil {
			return openFiles()
		}
		instead := "the file cache in " + dir
		if opts.Memory.skip(instead) {
			return openFiles()
		}
		a := &autoStore{ks: NewKeyringStore(kr, opts), open: openFiles, notice: notice, mem: opts.Memory}
		if m := opts.Memory; m != nil {
			a.ks.onNoAnswer = func(d time.Duration) { m.noAnswer(d, instead) }
			_, _, a.staleMarker = m.since() // not remembered (skip said so), but maybe there
		}
		return a, nil
	}
	return nil, fmt.Errorf("cache: unknown cache mode %q (want auto, keyring, file or none)", mode)
}

// noticeStore is a FileStore chosen by auto mode: its first successful Set
// tells the user, once per cache directory, where credentials now live.
type noticeStore struct {
	*FileStore
	notice io.Writer
	once   sync.Once
}

func (s *noticeStore) Set(key, value string) error {
	err := s.FileStore.Set(key, value)
	if err == nil {
		s.once.Do(s.tell)
	}
	return err
}

// tell writes the notice if this process is the one that creates the
// marker, so concurrent processes show it once between them.
func (s *noticeStore) tell() {
	f, err := os.OpenFile(filepath.Join(s.dir, noticeMarker), os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	if err != nil {
		return
	}
	_ = f.Close() // an empty marker: its existence is the message
	fmt.Fprintf(s.notice, "kubectl-eksxa: no OS keyring answered; caching credentials in private files under %s (use --cache to choose)\n", s.dir)
}
