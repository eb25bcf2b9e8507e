package cache

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// autoStore is auto mode with a keyring: it asks the keyring nothing up
// front. The first Get goes to the keyring and its answer decides: a value
// or "not found" means the keyring works and serves this process; any other
// failure (no answer in time, no Secret Service) switches to the file
// store. So a warm call reads one keyring item, not a sentinel item and
// then the entry. A first operation other than Get decides the old way, by
// a Get of the sentinel probeKey.
type autoStore struct {
	ks   *KeyringStore
	open func() (Store, error) // the fallback file store
	// notice gets the one-line warning when the fallback cannot be opened
	// (the call then runs uncached).
	notice io.Writer

	// mem remembers a keyring that did not answer (nil: no memory);
	// staleMarker says an expired marker is there to be removed once the
	// keyring answers.
	mem         *KeyringMemory
	staleMarker bool

	mu  sync.Mutex
	use Store // nil until decided
}

var _ Store = (*autoStore)(nil)

// answered reports whether a keyring error still means the keyring works.
func answered(err error) bool { return err == nil || errors.Is(err, ErrNotFound) }

func (s *autoStore) chosen() Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.use
}

// choose settles the store: the keyring when keyringWorks, else the file
// store (or none, when the file store cannot be opened). The first choice
// stands.
func (s *autoStore) choose(keyringWorks bool) Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.use != nil {
		return s.use
	}
	if keyringWorks {
		if s.staleMarker {
			s.mem.forget()
		}
		s.use = s.ks
		return s.use
	}
	fs, err := s.open()
	if err != nil {
		if s.notice != nil {
			fmt.Fprintf(s.notice, "kubectl-eksxa: warning: not caching: %v\n", err)
		}
		fs = NewNoneStore()
	}
	s.use = fs
	return s.use
}

// decide settles the store with a probe, for a first operation that is not
// a Get.
func (s *autoStore) decide() Store {
	if st := s.chosen(); st != nil {
		return st
	}
	_, err := bounded(s.ks, "probe", func() (string, error) { return s.ks.kr.Get(Service, probeKey) })
	return s.choose(answered(err))
}

func (s *autoStore) Get(key string) (string, error) {
	if st := s.chosen(); st != nil {
		return st.Get(key)
	}
	if err := validateKey(key); err != nil {
		return "", err
	}
	v, err := s.ks.Get(key)
	if !answered(err) {
		if !s.ks.dead.Load() { // a timeout is told by the memory
			s.mem.logf("keyring: %v; using the file cache instead", err)
		}
		return s.choose(false).Get(key)
	}
	if st := s.choose(true); st != Store(s.ks) {
		// Another goroutine settled on the file store first: ask it, so
		// that this process never mixes the two.
		return st.Get(key)
	}
	return v, err
}

func (s *autoStore) Set(key, value string) error { return s.decide().Set(key, value) }
func (s *autoStore) Delete(key string) error     { return s.decide().Delete(key) }
func (s *autoStore) Name() string                { return s.decide().Name() }
