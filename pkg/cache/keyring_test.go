package cache

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// value returns a deterministic n-byte value with a recognisable marker.
func value(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "SECRET%06d|", i)
	}
	return b.String()[:n]
}

func TestKeyringStoreRoundTrip(t *testing.T) {
	kr := NewMemKeyring()
	s := NewKeyringStore(kr, KeyringOptions{})
	key := Key("token", "c")
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on empty keyring: err = %v, want ErrNotFound", err)
	}
	if err := s.Set(key, "v1"); err != nil {
		t.Fatal(err)
	}
	if got, ok := kr.Lookup(Service, key); !ok || got != "v1" {
		t.Errorf("item (%q, %q) = %q, %v; want v1 stored as is", Service, key, got, ok)
	}
	if got, err := s.Get(key); err != nil || got != "v1" {
		t.Errorf("Get = %q, %v", got, err)
	}
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(key); err != nil {
		t.Errorf("Delete of a missing key: %v, want nil", err)
	}
	if users := kr.Users(Service); len(users) != 0 {
		t.Errorf("items left after Delete: %q", users)
	}
	if s.Name() != "keyring" {
		t.Errorf("Name = %q", s.Name())
	}
}

func TestKeyringStoreChunks(t *testing.T) {
	tests := []struct {
		name      string
		limit     int // keyring's and store's MaxValueSize
		size      int
		wantItems int
	}{
		{"fits", 2560, 2560, 1},
		{"windows, just over", 2560, 2561, 2},
		{"windows, session-sized", 2560, 6000, 3},
		{"macos", 2600, 10000, 4},
		{"linux, no limit", 0, 100000, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr := NewMemKeyring()
			kr.SetMaxSize(tt.limit)
			s := NewKeyringStore(kr, KeyringOptions{MaxValueSize: tt.limit})
			key := Key("session", tt.name)
			v := value(tt.size)
			if err := s.Set(key, v); err != nil {
				t.Fatalf("Set: %v", err)
			}
			users := kr.Users(Service)
			var want []string
			for i := 0; i < tt.wantItems; i++ {
				if i == 0 {
					want = append(want, key)
				} else {
					want = append(want, fmt.Sprintf("%s.%d", key, i))
				}
			}
			if diff := cmp.Diff(want, users); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			got, err := s.Get(key)
			if err != nil || got != v {
				t.Fatalf("Get = %d bytes, %v; want the %d bytes set", len(got), err, len(v))
			}
			if err := s.Delete(key); err != nil {
				t.Fatal(err)
			}
			if users := kr.Users(Service); len(users) != 0 {
				t.Errorf("items left after Delete: %q", users)
			}
		})
	}
}

func TestKeyringStoreShrinkRemovesStaleChunks(t *testing.T) {
	kr := NewMemKeyring()
	kr.SetMaxSize(2560)
	s := NewKeyringStore(kr, KeyringOptions{MaxValueSize: 2560})
	key := Key("session", "shrink")
	for _, n := range []int{9000, 3000, 100} {
		v := value(n)
		if err := s.Set(key, v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(key); err != nil || got != v {
			t.Fatalf("after Set of %d bytes: Get = %d bytes, %v", n, len(got), err)
		}
	}
	if diff := cmp.Diff([]string{key}, kr.Users(Service)); diff != "" {
		t.Errorf("items after shrinking (-want +got):\n%s", diff)
	}
}

func TestKeyringStoreChunksSplitOnRunes(t *testing.T) {
	kr := NewMemKeyring()
	kr.SetMaxSize(1000)
	s := NewKeyringStore(kr, KeyringOptions{MaxValueSize: 1000})
	key := Key("session", "runes")
	v := strings.Repeat("é€😀", 500) // 2-, 3- and 4-byte runes
	if err := s.Set(key, v); err != nil {
		t.Fatal(err)
	}
	for _, u := range kr.Users(Service) {
		item, _ := kr.Lookup(Service, u)
		if !utf8.ValidString(item) {
			t.Errorf("item %s is not valid UTF-8: a chunk split a rune", u)
		}
	}
	if got, err := s.Get(key); err != nil || got != v {
		t.Errorf("Get = %d bytes, %v", len(got), err)
	}
}

func TestKeyringStoreMagicPrefixedValue(t *testing.T) {
	for _, limit := range []int{0, 2560} {
		kr := NewMemKeyring()
		s := NewKeyringStore(kr, KeyringOptions{MaxValueSize: limit})
		key := Key("token", "magic")
		v := chunkMagic + "99 not-a-header"
		if err := s.Set(key, v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(key); err != nil || got != v {
			t.Errorf("limit %d: Get = %q, %v; want %q", limit, got, err, v)
		}
	}
}

func TestKeyringStoreDamagedChunksMiss(t *testing.T) {
	key := Key("session", "damaged")
	tests := []struct {
		name   string
		damage func(kr *MemKeyring)
	}{
		{"missing chunk", func(kr *MemKeyring) { _ = kr.Delete(Service, key+".2") }},
		{"garbled chunk", func(kr *MemKeyring) { kr.Put(Service, key+".1", "garbage") }},
		{"chunk from another value", func(kr *MemKeyring) { kr.Put(Service, key+".1", value(2560)) }},
		{"garbled count", func(kr *MemKeyring) {
			h, _ := kr.Lookup(Service, key)
			kr.Put(Service, key, chunkMagic+"x"+h[len(chunkMagic)+1:])
		}},
		{"count out of range", func(kr *MemKeyring) {
			h, _ := kr.Lookup(Service, key)
			kr.Put(Service, key, chunkMagic+"00"+h[len(chunkMagic)+2:])
		}},
		{"checksum not hex", func(kr *MemKeyring) {
			h, _ := kr.Lookup(Service, key)
			kr.Put(Service, key, h[:len(chunkMagic)+3]+strings.Repeat("z", 64)+h[chunkHeaderLen-1:])
		}},
		{"truncated header", func(kr *MemKeyring) { kr.Put(Service, key, chunkMagic+"03 ab") }},
		{"no newline", func(kr *MemKeyring) {
			h, _ := kr.Lookup(Service, key)
			kr.Put(Service, key, h[:chunkHeaderLen-1]+"X"+h[chunkHeaderLen:])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr := NewMemKeyring()
			s := NewKeyringStore(kr, KeyringOptions{MaxValueSize: 2560})
			if err := s.Set(key, value(7000)); err != nil {
				t.Fatal(err)
			}
			tt.damage(kr)
			got, err := s.Get(key)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get = %d bytes, %v; want a miss", len(got), err)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
}

func TestKeyringStoreErrors(t *testing.T) {
	key := Key("session", "errors")
	t.Run("too big without MaxValueSize", func(t *testing.T) {
		kr := NewMemKeyring()
		kr.SetMaxSize(2560)
		s := NewKeyringStore(kr, KeyringOptions{})
		err := s.Set(key, value(3000))
		if !errors.Is(err, ErrMemTooBig) {
			t.Fatalf("Set err = %v, want ErrMemTooBig", err)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("error quotes the value: %v", err)
		}
	})
	t.Run("too big for 64 chunks", func(t *testing.T) {
		s := NewKeyringStore(NewMemKeyring(), KeyringOptions{MaxValueSize: 1000})
		if err := s.Set(key, value(64*1000)); err == nil || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Set err = %v, want a size error without the value", err)
		}
	})
	t.Run("MaxValueSize too small", func(t *testing.T) {
		s := NewKeyringStore(NewMemKeyring(), KeyringOptions{MaxValueSize: 100})
		if err := s.Set(key, value(300)); err == nil {
			t.Error("Set succeeded with a 100-byte MaxValueSize")
		}
	})
	t.Run("keyring fails", func(t *testing.T) {
		kr := NewMemKeyring()
		s := NewKeyringStore(kr, KeyringOptions{})
		boom := errors.New("dbus: connection refused")
		kr.FailWith(boom)
		if err := s.Set(key, "SECRET"); !errors.Is(err, boom) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Set err = %v, want %v without the value", err, boom)
		}
		if _, err := s.Get(key); !errors.Is(err, boom) || errors.Is(err, ErrNotFound) {
			t.Errorf("Get err = %v, want %v (not a plain miss)", err, boom)
		}
		if err := s.Delete(key); !errors.Is(err, boom) {
			t.Errorf("Delete err = %v, want %v", err, boom)
		}
		kr.FailWith(nil)
		if err := s.Set(key, "v"); err != nil {
			t.Errorf("Set after recovery: %v", err)
		}
	})
	t.Run("invalid key", func(t *testing.T) {
		kr := NewMemKeyring()
		s := NewKeyringStore(kr, KeyringOptions{})
		if err := s.Set("../x", "v"); err == nil {
			t.Error("Set with an invalid key succeeded")
		}
		if kr.Calls() != 0 {
			t.Errorf("keyring called %d times for an invalid key", kr.Calls())
		}
	})
}

func TestKeyringStoreHang(t *testing.T) {
	kr := NewMemKeyring()
	release := kr.Hang()
	defer release()
	s := NewKeyringStore(kr, KeyringOptions{Timeout: 50 * time.Millisecond})
	key := Key("token", "hang")

	start := time.Now()
	_, err := s.Get(key)
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("Get on a hung keyring: err = %v, want ErrKeyringUnavailable", err)
	}
	if errors.Is(err, ErrNotFound) {
		t.Errorf("a hung keyring is not a plain miss: %v", err)
	}
	calls := kr.Calls()
	// The keyring is now absent: no more waiting, no more calls.
	if err := s.Set(key, "v"); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Set after a timeout: err = %v, want ErrKeyringUnavailable", err)
	}
	if _, err := s.Get(key); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Get after a timeout: err = %v", err)
	}
	if kr.Calls() != calls {
		t.Errorf("keyring called again after it timed out: %d calls, then %d", calls, kr.Calls())
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("three calls on a hung keyring took %s", elapsed)
	}
}

func TestPlatformMaxValueSize(t *testing.T) {
	for goos, want := range map[string]int{"windows": 2560, "darwin": 2600, "linux": 0, "freebsd": 0} {
		if got := PlatformMaxValueSize(goos); got != want {
			t.Errorf("PlatformMaxValueSize(%q) = %d, want %d", goos, got, want)
		}
	}
	// A session entry (~1 KB token plus keys) chunked at the macOS size
	// must fit go-keyring's 4096-byte command once base64-encoded.
	const darwinOverhead = len("add-generic-password -U -s kubectl-eksxa -a ") + 64 + 3 + len(" -w ''go-keyring-base64:") + 1
	if n := darwinOverhead + 4*((PlatformMaxValueSize("darwin")+2)/3); n > 4096 {
		t.Errorf("a full macOS chunk makes a %d-byte keychain command, over 4096", n)
	}
}

func TestSessionBusAvailable(t *testing.T) {
	run := privateTempDir(t)
	withBus := privateTempDir(t)
	writeMode(t, withBus+"/bus", "", 0o600)
	tests := []struct {
		goos string
		env  map[string]string
		want bool
	}{
		{"darwin", nil, true},
		{"windows", nil, true},
		{"linux", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": run}, true},
		{"linux", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "autolaunch:", "XDG_RUNTIME_DIR": run}, false},
		{"linux", map[string]string{"XDG_RUNTIME_DIR": run}, false},
		{"linux", map[string]string{"XDG_RUNTIME_DIR": withBus}, true},
	}
	for _, tt := range tests {
		got := SessionBusAvailable(tt.goos, func(k string) string { return tt.env[k] })
		if got != tt.want {
			t.Errorf("SessionBusAvailable(%s, %v) = %v, want %v", tt.goos, tt.env, got, tt.want)
		}
	}
}

func TestKeyringStoreSweep(t *testing.T) {
	kr := NewMemKeyring()
	s := NewKeyringStore(kr, KeyringOptions{MaxValueSize: 600})
	big := strings.Repeat("x", 1500) // three items
	if err := s.Set("aaaa", big); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("bbbb", "small"); err != nil {
		t.Fatal(err)
	}
	kr.Put("other-service", "cccc", "keep")
	users, err := s.ListUsers()
	if err != nil || len(users) != 4 {
		t.Fatalf("ListUsers = %v, %v; want 4 items (a head, 2 chunks, 1 plain)", users, err)
	}
	n, err := s.DeleteAll()
	if err != nil || n != 4 {
		t.Fatalf("DeleteAll = %d, %v; want 4", n, err)
	}
	if left := kr.Users(Service); len(left) != 0 {
		t.Errorf("left: %v", left)
	}
	if _, ok := kr.Lookup("other-service", "cccc"); !ok {
		t.Error("another service's item was deleted")
	}
	// A keyring that cannot search by service says so.
	plain := NewKeyringStore(struct{ Keyring }{kr}, KeyringOptions{})
	if _, err := plain.DeleteAll(); !errors.Is(err, ErrCannotList) {
		t.Errorf("DeleteAll on a keyring without search = %v; want ErrCannotList", err)
	}
}
