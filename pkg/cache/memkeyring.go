package cache

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// ErrMemTooBig is what MemKeyring.Set returns for a value over its size
// limit, as go-keyring returns ErrSetDataTooBig on Windows and macOS.
var ErrMemTooBig = errors.New("memkeyring: data passed to Set was too big")

// MemKeyring is an in-memory Keyring for tests, in this and other
// packages. It can enforce a platform's size limit, fail every call, or hang
// (block every call until released). It is safe for concurrent use.
type MemKeyring struct {
	mu      sync.Mutex
	items   map[[2]string]string
	maxSize int
	err     error
	hang    chan struct{}
	calls   int
}

var _ Keyring = (*MemKeyring)(nil)

// NewMemKeyring returns an empty MemKeyring with no size limit.
func NewMemKeyring() *MemKeyring {
	return &MemKeyring{items: map[[2]string]string{}}
}

// SetMaxSize makes Set fail with ErrMemTooBig for a password longer than n
// bytes (2560 is Windows Credential Manager). Zero removes the limit.
func (m *MemKeyring) SetMaxSize(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.maxSize = n
}

// FailWith makes every call fail with err; nil restores normal behaviour.
func (m *MemKeyring) FailWith(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

// Hang makes every call block until release is called, like a keyring
// daemon that does not answer. release may be called more than once.
func (m *MemKeyring) Hang() (release func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan struct{})
	m.hang = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			if m.hang == ch {
				m.hang = nil
			}
			m.mu.Unlock()
			close(ch)
		})
	}
}

// enter counts a call, waits out a hang and returns the injected error.
func (m *MemKeyring) enter() error {
	m.mu.Lock()
	m.calls++
	ch := m.hang
	m.mu.Unlock()
	if ch != nil {
		<-ch
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Set stores password under (service, user).
func (m *MemKeyring) Set(service, user, password string) error {
	if err := m.enter(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.maxSize > 0 && len(password) > m.maxSize {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrMemTooBig, len(password), m.maxSize)
	}
	m.items[[2]string{service, user}] = password
	return nil
}

// Get returns the password under (service, user), or ErrNotFound.
func (m *MemKeyring) Get(service, user string) (string, error) {
	if err := m.enter(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[[2]string{service, user}]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Delete removes (service, user), or returns ErrNotFound.
func (m *MemKeyring) Delete(service, user string) error {
	if err := m.enter(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{service, user}
	if _, ok := m.items[k]; !ok {
		return ErrNotFound
	}
	delete(m.items, k)
	return nil
}

// Lookup reads an item directly, bypassing hangs, errors and counting.
func (m *MemKeyring) Lookup(service, user string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[[2]string{service, user}]
	return v, ok
}

// Put writes an item directly, bypassing limits, hangs and errors: a test
// plants corrupt or foreign data with it.
func (m *MemKeyring) Put(service, user, password string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[[2]string{service, user}] = password
}

// Users lists the user names stored under service, sorted.
func (m *MemKeyring) Users(service string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var users []string
	for k := range m.items {
		if k[0] == service {
			users = append(users, k[1])
		}
	}
	sort.Strings(users)
	return users
}

// Calls is the number of Set, Get and Delete calls made so far.
func (m *MemKeyring) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

var _ KeyringSweeper = (*MemKeyring)(nil)

// DeleteAll removes every item under service and returns how many.
func (m *MemKeyring) DeleteAll(service string) (int, error) {
	if err := m.enter(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k := range m.items {
		if k[0] == service {
			delete(m.items, k)
			n++
		}
	}
	return n, nil
}

// ListUsers is Users as a KeyringSweeper: a counted call that can fail.
func (m *MemKeyring) ListUsers(service string) ([]string, error) {
	if err := m.enter(); err != nil {
		return nil, err
	}
	return m.Users(service), nil
}
