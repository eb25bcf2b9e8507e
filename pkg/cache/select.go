package cache

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
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
		return NewKeyringStore(kr, opts), nil
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
		if kr != nil {
			return &autoStore{ks: NewKeyringStore(kr, opts), open: openFiles, notice: notice}, nil
		}
		return openFiles()
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
	f.Close()
	fmt.Fprintf(s.notice, "kubectl-eksxa: no OS keyring answered; caching credentials in private files under %s (use --cache to choose)\n", s.dir)
}
