package cache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAutoWarmGetReadsOneKeyringItem(t *testing.T) {
	kr := NewMemKeyring()
	key := Key("token", "warm")
	kr.Put(Service, key, "cached")
	dir := filepath.Join(privateTempDir(t), "eksxa")
	s, err := SelectWith("auto", kr, dir, &bytes.Buffer{}, KeyringOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if kr.Calls() != 0 {
		t.Fatalf("Select made %d keyring calls, want 0", kr.Calls())
	}
	got, err := s.Get(key)
	if err != nil || got != "cached" {
		t.Fatalf("Get = %q, %v; want the keyring's value", got, err)
	}
	if s.Name() != NameKeyring {
		t.Errorf("store = %s, want keyring", s.Name())
	}
	if kr.Calls() != 1 {
		t.Errorf("a warm Get and Name made %d keyring calls, want 1 (no probe item)", kr.Calls())
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file store was opened although the keyring answered: %v", err)
	}
}

func TestAutoFirstGet(t *testing.T) {
	opts := KeyringOptions{Timeout: 50 * time.Millisecond}
	key := Key("token", "first")
	tests := []struct {
		name      string
		kr        func(t *testing.T) *MemKeyring
		wantStore string
		want      string // what Get returns; "" for a miss
	}{
		{"keyring answers not found", func(*testing.T) *MemKeyring { return NewMemKeyring() }, NameKeyring, ""},
		{"keyring fails", func(*testing.T) *MemKeyring {
			kr := NewMemKeyring()
			kr.FailWith(errors.New("org.freedesktop.DBus.Error.ServiceUnknown"))
			return kr
		}, NameFile, "from-file"},
		{"keyring hangs", func(t *testing.T) *MemKeyring {
			kr := NewMemKeyring()
			t.Cleanup(kr.Hang())
			return kr
		}, NameFile, "from-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(privateTempDir(t), "eksxa")
			fs, err := NewFileStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := fs.Set(key, "from-file"); err != nil {
				t.Fatal(err)
			}
			kr := tt.kr(t)
			var notice bytes.Buffer
			s, err := SelectWith("auto", kr, dir, &notice, opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(key)
			if tt.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("Get = %q, %v; want a miss", got, err)
				}
			} else if err != nil || got != tt.want {
				t.Errorf("Get = %q, %v; want %q", got, err, tt.want)
			}
			if s.Name() != tt.wantStore {
				t.Errorf("store = %s, want %s", s.Name(), tt.wantStore)
			}
			// The choice stands: a Set goes to the chosen store, and a
			// keyring that did not answer is not asked again.
			calls := kr.Calls()
			if err := s.Set(key, "new"); err != nil {
				t.Fatal(err)
			}
			_, inKeyring := kr.Lookup(Service, key)
			if inKeyring != (tt.wantStore == NameKeyring) {
				t.Errorf("after Set, value in keyring = %v, want %v", inKeyring, tt.wantStore == NameKeyring)
			}
			if tt.wantStore == NameFile && kr.Calls() != calls {
				t.Errorf("the file store's Set asked the keyring %d more times", kr.Calls()-calls)
			}
			if tt.wantStore == NameFile && !strings.Contains(notice.String(), dir) {
				t.Errorf("no notice naming %s on the first file write: %q", dir, notice.String())
			}
		})
	}
}

func TestAutoFirstSetProbes(t *testing.T) {
	kr := NewMemKeyring()
	kr.FailWith(errors.New("no keyring"))
	dir := filepath.Join(privateTempDir(t), "eksxa")
	s, err := SelectWith("auto", kr, dir, nil, KeyringOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	key := Key("session", "s")
	if err := s.Set(key, "v"); err != nil {
		t.Fatalf("Set: %v (a failing keyring must fall back to files)", err)
	}
	if kr.Calls() != 1 {
		t.Errorf("keyring calls = %d, want 1 (the probe)", kr.Calls())
	}
	if got, err := NewFileStore(dir); err != nil {
		t.Fatal(err)
	} else if v, err := got.Get(key); err != nil || v != "v" {
		t.Errorf("file store has %q, %v; want v", v, err)
	}
}

func TestAutoFallbackCannotOpen(t *testing.T) {
	kr := NewMemKeyring()
	kr.FailWith(errors.New("no keyring"))
	parent := privateTempDir(t)
	dir := filepath.Join(parent, "not-a-dir")
	if err := os.WriteFile(dir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var notice bytes.Buffer
	s, err := SelectWith("auto", kr, dir, &notice, KeyringOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	key := Key("token", "t")
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get: %v, want a miss", err)
	}
	if err := s.Set(key, "v"); err != nil {
		t.Errorf("Set: %v, want the call to go on uncached", err)
	}
	if s.Name() != NameNone {
		t.Errorf("store = %s, want none", s.Name())
	}
	if strings.Count(notice.String(), "not caching") != 1 {
		t.Errorf("notice = %q, want one not-caching warning", notice.String())
	}
}
