//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos

package cache

import (
	"io/fs"
	"strconv"
	"syscall"
)

// sysStamp is the part of a FileStamp only Unix has: the change time (set by
// the kernel on every write, rename or chmod, never by a user tool), the
// device and the inode.
func sysStamp(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	sec, nsec := ctime(st)
	return "\x00" + strconv.FormatInt(sec, 10) + "." + strconv.FormatInt(nsec, 10) +
		"\x00" + strconv.FormatUint(uint64(st.Dev), 10) + "\x00" + strconv.FormatUint(uint64(st.Ino), 10) //nolint:unconvert // Dev and Ino are narrower types on other platforms
}
