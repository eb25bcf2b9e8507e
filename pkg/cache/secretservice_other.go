//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package cache

const quickGetAvailable = false

// quickGet is the Secret Service fast read; elsewhere go-keyring's Get is
// already one call to the platform's API.
func quickGet(service, user string) (string, bool) { return "", false }
