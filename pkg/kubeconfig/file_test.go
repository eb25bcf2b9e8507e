//go:build unix

package kubeconfig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func addContext(name string) func(*clientcmdapi.Config) error {
	return func(cfg *clientcmdapi.Config) error {
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
		return nil
	}
}

// TestUpdateConcurrent: many writers at once, each adding its context:
// none is lost, and no lock or temp file is left.
func TestUpdateConcurrent(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config")
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Update(context.Background(), p, UpdateOptions{}, addContext(fmt.Sprintf("ctx-%d", i)))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	cfg, err := clientcmd.LoadFromFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Contexts) != n {
		t.Errorf("%d contexts, want %d", len(cfg.Contexts), n)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
}

// TestUpdateWaitsForKubectlLock: a lock file kubectl holds makes Update
// wait; one that stays is an error naming it, and the file is untouched.
func TestUpdateWaitsForKubectlLock(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config")
	if err := os.WriteFile(p, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	lock := p + ".lock"
	if err := os.WriteFile(lock, nil, 0); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(150 * time.Millisecond)
		os.Remove(lock)
	}()
	if _, err := Update(context.Background(), p, UpdateOptions{LockWait: 5 * time.Second}, addContext("a")); err != nil {
		t.Fatalf("after the lock went: %v", err)
	}
	if err := os.WriteFile(lock, nil, 0); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	_, err := Update(context.Background(), p, UpdateOptions{LockWait: 100 * time.Millisecond}, addContext("b"))
	var le *LockedError
	if !errors.As(err, &le) || le.Lock != lock || !strings.Contains(err.Error(), "rm "+lock) {
		t.Fatalf("err = %v; want a LockedError naming %s", err, lock)
	}
	if after, _ := os.ReadFile(p); string(after) != string(before) {
		t.Error("the file changed while locked")
	}
	if _, err := os.Stat(lock); err != nil {
		t.Error("the other writer's lock was removed")
	}
}

func TestUpdateModeAndNewFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "config")
	if _, err := Update(context.Background(), p, UpdateOptions{}, addContext("a")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file: %v %v; want 0600", fi, err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := Update(context.Background(), p, UpdateOptions{}, addContext("b")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", fi.Mode())
	}
}

// TestUpdateDanglingRelativeLink: ~/.kube/config is a relative link into a
// dotfiles checkout whose file does not exist yet: the file is created at
// the target and the link stays.
func TestUpdateDanglingRelativeLink(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "dotfiles", "kube"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".kube"), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(home, ".kube", "config")
	if err := os.Symlink("../dotfiles/kube/config", link); err != nil {
		t.Fatal(err)
	}
	res, err := Update(context.Background(), link, UpdateOptions{}, addContext("a"))
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(home, "dotfiles", "kube", "config")
	if res.Path != target {
		t.Errorf("written to %s, want %s", res.Path, target)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	if _, err := Update(context.Background(), link, UpdateOptions{}, addContext("b")); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.LoadFromFile(target)
	if err != nil || len(cfg.Contexts) != 2 {
		t.Fatalf("target: %v, %v", cfg, err)
	}
	if _, err := os.Stat(link + ".lock"); err == nil {
		t.Error("lock left behind")
	}
}

// TestUpdateReadOnlyFile: as kubectl does: a file the user may not write
// is refused (root may write it, and then its mode stays 0400).
func TestUpdateReadOnlyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, []byte(other), 0o400); err != nil {
		t.Fatal(err)
	}
	_, err := Update(context.Background(), p, UpdateOptions{}, addContext("a"))
	if os.Geteuid() != 0 {
		if err == nil || !strings.Contains(err.Error(), "not writable (mode 0400)") {
			t.Fatalf("err = %v; want a refusal", err)
		}
		if b, _ := os.ReadFile(p); string(b) != other {
			t.Error("the read-only file changed")
		}
		return
	}
	if err != nil {
		t.Fatalf("as root (kubectl writes it): %v", err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o400 {
		t.Errorf("mode %v, want 0400 kept", fi.Mode())
	}
}

// TestUpdateKeepsOwner: root writing another user's file leaves it theirs.
func TestUpdateKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to own a file as another user")
	}
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := Update(context.Background(), p, UpdateOptions{}, addContext("a")); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 65534 || st.Gid != 65534 || fi.Mode().Perm() != 0o600 {
		t.Errorf("owner %d:%d mode %v; want 65534:65534 0600", st.Uid, st.Gid, fi.Mode())
	}
}

func TestUpdateBrokenFileUntouched(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config")
	bad := "clusters: [oops"
	if err := os.WriteFile(p, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Update(context.Background(), p, UpdateOptions{}, addContext("a")); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("err = %v; want one naming %s", err, p)
	}
	if b, _ := os.ReadFile(p); string(b) != bad {
		t.Error("a broken file was changed")
	}
	mutateErr := errors.New("no")
	if err := os.WriteFile(p, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Update(context.Background(), p, UpdateOptions{}, func(*clientcmdapi.Config) error { return mutateErr }); !errors.Is(err, mutateErr) {
		t.Errorf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != other {
		t.Error("a failed mutation changed the file")
	}
}

func TestUpdateDryRun(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config")
	must(t, os.WriteFile(p, []byte(other), 0o400)) // read-only does not stop a dry run
	must(t, os.WriteFile(p+".lock", nil, 0))       // nor a lock
	res, err := Update(context.Background(), p, UpdateOptions{DryRun: true}, addContext("a"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Content), "name: a") {
		t.Errorf("content %s", res.Content)
	}
	if b, _ := os.ReadFile(p); string(b) != other {
		t.Error("a dry run wrote")
	}
}

// must fails the test at once when a setup step fails.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
