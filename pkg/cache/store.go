package cache

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned (possibly wrapped, with the reason) by Store.Get
// and the Decode functions on a miss: no entry, or one that cannot be
// trusted or understood. Callers test it with errors.Is.
var ErrNotFound = errors.New("cache: not found")

// Store holds opaque string values under a key. It is shaped like
// go-keyring. Get returns an error wrapping ErrNotFound on a miss. Delete of
// a missing key is not an error. Callers treat every Set error as non-fatal:
// a cache that cannot be written costs speed, never the kubectl call.
type Store interface {
	Get(key string) (string, error)
	Set(key, value string) error
	Delete(key string) error
	// Name is "keyring", "file" or "none".
	Name() string
}

// Store names, as returned by Store.Name.
const (
	NameKeyring = "keyring"
	NameFile    = "file"
	NameNone    = "none"
)

// maxKeyLen bounds a key; Key returns 64 hex characters.
const maxKeyLen = 128

// validateKey accepts keys that are safe as file names and keyring user
// names: 1 to 128 characters of [A-Za-z0-9._-], not starting with a dot.
func validateKey(key string) error {
	if key == "" || len(key) > maxKeyLen || key[0] == '.' {
		return fmt.Errorf("cache: invalid key %q", key)
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return fmt.Errorf("cache: invalid key %q", key)
		}
	}
	return nil
}

type noneStore struct{}

var _ Store = noneStore{}

// NewNoneStore returns a Store that keeps nothing: every Get misses and
// every Set succeeds without effect (--cache none).
func NewNoneStore() Store { return noneStore{} }

func (noneStore) Get(string) (string, error) {
	return "", fmt.Errorf("%w: cache disabled", ErrNotFound)
}
func (noneStore) Set(string, string) error { return nil }
func (noneStore) Delete(string) error      { return nil }
func (noneStore) Name() string             { return NameNone }
