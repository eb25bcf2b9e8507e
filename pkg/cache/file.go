package cache

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxFileSize bounds what is read from any cache file; a larger one is not
// ours (a token or session entry is a few KB).
const maxFileSize = 1 << 20

// entrySuffix names a FileStore entry: <key>.entry in the cache directory.
const entrySuffix = ".entry"

// FileStore keeps each value in its own file, <dir>/<key>.entry, mode 0600,
// in a directory of mode 0700 owned by the user. Writes are atomic (a temp
// file, fsync, rename), so a reader sees the old value or the new one.
type FileStore struct {
	dir string
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns a FileStore in dir, creating dir (mode 0700) when it
// is missing. It refuses a dir that is a symlink, not a directory, not
// owned by the current user, or open to group or others (an *OpenDirError);
// it never changes an existing dir's mode.
func NewFileStore(dir string) (*FileStore, error) {
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	return &FileStore{dir: dir}, nil
}

// Dir is the directory the store writes to.
func (s *FileStore) Dir() string { return s.dir }

// Name returns "file".
func (s *FileStore) Name() string { return NameFile }

func (s *FileStore) path(key string) string { return filepath.Join(s.dir, key+entrySuffix) }

// Get returns the value stored under key. A missing, unreadable, oversized,
// non-regular, foreign-owned or group/world-accessible file is a miss: the
// error wraps ErrNotFound and says why, without the value.
func (s *FileStore) Get(key string) (string, error) {
	if err := validateKey(key); err != nil {
		return "", err
	}
	b, err := readPrivateFile(s.path(key))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Set stores value under key atomically, mode 0600.
func (s *FileStore) Set(key, value string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	return writeFileAtomic(s.dir, key+entrySuffix, []byte(value))
}

// Delete removes key's file; a missing file is not an error.
func (s *FileStore) Delete(key string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cache: delete entry: %w", err)
	}
	return nil
}

// Clear removes every entry file in the store's folder and returns how
// many it removed. Lock files, the index and other files stay.
func (s *FileStore) Clear() (int, error) {
	names, err := filepath.Glob(filepath.Join(s.dir, "*"+entrySuffix))
	if err != nil {
		return 0, fmt.Errorf("cache: list entries: %w", err)
	}
	n := 0
	var errs []error
	for _, name := range names {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("cache: delete entry: %w", err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// OpenDirError is the refusal of an existing cache folder that group or
// others may read or write (a shared /tmp, a home folder, a folder an
// older setup left open): its mode is never changed, as the folder may not
// be the cache's alone, so nothing is cached there.
type OpenDirError struct {
	Dir  string
	Mode fs.FileMode
}

func (e *OpenDirError) Error() string {
	return fmt.Sprintf("cache: cache folder %s is readable or writable by group or others (%v); kubectl-eksxa neither caches credentials there nor changes its mode", e.Dir, e.Mode)
}

// openDirBits are the permission bits that make a cache folder shared:
// group or others may list it or create files in it. Search-only bits
// (0711) are allowed: every file in the folder is 0600 anyway.
const openDirBits = 0o066

// PrepareDir makes sure dir can hold the cache, as NewFileStore, Lock and
// the index need it: created 0700 (parents too) when missing; refused when
// it is a symlink, not a directory, owned by someone else, or open to group
// or others (*OpenDirError). An existing folder's mode is never changed.
func PrepareDir(dir string) error { return checkDir(dir, true) }

// CheckDir is PrepareDir for readers (status, logout): a missing dir is
// fine and is not created.
func CheckDir(dir string) error { return checkDir(dir, false) }

// ensureDir is PrepareDir.
func ensureDir(dir string) error { return checkDir(dir, true) }

func checkDir(dir string, create bool) error {
	if dir == "" {
		return errors.New("cache: no cache directory")
	}
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) && !create {
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("cache: create cache directory: %w", err)
		}
		fi, err = os.Lstat(dir)
	}
	if err != nil {
		return fmt.Errorf("cache: cache directory: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("cache: cache directory %s is a symlink; refusing to use it", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("cache: cache directory %s is not a directory", dir)
	}
	if err := checkOwner(fi); err != nil {
		return fmt.Errorf("cache: cache directory %s: %w", dir, err)
	}
	// A folder created just now by MkdirAll is 0700 (less under a strict
	// umask); one that is open was there before us, or was opened since:
	// either way it is not private, and chmod'ing it could close a shared
	// folder (EKSXA_CACHE_DIR=/tmp as root) to everyone else.
	if permsMatter && fi.Mode().Perm()&openDirBits != 0 {
		return &OpenDirError{Dir: dir, Mode: fi.Mode()}
	}
	return nil
}

// readPrivateFile reads a file that only the current user can read or
// write. Anything else is a miss that wraps ErrNotFound. Symlinks are not
// followed.
func readPrivateFile(path string) ([]byte, error) {
	name := filepath.Base(path)
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	defer func() { _ = f.Close() }() // read-only
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrNotFound, name)
	}
	if err := checkOwner(fi); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotFound, name, err)
	}
	if permsMatter && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is accessible to group or others (mode %04o)", ErrNotFound, name, fi.Mode().Perm())
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%w: %s is too large", ErrNotFound, name)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrNotFound, name, err)
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%w: %s is too large", ErrNotFound, name)
	}
	return b, nil
}

// writeFileAtomic writes data to dir/name through a 0600 temp file in the
// same directory: write, fsync, rename, then fsync the directory.
func writeFileAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("cache: write %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil { // the write failed: the temp file is garbage
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if permsMatter {
		if err = f.Chmod(0o600); err != nil {
			return fmt.Errorf("cache: write %s: %w", name, err)
		}
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("cache: write %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("cache: write %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("cache: write %s: %w", name, err)
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("cache: write %s: %w", name, err)
	}
	syncDir(dir)
	return nil
}
