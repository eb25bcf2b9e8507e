package cache

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLockGoroutines(t *testing.T) {
	dir := privateTempDir(t)
	key := Key("token", "contended")
	var inside, maxInside, entered atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := Lock(context.Background(), dir, key, 30*time.Second)
			if err != nil {
				errs <- err
				return
			}
			n := inside.Add(1)
			for {
				m := maxInside.Load()
				if n <= m || maxInside.CompareAndSwap(m, n) {
					break
				}
			}
			entered.Add(1)
			time.Sleep(2 * time.Millisecond)
			inside.Add(-1)
			unlock()
			unlock() // a second call is harmless
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Lock: %v", err)
	}
	if got := entered.Load(); got != 16 {
		t.Errorf("%d goroutines got the lock, want 16", got)
	}
	if got := maxInside.Load(); got != 1 {
		t.Errorf("%d goroutines held the lock at once, want 1", got)
	}
}

const lockHelperEnv = "EKSXA_CACHE_LOCK_HELPER"

// TestLockHelperProcess is not a test: TestLockProcesses runs the test
// binary as several processes that each take the lock a few times and log
// when they enter and leave.
func TestLockHelperProcess(t *testing.T) {
	if os.Getenv(lockHelperEnv) != "1" {
		t.Skip("helper process for TestLockProcesses")
	}
	dir, key, logPath := os.Getenv("EKSXA_LOCK_DIR"), os.Getenv("EKSXA_LOCK_KEY"), os.Getenv("EKSXA_LOCK_LOG")
	log, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	pid := os.Getpid()
	for range 5 {
		unlock, err := Lock(context.Background(), dir, key, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(log, "in %d\n", pid)
		time.Sleep(3 * time.Millisecond)
		fmt.Fprintf(log, "out %d\n", pid)
		unlock()
	}
}

func TestLockProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := privateTempDir(t)
	logPath := filepath.Join(privateTempDir(t), "log")
	if err := os.WriteFile(logPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	const procs = 6
	cmds := make([]*exec.Cmd, procs)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), lockHelperEnv+"=1", "EKSXA_LOCK_DIR="+dir,
			"EKSXA_LOCK_KEY="+Key("token", "procs"), "EKSXA_LOCK_LOG="+logPath)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("helper %d output:\n%s", i, out.String())
			}
		})
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v", i, err)
		}
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	holder, ins, pids := "", 0, map[string]bool{}
	for line := 1; sc.Scan(); line++ {
		ev, pid, _ := strings.Cut(sc.Text(), " ")
		if _, err := strconv.Atoi(pid); err != nil {
			t.Fatalf("log line %d: %q", line, sc.Text())
		}
		switch {
		case ev == "in" && holder == "":
			holder, pids[pid] = pid, true
			ins++
		case ev == "out" && holder == pid:
			holder = ""
		default:
			t.Fatalf("log line %d: %q while %q held the lock: critical sections overlap", line, sc.Text(), holder)
		}
	}
	if ins != procs*5 || len(pids) != procs {
		t.Errorf("%d entries from %d processes, want %d from %d", ins, len(pids), procs*5, procs)
	}
}

func TestLockTimeoutAndCancel(t *testing.T) {
	dir := privateTempDir(t)
	key := Key("token", "busy")
	unlock, err := Lock(context.Background(), dir, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(context.Background(), dir, key, 30*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Lock of a held lock: err = %v, want ErrLockTimeout", err)
	}
	if _, err := Lock(context.Background(), dir, key, 0); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Lock with no wait: err = %v, want ErrLockTimeout", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, dir, key, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a cancelled context: err = %v, want context.Canceled", err)
	}
	// Another key is independent.
	other, err := Lock(context.Background(), dir, Key("token", "other"), 0)
	if err != nil {
		t.Errorf("Lock of another key: %v", err)
	} else {
		other()
	}
	unlock()
	again, err := Lock(context.Background(), dir, key, 0)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	again()
	if _, err := Lock(context.Background(), dir, "../escape", 0); err == nil {
		t.Error("Lock with an invalid key succeeded")
	}
	if fi, err := os.Stat(filepath.Join(dir, key+".lock")); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("lock file: %v, %v; want a private file", fi, err)
	}
}
