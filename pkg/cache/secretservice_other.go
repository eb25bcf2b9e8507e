//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package cache

import "github.com/zalando/go-keyring"

const quickGetAvailable = false

// quickGet is the Secret Service fast read; elsewhere go-keyring's Get is
// already one call to the platform's API.
func quickGet(service, user string) (string, bool) { return "", false }

// sweepSupported: only the Secret Service is listed by attribute here;
// elsewhere go-keyring's DeleteAll deletes by service (macOS Keychain,
// Windows credential target prefix) without a count.
const sweepSupported = false

func keyringUsers(string) ([]string, error) { return nil, ErrCannotList }

func keyringDeleteAll(service string) (int, error) {
	return -1, mapKeyringErr(keyring.DeleteAll(service))
}
