//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos)

package cache

import "io/fs"

// sysStamp adds nothing where there is no change time or inode (Windows, Plan 9, AIX):
// size and modification time must do.
func sysStamp(fs.FileInfo) string { return "" }
