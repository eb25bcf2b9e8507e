//go:build unix

package cache

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// killHelperEnv, when set to a directory, makes this test binary a writer
// that sets one big entry there over and over until it is killed.
const killHelperEnv = "EKSXA_KILL_WRITER_DIR"

const (
	killKey       = "victim"
	killValueSize = 768 << 10 // under maxFileSize, big enough to be caught mid-write
)

// killValue is the i-th value the writer stores: one letter, repeated.
func killValue(i int) string {
	b := make([]byte, killValueSize)
	for j := range b {
		b[j] = byte('a' + i%26)
	}
	return string(b)
}

func TestMain(m *testing.M) {
	if dir := os.Getenv(killHelperEnv); dir != "" {
		s, err := NewFileStore(dir)
		if err != nil {
			os.Exit(3)
		}
		for i := 0; ; i++ {
			if err := s.Set(killKey, killValue(i)); err != nil {
				os.Exit(4)
			}
		}
	}
	os.Exit(m.Run())
}

// TestFileStoreKilledMidWrite kills a writer with SIGKILL at random points
// and reads the entry after each kill: it is the old value or a new one,
// whole, never a torn or corrupt one.
func TestFileStoreKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns writer processes")
	}
	s, dir := newFileStore(t)
	if err := s.Set(killKey, killValue(0)); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 25; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), killHelperEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(5+rand.IntN(60)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: the writer was not killed mid-write: %v", round, err)
		}
		got, err := s.Get(killKey)
		if err != nil {
			t.Fatalf("round %d: read after kill: %v", round, err)
		}
		if !wholeValue(got) {
			t.Fatalf("round %d: torn entry (%d bytes, starts %q)", round, len(got), got[:min(len(got), 8)])
		}
		t.Logf("round %d: read value %s", round, strconv.QuoteRune(rune(got[0])))
	}
	// Killed writers leave temp files behind; they are never entries.
	if n, err := s.Clear(); err != nil || n != 1 {
		t.Errorf("Clear = %d, %v; want the one entry", n, err)
	}
}

func wholeValue(v string) bool {
	if len(v) != killValueSize {
		return false
	}
	for i := 1; i < len(v); i++ {
		if v[i] != v[0] {
			return false
		}
	}
	return v[0] >= 'a' && v[0] <= 'z'
}
