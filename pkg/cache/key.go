package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"strconv"
)

// keyDomain separates these hashes from any other use of SHA-256 and
// versions the encoding: changing it orphans old entries, which is a miss.
const keyDomain = "kubectl-eksxa cache key v1"

// Key derives a cache key from kind (such as "token" or "session") and the
// parts that select the entry, in order. Each field is written as its 8-byte
// big-endian length followed by its bytes, so no two different part lists
// encode alike ("a","bc" differs from "ab","c"); the encoding is hashed with
// SHA-256 and returned as 64 lowercase hex characters. Parts must never
// include a secret.
func Key(kind string, parts ...string) string {
	h := sha256.New()
	var n [8]byte
	write := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	write(keyDomain)
	write(kind)
	binary.BigEndian.PutUint64(n[:], uint64(len(parts)))
	h.Write(n[:])
	for _, p := range parts {
		write(p)
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// FileStamp describes the file at path by its metadata, for a cache key that
// must change when the file does: its path, size, modification time and, on
// Unix, its change time, device and inode. Only stat(2) is called: the file
// is neither opened nor parsed, so a warm call stays as cheap whatever the
// file's size.
//
// Any write changes the stamp: an edit in place changes the size or the
// modification time, and always the change time (which no user tool can set
// back, unlike the modification time: cp -p, touch -r, tar); an editor that
// saves by renaming a new file into place changes the inode. A `touch`
// without a change also changes it, which costs one miss. A file that does
// not exist stamps as "absent", one that cannot be stat'ed as the kind of
// error, so creating or removing a file changes the stamp too.
func FileStamp(path string) string {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return path + "\x00absent"
	case err != nil:
		return path + "\x00unreadable"
	}
	return path + "\x00" + strconv.FormatInt(fi.Size(), 10) + "\x00" + strconv.FormatInt(fi.ModTime().UnixNano(), 10) + sysStamp(fi)
}
