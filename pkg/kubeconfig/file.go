package kubeconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// maxLinks bounds the symlinks followed to the real file (as the kernel's
// ELOOP limit does).
const maxLinks = 40

// UpdateOptions tune Update.
type UpdateOptions struct {
	// LockWait bounds the wait for another writer's lock; zero means
	// DefaultLockWait.
	LockWait time.Duration
	// DryRun computes the new content without taking the lock or writing.
	DryRun bool
	// Now is the clock, for the lock's wait; nil means time.Now.
	Now func() time.Time
}

// Result is what Update did.
type Result struct {
	// Path is the file written: the given path with symlinks followed.
	Path string
	// Content is the new kubeconfig, unredacted; show it with Redact.
	Content []byte
	// Config is the new kubeconfig, parsed.
	Config *clientcmdapi.Config
	// InPlace is why the file was rewritten in place rather than replaced
	// atomically ("" when it was replaced, or on a dry run): a bind-mounted
	// file cannot be renamed over, a folder may not be writable, another
	// user's file cannot be given to them otherwise.
	InPlace string
}

// Update reads the kubeconfig at path, applies mutate to it and writes the
// result back, holding kubectl's lock file (<path>.lock, and the lock of
// the symlink's target when path is a link) across the read, the change
// and the write, so that it and `kubectl config` running at once lose
// nothing. It is the one write path: a fleet's many entries are one mutate
// and one write.
//
// The file is treated as kubectl treats it: a symlink is written through,
// even to a target that does not exist yet; a file the user cannot write
// (mode 0400 for a non-root user) is refused, as kubectl refuses it; its
// mode and owner are kept. The write is atomic (a temp file, synced, then
// renamed) except where that would lose something: when the rename fails
// (a bind-mounted file: EBUSY), the folder cannot be written, or the owner
// cannot be kept, the file is rewritten in place, as kubectl always does.
//
// A file that cannot be parsed is never written; its error names the file
// and never carries a credential from it. mutate's error is returned as is.
// Errors: *LockedError when the lock stays, *DuplicateNameError, and
// wrapped fs errors.
func Update(ctx context.Context, path string, opts UpdateOptions, mutate func(*clientcmdapi.Config) error) (Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now //nolint:forbidigo // the documented default when the caller injects no clock
	}
	if opts.LockWait <= 0 {
		opts.LockWait = DefaultLockWait
	}
	target, err := followLinks(path)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: target}
	if !opts.DryRun {
		unlock, err := lockFiles(ctx, []string{LockName(path), LockName(target)}, opts.LockWait, opts.Now)
		if err != nil {
			return res, err
		}
		defer unlock()
	}
	old, fi, err := readFile(target, !opts.DryRun)
	if err != nil {
		return res, err
	}
	cfg, err := Load(old, target)
	if err != nil {
		return res, err
	}
	if err := mutate(cfg); err != nil {
		return res, err
	}
	out, err := clientcmd.Write(*cfg)
	if err != nil {
		return res, fmt.Errorf("encoding the kubeconfig: %w", err)
	}
	res.Content, res.Config = out, cfg
	if opts.DryRun {
		return res, nil
	}
	if res.InPlace, err = writeFile(target, out, fi); err != nil {
		return res, err
	}
	// Under the lock only a writer that ignores it can change the file;
	// say so rather than report a write that did not stick.
	if back, err := os.ReadFile(target); err != nil || !bytes.Equal(back, out) {
		return res, fmt.Errorf("%s changed while it was being written (a program that does not take kubectl's lock?): run the command again", target)
	}
	return res, nil
}

// followLinks returns the file path finally names, following symlinks
// (relative ones from the link's folder) even when the last target does
// not exist yet, as opening the path for writing would.
func followLinks(path string) (string, error) {
	p := path
	for range maxLinks {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Mode()&fs.ModeSymlink == 0) {
			return p, nil
		}
		if err != nil {
			return "", fmt.Errorf("kubeconfig %s: %w", path, err)
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return "", fmt.Errorf("kubeconfig %s: %w", path, err)
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return "", fmt.Errorf("kubeconfig %s: too many levels of symbolic links", path)
}

// readFile reads path; a missing file is empty (nil info). With
// forWrite, a file the user may not write is refused now, before anything
// is computed, with kubectl's reason.
func readFile(path string, forWrite bool) ([]byte, fs.FileInfo, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("kubeconfig %s is not a regular file", path)
	}
	if forWrite {
		// kubectl opens the file for writing; so does this check, without
		// truncating it. Root may write a 0400 file, as kubectl does.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return nil, nil, fmt.Errorf("kubeconfig %s is not writable (mode %04o): kubectl refuses to write it too. "+
					"Make it writable (chmod u+w %s) or choose another file with --kubeconfig", path, fi.Mode().Perm(), path)
			}
			return nil, nil, fmt.Errorf("opening the kubeconfig for writing: %w", err)
		}
		_ = f.Close() // opened only to test that it can be written
	}
	return b, fi, nil
}

// writeFile replaces path with data, keeping old's mode and owner (a new
// file is 0600 in a folder created 0700). It returns why it wrote in place
// when it did.
func writeFile(path string, data []byte, old fs.FileInfo) (inPlace string, err error) {
	mode := fs.FileMode(0o600)
	if old != nil {
		mode = old.Mode().Perm()
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	why, err := replaceAtomically(path, dir, data, mode, old)
	if err == nil {
		return "", nil
	}
	if old == nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if err := rewriteInPlace(path, data); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return why, nil
}

// replaceAtomically writes data to a temp file next to path, gives it
// mode and old's owner, syncs it and renames it over path. It returns the
// reason to fall back to an in-place write with its error.
func replaceAtomically(path, dir string, data []byte, mode fs.FileMode, old fs.FileInfo) (why string, err error) {
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "its folder cannot be written", err
	}
	defer func() {
		if err != nil { // the temp file is garbage
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return "the temp file's mode cannot be set", err
	}
	if old != nil {
		if err = keepOwner(tmp, old); err != nil {
			return "its owner could not be kept on a new file", err
		}
	}
	if _, err = tmp.Write(data); err != nil {
		return "the temp file cannot be written", err
	}
	if err = tmp.Sync(); err != nil {
		return "the temp file cannot be synced", err
	}
	if err = tmp.Close(); err != nil {
		return "the temp file cannot be written", err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return "it cannot be renamed over (a bind-mounted file?)", err
	}
	syncDir(dir)
	return "", nil
}

// rewriteInPlace overwrites path's content, as kubectl writes: the file
// keeps its inode, owner and mode.
func rewriteInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		_ = f.Close() // the write's error is the one to report
		return err
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		_ = f.Close() // the truncate's error is the one to report
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync's error is the one to report
		return err
	}
	return f.Close()
}

// syncDir makes a rename durable; failures are ignored (not every
// platform can sync a folder).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close() // read-only handle
	}
}
