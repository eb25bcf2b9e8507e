package cache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var memNow = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// memoryIn is a KeyringMemory in dir whose clock reads *now and whose log
// lines are collected.
func memoryIn(dir string, now *time.Time, log *[]string) *KeyringMemory {
	return &KeyringMemory{Dir: dir, Now: func() time.Time { return *now }, Log: func(f string, a ...any) {
		*log = append(*log, fmt.Sprintf(f, a...))
	}}
}

// TestKeyringMemoryAcrossProcesses: a hung keyring is waited for once; the
// next Select (another process) goes straight to the file store without a
// keyring call, until the memory expires; a keyring that answers again
// removes the stale marker.
func TestKeyringMemoryAcrossProcesses(t *testing.T) {
	dir := filepath.Join(privateTempDir(t), "eksxa")
	now := memNow
	var log []string
	kr := NewMemKeyring()
	release := kr.Hang()
	defer release()
	key := Key("token", "k")
	opts := KeyringOptions{Timeout: 50 * time.Millisecond, Memory: memoryIn(dir, &now, &log)}

	s, err := SelectWith(ModeAuto, kr, dir, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(key); err == nil || s.Name() != NameFile {
		t.Fatalf("first process: Get err %v, store %s; want a miss from the file store", err, s.Name())
	}
	marker := filepath.Join(dir, NoAnswerMarker)
	fi, err := os.Stat(marker)
	if err != nil {
		t.Fatalf("no marker after the keyring did not answer: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("marker mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(strings.Join(log, "\n"), "keyring: did not answer within 50ms; using the file cache in "+dir+" instead; not asking it again until 2026-05-06T07:13:09Z") {
		t.Errorf("log = %q", log)
	}
	if err := s.Set(key, "v"); err != nil {
		t.Fatal(err)
	}

	// Second process, a minute later: no keyring call at all.
	now = memNow.Add(time.Minute)
	log = nil
	before := kr.Calls()
	s2, err := SelectWith(ModeAuto, kr, dir, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s2.Get(key); err != nil || v != "v" || s2.Name() != NameFile {
		t.Fatalf("second process: Get = %q, %v from %s; want the file's value", v, err, s2.Name())
	}
	if kr.Calls() != before {
		t.Errorf("second process made %d keyring calls, want 0", kr.Calls()-before)
	}
	if want := "keyring: skipped: it did not answer at 2026-05-06T07:08:09Z; using the file cache in " + dir + " instead; it will be tried again after 2026-05-06T07:13:09Z"; len(log) != 1 || log[0] != want {
		t.Errorf("log = %q, want %q", log, want)
	}

	// Keyring mode honours the memory too, and caches nothing.
	ks, err := SelectWith(ModeKeyring, kr, dir, nil, opts)
	if err != nil || ks.Name() != NameNone || kr.Calls() != before {
		t.Errorf("keyring mode while remembered: %v, store %s, %d keyring calls; want none and no call", err, ks.Name(), kr.Calls()-before)
	}

	// After the memory expires the keyring is asked again; it answers, so
	// the stale marker goes.
	release()
	now = memNow.Add(DefaultNoAnswerMemory + time.Second)
	log = nil
	s3, err := SelectWith(ModeAuto, kr, dir, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.Get(key); s3.Name() != NameKeyring {
		t.Fatalf("after the memory expired: store %s (%v), want keyring", s3.Name(), err)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("stale marker still there after the keyring answered: %v", err)
	}
}

func TestKeyringMemoryIgnoresBadMarkers(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    bool
	}{
		{"fresh", memNow.Add(-time.Minute).Format(time.RFC3339Nano), 0o600, true},
		{"expired", memNow.Add(-DefaultNoAnswerMemory).Format(time.RFC3339Nano), 0o600, false},
		{"far future", memNow.Add(time.Hour).Format(time.RFC3339Nano), 0o600, false},
		{"slightly ahead", memNow.Add(10 * time.Second).Format(time.RFC3339Nano), 0o600, true},
		{"garbage", "yesterday", 0o600, false},
		{"world-writable", memNow.Format(time.RFC3339Nano), 0o666, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := privateTempDir(t)
			p := filepath.Join(dir, NoAnswerMarker)
			if err := os.WriteFile(p, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tt.mode); err != nil {
				t.Fatal(err)
			}
			now := memNow
			var log []string
			_, got, _ := memoryIn(dir, &now, &log).since()
			if got != tt.want {
				t.Errorf("remembered = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestKeyringModeRemembersNoAnswer: --cache keyring with a hung keyring
// writes the marker too (the fact is about the keyring, not the mode).
func TestKeyringModeRemembersNoAnswer(t *testing.T) {
	dir := filepath.Join(privateTempDir(t), "eksxa")
	now := memNow
	var log []string
	kr := NewMemKeyring()
	defer kr.Hang()()
	s, err := SelectWith(ModeKeyring, kr, dir, &bytes.Buffer{}, KeyringOptions{Timeout: 50 * time.Millisecond, Memory: memoryIn(dir, &now, &log)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(Key("token", "k")); err == nil {
		t.Fatal("Get from a hung keyring succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, NoAnswerMarker)); err != nil {
		t.Errorf("no marker: %v", err)
	}
	if len(log) != 1 || !strings.Contains(log[0], "using no cache (--cache keyring never falls back to files) instead") {
		t.Errorf("log = %q", log)
	}
}
