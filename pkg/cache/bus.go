package cache

import (
	"os"
	"path/filepath"
	"strconv"
)

// SessionBusAvailable reports whether go-keyring on goos can reach the
// keyring without side effects. On macOS and Windows it always can. On Linux
// and the BSDs it needs a D-Bus session bus: DBUS_SESSION_BUS_ADDRESS, or a
// bus socket in XDG_RUNTIME_DIR (else /run/user/UID), found the way godbus
// finds them. Without one, godbus would run dbus-launch and leave a stray
// bus daemon behind on every call, so the caller should treat the keyring
// as absent (pass a nil Keyring to Select).
func SessionBusAvailable(goos string, getenv func(string) string) bool {
	switch goos {
	case "darwin", "ios", "windows":
		return true
	}
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	dir := getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = "/run/user/" + strconv.Itoa(os.Getuid())
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
