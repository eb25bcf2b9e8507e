package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service name every item is stored under.
const Service = "kubectl-eksxa"

// DefaultKeyringTimeout is how long a keyring may take to answer before it
// counts as absent.
const DefaultKeyringTimeout = 2 * time.Second

// ErrKeyringUnavailable wraps every failure of a keyring that did not answer
// in time. After one such failure a KeyringStore fails fast.
var ErrKeyringUnavailable = errors.New("cache: keyring unavailable")

// Keyring is the OS keyring, shaped like github.com/zalando/go-keyring. Get
// returns an error wrapping ErrNotFound when there is no such item.
type Keyring interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// KeyringOptions tune a KeyringStore.
type KeyringOptions struct {
	// Timeout bounds each Store operation; a keyring that does not answer
	// in time is absent. Zero means DefaultKeyringTimeout.
	Timeout time.Duration
	// MaxValueSize is the largest item the keyring accepts, in bytes. A
	// larger value is split into chunk items key, key.1, key.2, ... Zero
	// means no limit.
	MaxValueSize int
	// Memory, when set, remembers across processes that the keyring did
	// not answer within Timeout, so that Select leaves it alone for a
	// while (see KeyringMemory). Nil remembers nothing.
	Memory *KeyringMemory
}

// DefaultKeyringOptions are the options for this platform: the default
// timeout and PlatformMaxValueSize.
func DefaultKeyringOptions() KeyringOptions {
	return KeyringOptions{Timeout: DefaultKeyringTimeout, MaxValueSize: PlatformMaxValueSize(runtime.GOOS)}
}

// PlatformMaxValueSize is the largest value go-keyring can store in one item
// on goos: Windows Credential Manager takes 2560 bytes; the macOS Keychain
// takes a ~4 KB command line carrying the base64-encoded value, service and
// key, which leaves about 2900 bytes, of which 2600 are used. Elsewhere
// (Secret Service) there is no limit and 0 is returned.
func PlatformMaxValueSize(goos string) int {
	switch goos {
	case "windows":
		return 2560
	case "darwin", "ios":
		return 2600
	}
	return 0
}

// KeyringStore keeps values in a Keyring under Service, one item per key,
// or a head item and numbered chunk items when a value is over
// MaxValueSize.
type KeyringStore struct {
	kr   Keyring
	opts KeyringOptions
	dead atomic.Bool
	// onNoAnswer, when set, is called once, by the call that finds the
	// keyring not answering.
	onNoAnswer func(timeout time.Duration)
}

var _ Store = (*KeyringStore)(nil)

// NewKeyringStore returns a Store on kr. Zero options take their defaults
// (see KeyringOptions).
func NewKeyringStore(kr Keyring, opts KeyringOptions) *KeyringStore {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultKeyringTimeout
	}
	return &KeyringStore{kr: kr, opts: opts}
}

// Name returns "keyring".
func (s *KeyringStore) Name() string { return NameKeyring }

// bounded runs fn with the store's timeout. A keyring that does not answer
// in time is marked dead: later calls fail at once instead of waiting again.
// The goroutine of a call that timed out is abandoned; the process is short.
func bounded[T any](s *KeyringStore, op string, fn func() (T, error)) (T, error) {
	var zero T
	if s.dead.Load() {
		return zero, fmt.Errorf("%w: %s: it did not answer earlier", ErrKeyringUnavailable, op)
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	t := time.NewTimer(s.opts.Timeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-t.C:
		if s.dead.CompareAndSwap(false, true) && s.onNoAnswer != nil {
			s.onNoAnswer(s.opts.Timeout)
		}
		return zero, fmt.Errorf("%w: %s: no answer within %s", ErrKeyringUnavailable, op, s.opts.Timeout)
	}
}

// Get returns the value under key, reassembling chunks. A missing item, a
// missing or garbled chunk, or a checksum mismatch is a miss.
func (s *KeyringStore) Get(key string) (string, error) {
	if err := validateKey(key); err != nil {
		return "", err
	}
	return bounded(s, "get", func() (string, error) { return s.get(key) })
}

// Set stores value under key, as chunks when it is over MaxValueSize, and
// removes chunks left over from a longer earlier value.
func (s *KeyringStore) Set(key, value string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	_, err := bounded(s, "set", func() (struct{}, error) { return struct{}{}, s.set(key, value) })
	return err
}

// Delete removes key and its chunks; a missing key is not an error.
func (s *KeyringStore) Delete(key string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	_, err := bounded(s, "delete", func() (struct{}, error) { return struct{}{}, s.del(key) })
	return err
}

// Chunked values: the head item, under key, is
//
//	eksxa-chunked/1 NN <sha256 hex of the whole value>\n<first part>
//
// and items key.1 ... key.(NN-1) hold the following parts. A plain value
// that happens to start with the magic is stored chunked (NN = 01), so the
// two forms never collide.
const (
	chunkMagic = "eksxa-chunked/1 "
	// chunkHeaderLen: magic, two digits, space, 64 hex digits, newline.
	chunkHeaderLen = len(chunkMagic) + 2 + 1 + 2*sha256.Size + 1
	maxChunks      = 64
	// minChunkPayload keeps a silly MaxValueSize from making many tiny items.
	minChunkPayload = 256
)

func chunkKey(key string, i int) string { return key + "." + strconv.Itoa(i) }

type chunkHeader struct {
	n   int
	sum string
}

// parseHead splits a head item into its header and first part. ok is false
// for a plain (unchunked) value; err is a miss for a garbled header.
func parseHead(v string) (h chunkHeader, first string, ok bool, err error) {
	if !strings.HasPrefix(v, chunkMagic) {
		return h, "", false, nil
	}
	if len(v) < chunkHeaderLen || v[chunkHeaderLen-1] != '\n' {
		return h, "", true, fmt.Errorf("%w: garbled chunk header", ErrNotFound)
	}
	fields := strings.Fields(v[len(chunkMagic) : chunkHeaderLen-1])
	if len(fields) != 2 {
		return h, "", true, fmt.Errorf("%w: garbled chunk header", ErrNotFound)
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n < 1 || n > maxChunks || len(fields[1]) != 2*sha256.Size {
		return h, "", true, fmt.Errorf("%w: garbled chunk header", ErrNotFound)
	}
	if _, err := hex.DecodeString(fields[1]); err != nil {
		return h, "", true, fmt.Errorf("%w: garbled chunk header", ErrNotFound)
	}
	return chunkHeader{n: n, sum: fields[1]}, v[chunkHeaderLen:], true, nil
}

func (s *KeyringStore) rawGet(user string) (string, error) {
	v, err := s.kr.Get(Service, user)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return "", ErrNotFound
		}
		return "", fmt.Errorf("cache: keyring get: %w", err)
	}
	return v, nil
}

func (s *KeyringStore) get(key string) (string, error) {
	head, err := s.rawGet(key)
	if err != nil {
		return "", err
	}
	h, first, chunked, err := parseHead(head)
	if err != nil {
		return "", err
	}
	if !chunked {
		return head, nil
	}
	var b strings.Builder
	b.WriteString(first)
	for i := 1; i < h.n; i++ {
		part, err := s.rawGet(chunkKey(key, i))
		if errors.Is(err, ErrNotFound) {
			return "", fmt.Errorf("%w: chunk %d of %d is missing", ErrNotFound, i, h.n)
		}
		if err != nil {
			return "", err
		}
		b.WriteString(part)
	}
	v := b.String()
	if sum := sha256.Sum256([]byte(v)); hex.EncodeToString(sum[:]) != h.sum {
		return "", fmt.Errorf("%w: chunks do not match their checksum", ErrNotFound)
	}
	return v, nil
}

// split cuts v into parts whose items fit maxSize: the first part leaves room
// for the header. Cuts fall on UTF-8 rune starts where the value is UTF-8.
func split(v string, maxSize int) ([]string, error) {
	total := len(v)
	var parts []string
	for limit := maxSize - chunkHeaderLen; len(v) > limit; limit = maxSize {
		if len(parts) == maxChunks-1 {
			return nil, fmt.Errorf("cache: value of %d bytes is too large for the keyring (at most %d items of %d bytes)", total, maxChunks, maxSize)
		}
		end := limit
		for c := limit; c > 0 && c > limit-utf8.UTFMax; c-- {
			if utf8.RuneStart(v[c]) {
				end = c
				break
			}
		}
		parts = append(parts, v[:end])
		v = v[end:]
	}
	return append(parts, v), nil
}

func (s *KeyringStore) set(key, value string) error {
	// What is there now, to remove chunks a shorter value no longer uses.
	old := 0
	if prev, err := s.rawGet(key); err == nil {
		if h, _, chunked, err := parseHead(prev); chunked && err == nil {
			old = h.n
		}
	}
	maxSize := s.opts.MaxValueSize
	n := 1
	if strings.HasPrefix(value, chunkMagic) || maxSize > 0 && len(value) > maxSize {
		if maxSize <= 0 {
			maxSize = len(value) + chunkHeaderLen
		} else if maxSize-chunkHeaderLen < minChunkPayload {
			return fmt.Errorf("cache: keyring MaxValueSize %d is too small to split values", s.opts.MaxValueSize)
		}
		parts, err := split(value, maxSize)
		if err != nil {
			return err
		}
		n = len(parts)
		// Chunks first, head last: a reader never sees a new head with
		// missing chunks, and old chunks under a new head fail the checksum.
		for i := 1; i < n; i++ {
			if err := s.kr.Set(Service, chunkKey(key, i), parts[i]); err != nil {
				return fmt.Errorf("cache: keyring set chunk %d of %d: %w", i, n, err)
			}
		}
		sum := sha256.Sum256([]byte(value))
		head := fmt.Sprintf("%s%02d %s\n%s", chunkMagic, n, hex.EncodeToString(sum[:]), parts[0])
		if err := s.kr.Set(Service, key, head); err != nil {
			return fmt.Errorf("cache: keyring set: %w", err)
		}
	} else if err := s.kr.Set(Service, key, value); err != nil {
		return fmt.Errorf("cache: keyring set: %w", err)
	}
	for i := n; i < old; i++ {
		if err := s.kr.Delete(Service, chunkKey(key, i)); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("cache: keyring delete stale chunk %d: %w", i, err)
		}
	}
	return nil
}

func (s *KeyringStore) del(key string) error {
	n := 0
	if prev, err := s.rawGet(key); err == nil {
		if h, _, chunked, err := parseHead(prev); chunked && err == nil {
			n = h.n
		}
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	for i := 1; i < n; i++ {
		if err := s.kr.Delete(Service, chunkKey(key, i)); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("cache: keyring delete chunk %d: %w", i, err)
		}
	}
	if err := s.kr.Delete(Service, key); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("cache: keyring delete: %w", err)
	}
	return nil
}

// osKeyring adapts github.com/zalando/go-keyring to Keyring, mapping its
// not-found error to ErrNotFound.
type osKeyring struct{}

// OSKeyring returns the OS keyring: macOS Keychain, Windows Credential
// Manager, or the Secret Service over D-Bus. On Linux and the BSDs, check
// SessionBusAvailable first: without a session bus, go-keyring runs
// dbus-launch, which starts a stray bus daemon.
func OSKeyring() Keyring { return osKeyring{} }

func mapKeyringErr(err error) error {
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

func (osKeyring) Set(service, user, password string) error {
	return mapKeyringErr(keyring.Set(service, user, password))
}

func (osKeyring) Get(service, user string) (string, error) {
	if v, ok := quickGet(service, user); ok {
		return v, nil
	}
	v, err := keyring.Get(service, user)
	return v, mapKeyringErr(err)
}

func (osKeyring) Delete(service, user string) error {
	return mapKeyringErr(keyring.Delete(service, user))
}

// ErrCannotList is returned where the platform's keyring cannot list the
// items of a service (macOS Keychain and Windows Credential Manager, as
// go-keyring reaches them).
var ErrCannotList = errors.New("cache: this keyring cannot list its items")

// KeyringSweeper is a Keyring that can find items by service alone, not
// only by service and user: the Secret Service searches by attribute.
type KeyringSweeper interface {
	// ListUsers lists the user names of every item under service, or
	// returns ErrCannotList.
	ListUsers(service string) ([]string, error)
	// DeleteAll deletes every item under service and returns how many
	// (-1 when the platform does not say).
	DeleteAll(service string) (int, error)
}

// ListUsers lists the keys of every item under Service, chunk items
// included, found in the keyring itself (not the index): what a
// removed index no longer lists. ErrCannotList where the keyring cannot.
func (s *KeyringStore) ListUsers() ([]string, error) {
	sw, ok := s.kr.(KeyringSweeper)
	if !ok {
		return nil, ErrCannotList
	}
	return bounded(s, "list", func() ([]string, error) { return sw.ListUsers(Service) })
}

// DeleteAll deletes every item under Service, whatever the index says,
// and returns how many (-1 when the platform does not say).
// ErrCannotList where the keyring cannot find items by service.
func (s *KeyringStore) DeleteAll() (int, error) {
	sw, ok := s.kr.(KeyringSweeper)
	if !ok {
		return 0, ErrCannotList
	}
	return bounded(s, "delete all", func() (int, error) { return sw.DeleteAll(Service) })
}

// SweepCounts reports whether DeleteAll and ListUsers on the OS keyring work
// item by item on this platform (the Secret Service); elsewhere DeleteAll
// deletes without a count and Users returns ErrCannotList.
const SweepCounts = sweepSupported

var _ KeyringSweeper = osKeyring{}

func (osKeyring) ListUsers(service string) ([]string, error) { return keyringUsers(service) }

func (osKeyring) DeleteAll(service string) (int, error) { return keyringDeleteAll(service) }
