//go:build darwin || freebsd || netbsd

package cache

import "syscall"

// ctime is the file's change time, seconds and nanoseconds.
func ctime(st *syscall.Stat_t) (sec, nsec int64) { return st.Ctimespec.Unix() }
