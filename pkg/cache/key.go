package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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
