package cache

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSelect(t *testing.T) {
	opts := KeyringOptions{Timeout: 50 * time.Millisecond}
	working := func() Keyring { return NewMemKeyring() }
	hung := func() Keyring {
		kr := NewMemKeyring()
		t.Cleanup(kr.Hang())
		return kr
	}
	failing := func() Keyring {
		kr := NewMemKeyring()
		kr.FailWith(errors.New("org.freedesktop.DBus.Error.ServiceUnknown"))
		return kr
	}
	none := func() Keyring { return nil }
	tests := []struct {
		mode    string
		kr      func() Keyring
		want    string // Store.Name, or "" for an error
		wantErr string
	}{
		{"auto", working, "keyring", ""},
		{"", working, "keyring", ""},
		{"auto", hung, "file", ""},
		{"auto", failing, "file", ""},
		{"auto", none, "file", ""},
		{"keyring", working, "keyring", ""},
		{"keyring", failing, "keyring", ""},
		{"keyring", none, "", "no OS keyring"},
		{"file", working, "file", ""},
		{"none", working, "none", ""},
		{"Keyring", working, "", `unknown cache mode "Keyring"`},
		{"disk", working, "", `unknown cache mode "disk"`},
	}
	for _, tt := range tests {
		dir := filepath.Join(privateTempDir(t), "eksxa")
		var notice bytes.Buffer
		s, err := SelectWith(tt.mode, tt.kr(), dir, &notice, opts)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("SelectWith(%q) err = %v, want %q", tt.mode, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("SelectWith(%q): %v", tt.mode, err)
			continue
		}
		if s.Name() != tt.want {
			t.Errorf("SelectWith(%q) = %s store, want %s", tt.mode, s.Name(), tt.want)
		}
		if notice.Len() != 0 {
			t.Errorf("SelectWith(%q) wrote a notice before any write: %q", tt.mode, notice.String())
		}
	}
}

func TestSelectAutoProbesWithinTimeout(t *testing.T) {
	kr := NewMemKeyring()
	defer kr.Hang()()
	start := time.Now()
	s, err := SelectWith("auto", kr, privateTempDir(t), nil, KeyringOptions{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "file" {
		t.Errorf("store = %s, want file", s.Name())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("probe of a hung keyring took %s", d)
	}
}

func TestSelectAutoNoticeOnce(t *testing.T) {
	dir := filepath.Join(privateTempDir(t), "eksxa")
	key := Key("token", "n")
	var notice bytes.Buffer

	s, err := Select("auto", nil, dir, &notice)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
	if notice.Len() != 0 {
		t.Fatalf("notice on a read: %q", notice.String())
	}
	if err := s.Set(key, "v"); err != nil {
		t.Fatal(err)
	}
	first := notice.String()
	if strings.Count(first, "\n") != 1 || !strings.HasSuffix(first, "\n") || !strings.Contains(first, dir) {
		t.Errorf("notice = %q, want one line naming %s", first, dir)
	}
	if err := s.Set(key, "v2"); err != nil {
		t.Fatal(err)
	}
	// A later kubectl call: a new process, same cache directory.
	s2, err := Select("auto", nil, dir, &notice)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Set(key, "v3"); err != nil {
		t.Fatal(err)
	}
	if notice.String() != first {
		t.Errorf("notice repeated: %q", notice.String())
	}
	if got, err := s2.Get(key); err != nil || got != "v3" {
		t.Errorf("Get = %q, %v", got, err)
	}

	// Explicit file mode never tells.
	var quiet bytes.Buffer
	fs, err := Select("file", nil, filepath.Join(privateTempDir(t), "other"), &quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Set(key, "v"); err != nil {
		t.Fatal(err)
	}
	if quiet.Len() != 0 {
		t.Errorf("file mode wrote a notice: %q", quiet.String())
	}
}
