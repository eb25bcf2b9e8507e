package cli

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
)

// expandHome returns p with a leading "~" (the home directory) or "~user"
// (that user's home directory) replaced, as botocore does for
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE with Python's
// os.path.expanduser: "~" and "~/x" use HOME (USERPROFILE on Windows), else
// the account database; "~alice/x" uses alice's entry in the account
// database. Paths come from flags and from kubectl's exec env, where no
// shell expands them. A "~" that is not followed by a separator or the end,
// a user that does not exist or an unknown home leaves p as it is, as
// expanduser does; a "~" anywhere but the start is never touched.
func expandHome(env Env, p string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	name, rest := p[1:], ""
	if i := strings.IndexFunc(name, func(r rune) bool { return r < 0x80 && os.IsPathSeparator(uint8(r)) }); i >= 0 { //nolint:gosec // G115: r < 0x80 is checked first
		name, rest = name[:i], name[i:]
	}
	var home string
	if name == "" {
		home = homeDir(env)
	} else if u, err := user.Lookup(name); err == nil {
		home = u.HomeDir
	}
	if home == "" {
		return p
	}
	if rest == "" {
		return home
	}
	return filepath.Join(home, rest)
}

// expandHomeList applies expandHome to every element of a path list
// (KUBECONFIG: elements separated by os.PathListSeparator).
func expandHomeList(env Env, list string) string {
	if !strings.Contains(list, "~") {
		return list
	}
	parts := filepath.SplitList(list)
	for i, p := range parts {
		parts[i] = expandHome(env, p)
	}
	return strings.Join(parts, string(os.PathListSeparator))
}

// cacheDirFor returns where the file cache, lock files, the index and the
// keyring memory live: EKSXA_CACHE_DIR, else $KUBECACHEDIR/eksxa (kubectl's
// own cache root), else ~/.kube/cache/eksxa, each with a leading "~"
// expanded. A relative directory is refused: kubectl runs the plugin in
// whatever directory the user is in, and a cache there would scatter role
// sessions over the disk. The error says which variable to fix.
func cacheDirFor(env Env) (string, error) {
	var dir, from string
	switch {
	case env.Getenv("EKSXA_CACHE_DIR") != "":
		from = "EKSXA_CACHE_DIR"
		dir = expandHome(env, env.Getenv(from))
	case env.Getenv("KUBECACHEDIR") != "":
		from = "KUBECACHEDIR"
		dir = filepath.Join(expandHome(env, env.Getenv(from)), "eksxa")
	default:
		home := homeDir(env)
		if home == "" {
			return "", errNoHome("the cache (~/.kube/cache/eksxa)", "EKSXA_CACHE_DIR or KUBECACHEDIR")
		}
		from = "HOME"
		dir = filepath.Join(home, ".kube", "cache", "eksxa")
	}
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("%s=%q is a relative path, which would put the cache under the current directory: set it to an absolute path or one starting with ~/", from, env.Getenv(from))
	}
	return filepath.Clean(dir), nil
}

// cacheDir is cacheDirFor without the reason: "" when there is no usable
// cache directory.
func cacheDir(env Env) string {
	d, err := cacheDirFor(env)
	if err != nil {
		return ""
	}
	return d
}

// usableCacheDir is cacheDirFor, checked as the cache needs it: with
// create, a missing folder is made 0700 (cache.PrepareDir); without, it is
// only checked (cache.CheckDir: status and logout create nothing). A folder
// open to group or others is refused, never chmod'ed, and the error says
// what to do.
func usableCacheDir(env Env, create bool) (string, error) {
	dir, err := cacheDirFor(env)
	if err != nil {
		return "", err
	}
	check := cache.CheckDir
	if create {
		check = cache.PrepareDir
	}
	if err := check(dir); err != nil {
		var open *cache.OpenDirError
		if errors.As(err, &open) {
			return "", fmt.Errorf("%w: point EKSXA_CACHE_DIR at a private folder (a missing one is created 0700), or run chmod 700 %s if the folder is yours alone", err, dir)
		}
		return "", err
	}
	return dir, nil
}
