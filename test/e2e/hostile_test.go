package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHostileCacheDir: a cache folder that is not safely ours is not used:
// the call warns, succeeds uncached and writes nothing there.
func TestHostileCacheDir(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (check string) // returns a folder that must stay empty
		want  string
	}{
		{"symlink", func(t *testing.T, dir string) string {
			target := t.TempDir()
			if err := os.Symlink(target, dir); err != nil {
				t.Fatal(err)
			}
			return target
		}, "is a symlink"},
		{"a file", func(t *testing.T, dir string) string {
			must(t, os.WriteFile(dir, []byte("x"), 0o600))
			return ""
		}, "not a directory"},
		// An existing folder open to others (EKSXA_CACHE_DIR=/tmp, =~, a
		// team's scratch folder) is refused and keeps its mode.
		{"shared 1777", func(t *testing.T, dir string) string {
			openDir(t, dir, 0o777|os.ModeSticky)
			return dir
		}, "readable or writable by group or others"},
		{"home-like 0755", func(t *testing.T, dir string) string {
			openDir(t, dir, 0o755)
			return dir
		}, "point EKSXA_CACHE_DIR at a private folder"},
		{"someone else's", func(t *testing.T, dir string) string {
			if os.Getuid() != 0 {
				t.Skip("needs root to make a folder owned by another user")
			}
			must(t, os.Mkdir(dir, 0o700))
			if err := os.Chown(dir, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "owned by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			dir := filepath.Join(t.TempDir(), "cache")
			empty := tt.setup(t, dir)
			env := w.with("EKSXA_CACHE_DIR", dir)
			for i := 1; i <= 2; i++ {
				tok, r := tokenOf(t, env, hopArgs("file", roleTools)[1:]...)
				verify(t, tok, "prod", "eu-west-1")
				if !strings.Contains(r.stderr, "warning: not caching") || !strings.Contains(r.stderr, tt.want) {
					t.Errorf("call %d: stderr %q, want a not-caching warning with %q", i, r.stderr, tt.want)
				}
				if got := w.fake.Calls("AssumeRole", roleTools); got != i {
					t.Errorf("call %d: %d AssumeRole calls, want %d (uncached)", i, got, i)
				}
			}
			if empty != "" {
				if names, _ := os.ReadDir(empty); len(names) != 0 {
					t.Errorf("%d files written into the refused folder", len(names))
				}
			}
		})
	}
}

// TestHostileCacheEntries: entries that are loose, corrupt or symlinks are
// misses and get replaced by good ones.
func TestHostileCacheEntries(t *testing.T) {
	tests := []struct {
		name   string
		spoil  func(t *testing.T, path string)
		replac bool // the entry is rewritten as a private regular file
	}{
		{"world-readable", func(t *testing.T, p string) { must(t, os.Chmod(p, 0o644)) }, true},
		{"group-readable", func(t *testing.T, p string) { must(t, os.Chmod(p, 0o640)) }, true},
		{"corrupt", func(t *testing.T, p string) { must(t, os.WriteFile(p, []byte("{\"v\":1,\"kind\":\"tok"), 0o600)) }, true},
		{"garbage", func(t *testing.T, p string) { must(t, os.WriteFile(p, []byte{0, 0xff, 0xfe, '\n'}, 0o600)) }, true},
		{"empty", func(t *testing.T, p string) { must(t, os.WriteFile(p, nil, 0o600)) }, true},
		{"symlink to elsewhere", func(t *testing.T, p string) {
			other := filepath.Join(t.TempDir(), "x")
			b, _ := os.ReadFile(p)
			must(t, os.WriteFile(other, b, 0o600))
			must(t, os.Remove(p))
			must(t, os.Symlink(other, p))
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			dir := w.env["EKSXA_CACHE_DIR"]
			args := hopArgs("file", roleTools)[1:]
			tokenOf(t, w.env, args...)
			entries, _ := filepath.Glob(filepath.Join(dir, "*.entry"))
			if len(entries) != 2 {
				t.Fatalf("%d entries after the first call, want a token and a session", len(entries))
			}
			for _, e := range entries {
				tt.spoil(t, e)
			}
			tok, r := tokenOf(t, w.env, args...)
			verify(t, tok, "prod", "eu-west-1")
			if got := w.fake.Calls("AssumeRole", roleTools); got != 2 {
				t.Errorf("%d AssumeRole calls, want 2: spoiled entries must be misses", got)
			}
			for _, e := range entries {
				fi, err := os.Lstat(e)
				if err != nil {
					t.Fatal(err)
				}
				if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s not replaced: mode %s", filepath.Base(e), fi.Mode())
				}
			}
			// And the replacement serves the next call warm.
			tokenOf(t, w.env, args...)
			if got := w.fake.Calls("AssumeRole", roleTools); got != 2 {
				t.Errorf("after replacement: %d AssumeRole calls, want 2", got)
			}
			assertNoSecret(t, w, r.stderr)
		})
	}
}

// silentBus is a D-Bus address that accepts connections and never says a
// word: a hung Secret Service.
func silentBus(t *testing.T) string {
	sock := filepath.Join(t.TempDir(), "bus")
	blackHole(t, "unix", sock)
	return "unix:path=" + sock
}

// TestHungKeyring: the Secret Service never answers; kubectl still gets a
// token within the keyring's bound.
func TestHungKeyring(t *testing.T) {
	w := newWorld(t)
	env := w.with("DBUS_SESSION_BUS_ADDRESS", silentBus(t))
	args := hopArgs("auto", roleTools)[1:]

	tok, r := tokenOf(t, env, args...)
	verify(t, tok, "prod", "eu-west-1")
	if r.took > 15*time.Second {
		t.Errorf("--cache auto took %s with a hung keyring", r.took)
	}
	if entries, _ := filepath.Glob(filepath.Join(w.env["EKSXA_CACHE_DIR"], "*.entry")); len(entries) == 0 {
		t.Errorf("--cache auto did not fall back to files; stderr %q", r.stderr)
	}

	autoTook := r.took
	tok, r = tokenOf(t, env, append(hopArgs("keyring", roleTools)[1:], "--cluster-name", "other")...)
	verify(t, tok, "other", "eu-west-1")
	if r.took > 30*time.Second {
		t.Errorf("--cache keyring took %s with a hung keyring", r.took)
	}
	t.Logf("auto: %s; keyring: %s", autoTook, r.took)
}

// openDir makes dir with mode and checks, when the test ends, that the
// plugin left the mode as it was.
func openDir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModePerm | os.ModeSticky); got != mode {
			t.Errorf("the folder's mode changed from %v to %v", mode, got)
		}
	})
}
