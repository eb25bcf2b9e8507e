package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func newFileStore(t testing.TB) (*FileStore, string) {
	t.Helper()
	dir := filepath.Join(privateTempDir(t), "cache", "eksxa")
	s, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func skipPermsOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
}

func TestFileStoreRoundTrip(t *testing.T) {
	skipPermsOnWindows(t)
	s, dir := newFileStore(t)
	if got := mode(t, dir); got != 0o700 {
		t.Errorf("dir mode = %04o, want 0700", got)
	}
	key := Key("token", "c")
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on empty store: err = %v, want ErrNotFound", err)
	}
	for _, v := range []string{"first", "", strings.Repeat("x", 100000)} {
		if err := s.Set(key, v); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(key)
		if err != nil || got != v {
			t.Fatalf("Get = %d bytes, %v; want %d bytes", len(got), err, len(v))
		}
	}
	if got := mode(t, filepath.Join(dir, key+entrySuffix)); got != 0o600 {
		t.Errorf("entry mode = %04o, want 0600", got)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("dir holds %d files, want only the entry (no temp files left)", len(ents))
	}
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(key); err != nil {
		t.Errorf("Delete of a missing key: %v, want nil", err)
	}
	if s.Name() != "file" {
		t.Errorf("Name = %q", s.Name())
	}
}

func TestFileStoreInvalidKeys(t *testing.T) {
	s, _ := newFileStore(t)
	for _, key := range []string{"", "../x", "a/b", ".hidden", "a b", strings.Repeat("a", 129), "x\x00"} {
		if _, err := s.Get(key); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q): err = %v, want an invalid-key error", key, err)
		}
		if err := s.Set(key, "v"); err == nil {
			t.Errorf("Set(%q) succeeded", key)
		}
		if err := s.Delete(key); err == nil {
			t.Errorf("Delete(%q) succeeded", key)
		}
	}
}

func TestFileStoreUntrustedEntriesMiss(t *testing.T) {
	skipPermsOnWindows(t)
	const secret = "SECRET-VALUE-xyz"
	key := Key("session", "x")
	tests := []struct {
		name  string
		plant func(t *testing.T, path string)
	}{
		{"group readable", func(t *testing.T, p string) { writeMode(t, p, secret, 0o640) }},
		{"world readable", func(t *testing.T, p string) { writeMode(t, p, secret, 0o604) }},
		{"group writable", func(t *testing.T, p string) { writeMode(t, p, secret, 0o620) }},
		{"symlink to a private file", func(t *testing.T, p string) {
			target := filepath.Join(privateTempDir(t), "target")
			writeMode(t, target, secret, 0o600)
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}},
		{"directory", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
		{"too large", func(t *testing.T, p string) { writeMode(t, p, strings.Repeat("a", maxFileSize+1), 0o600) }},
		{"unreadable", func(t *testing.T, p string) {
			if os.Geteuid() == 0 {
				t.Skip("root reads mode 0000 files")
			}
			writeMode(t, p, secret, 0o000)
		}},
		{"owned by someone else", func(t *testing.T, p string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to chown")
			}
			writeMode(t, p, secret, 0o600)
			if err := os.Chown(p, 4242, 4242); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := newFileStore(t)
			tt.plant(t, filepath.Join(dir, key+entrySuffix))
			got, err := s.Get(key)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get = %q, %v; want a miss", got, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
}

func writeMode(t *testing.T, path, data string, perm fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func TestNewFileStoreDirChecks(t *testing.T) {
	skipPermsOnWindows(t)
	t.Run("symlinked dir is refused", func(t *testing.T) {
		target := filepath.Join(privateTempDir(t), "real")
		if err := os.Mkdir(target, 0o700); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(privateTempDir(t), "link")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if _, err := NewFileStore(link); err == nil || !strings.Contains(err.Error(), "symlink") {
			t.Errorf("NewFileStore(symlink) err = %v, want a symlink refusal", err)
		}
	})
	t.Run("a file is refused", func(t *testing.T) {
		p := filepath.Join(privateTempDir(t), "f")
		writeMode(t, p, "", 0o600)
		if _, err := NewFileStore(p); err == nil {
			t.Error("NewFileStore(file) succeeded")
		}
	})
	t.Run("dir of another user is refused", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to chown")
		}
		d := filepath.Join(privateTempDir(t), "theirs")
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		if _, err := NewFileStore(d); err == nil || !strings.Contains(err.Error(), "owned by uid 4242") {
			t.Errorf("NewFileStore(foreign dir) err = %v, want an ownership refusal", err)
		}
	})
	// An existing folder open to group or others is refused and keeps its
	// mode: it may be /tmp (EKSXA_CACHE_DIR=/tmp as root), a home folder or
	// a team's scratch folder. Search-only bits are no reason to refuse.
	for _, tt := range []struct {
		mode   os.FileMode
		refuse bool
	}{
		{0o755, true}, {0o770, true}, {0o707, true}, {0o777 | os.ModeSticky, true}, {0o750, true},
		{0o711, false}, {0o700, false},
	} {
		t.Run(fmt.Sprintf("existing dir %v", tt.mode), func(t *testing.T) {
			d := filepath.Join(privateTempDir(t), "existing")
			if err := os.Mkdir(d, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(d, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := NewFileStore(d)
			var open *OpenDirError
			if got := errors.As(err, &open); got != tt.refuse {
				t.Errorf("NewFileStore(%v dir) err = %v, want refused %v", tt.mode, err, tt.refuse)
			}
			if tt.refuse && !strings.Contains(fmt.Sprint(err), d) {
				t.Errorf("refusal %q does not name the folder", err)
			}
			if _, err := Lock(context.Background(), d, "k", 0); (err != nil) != tt.refuse {
				t.Errorf("Lock in %v dir err = %v, want refused %v", tt.mode, err, tt.refuse)
			}
			fi, err := os.Stat(d)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode() & (os.ModePerm | os.ModeSticky); got != tt.mode {
				t.Errorf("dir mode changed from %v to %v", tt.mode, got)
			}
		})
	}
	t.Run("missing dir is created 0700, CheckDir creates nothing", func(t *testing.T) {
		d := filepath.Join(privateTempDir(t), "a", "b")
		if err := CheckDir(d); err != nil {
			t.Fatalf("CheckDir(missing) = %v", err)
		}
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("CheckDir created %s (%v)", d, err)
		}
		if err := PrepareDir(d); err != nil {
			t.Fatal(err)
		}
		if got := mode(t, d); got != 0o700 {
			t.Errorf("created dir mode = %04o, want 0700", got)
		}
		if err := PrepareDir(d); err != nil {
			t.Errorf("PrepareDir of our own 0700 dir again = %v", err)
		}
	})
	t.Run("empty dir name", func(t *testing.T) {
		if _, err := NewFileStore(""); err == nil {
			t.Error("NewFileStore(\"\") succeeded")
		}
	})
}

func BenchmarkFileStoreGet(b *testing.B) {
	s, _ := newFileStore(b)
	key := Key("token", "bench")
	if err := s.Set(key, strings.Repeat("t", 1500)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFileStoreSet(b *testing.B) {
	s, _ := newFileStore(b)
	key := Key("token", "bench")
	v := strings.Repeat("t", 1500)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Set(key, v); err != nil {
			b.Fatal(err)
		}
	}
}

// privateTempDir is t.TempDir made 0700, as a cache folder must be: the
// store refuses a folder group or others may read (t.TempDir's is 0755
// under the usual umask).
func privateTempDir(t testing.TB) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}
