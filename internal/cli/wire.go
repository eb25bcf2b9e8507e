package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
)

// openStore returns the store for mode. A store that cannot be opened
// (an unsafe cache folder, no keyring) costs speed, never the call: it
// warns and carries on uncached.
//
// log (nil for none) gets the -v lines of the keyring memory: a keyring
// that did not answer is left alone for cache.DefaultNoAnswerMemory.
func openStore(env Env, mode string, log func(string, ...any)) (cache.Store, *cache.Index, string) {
	if mode == cache.ModeNone {
		return nil, nil, ""
	}
	dir, err := usableCacheDir(env, true)
	if err != nil {
		fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: not caching: %v\n", err)
		return nil, nil, ""
	}
	var kr cache.Keyring
	if mode != cache.ModeFile {
		kr = osKeyring(env)
	}
	opts := cache.DefaultKeyringOptions()
	opts.Memory = &cache.KeyringMemory{Dir: dir, Now: env.Now, Log: log}
	store, err := cache.SelectWith(mode, kr, dir, env.Stderr, opts)
	if err != nil {
		fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: not caching: %v\n", err)
		return nil, nil, ""
	}
	return store, newIndex(dir, kr), dir
}

// newIndex is the index in dir, able to rebuild itself from the entry
// files there and, where it can be searched, from the keyring kr (nil for
// none).
func newIndex(dir string, kr cache.Keyring) *cache.Index {
	ix := cache.NewIndex(dir)
	if kr != nil {
		ix.Sources = append(ix.Sources, cache.NewKeyringStore(kr, cache.DefaultKeyringOptions()))
	}
	return ix
}

// readIndex lists the index's rows. A damaged index is said on stderr
// (why, never its content), and the rows are what the stores describe
// without it (cache.Index.Recover).
func readIndex(env Env, ix *cache.Index) (rows []cache.IndexEntry, damaged bool) {
	rows, err := ix.List()
	if err == nil {
		return rows, false
	}
	rows, rerr := ix.Recover()
	fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: %v; using instead the %d entries that the cache folder and the keyring describe themselves (the next write rebuilds the index from them)\n",
		err, len(rows))
	if rerr != nil {
		fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: %v\n", rerr)
	}
	return rows, true
}

// osKeyring returns the OS keyring, or nil where reaching it would have
// side effects (no D-Bus session bus: go-keyring would start one).
func osKeyring(env Env) cache.Keyring {
	if !cache.SessionBusAvailable(runtime.GOOS, env.Getenv) {
		return nil
	}
	return cache.OSKeyring()
}

// newBroker wires a broker for sel. prompt is nil when the call may not ask
// the user anything; an IAM Identity Center sign-in may start when it is
// not nil.
func newBroker(env Env, sel selection, prompt func(string) (string, error)) *broker.Broker {
	return newBrokerSignIn(env, sel, prompt, prompt != nil)
}

// newBrokerSignIn is newBroker with the choice of starting an IAM Identity
// Center sign-in (a device authorization someone must complete) made
// apart from prompt.
func newBrokerSignIn(env Env, sel selection, prompt func(string) (string, error), signIn bool) *broker.Broker {
	var log func(string, ...any)
	if sel.verbose {
		log = verboseLogger(env.Stderr, env.Now)
	}
	store, index, dir := openStore(env, sel.cacheMode, log)
	rv := resolver{env: env, interactive: signIn, noBrowser: sel.noBrowser, log: log}
	b := &broker.Broker{
		Store:   store,
		Index:   index,
		LockDir: dir,
		Now:     env.Now,
		Prompt:  prompt,
		// A dead final session would sign tokens EKS refuses until it
		// expires; one GetCallerIdentity on a cold call tells.
		CheckCachedFinal: true,
	}
	b.Log = log
	b.Resolve = rv.Resolve
	return b
}

// verboseLogger writes -v lines to stderr with the time since start.
func verboseLogger(w io.Writer, now func() time.Time) func(string, ...any) {
	start := now()
	return func(format string, args ...any) {
		fmt.Fprintf(w, "eksxa [%6.1fms] %s\n", float64(now().Sub(start).Microseconds())/1000, fmt.Sprintf(format, args...))
	}
}

// terminalPrompt is stdinPrompt when stdin is a terminal, else nil: a
// command run from a script, a pipe or CI (doctor, kubeconfig) then fails
// at once on a hop that needs MFA, naming `kubectl eksxa login`, instead
// of printing a prompt nobody answers and failing on EOF. (/dev/null is a
// character device too, so a mode check would not do; term asks the tty.)
func terminalPrompt(env Env) func(string) (string, error) {
	if stdinIsTerminal(env) {
		return stdinPrompt(env)
	}
	return nil
}

// stdinIsTerminal reports whether env's stdin is a terminal (term asks the
// tty; /dev/null, a character device too, is not one).
func stdinIsTerminal(env Env) bool {
	f, ok := env.Stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// stdinPrompt asks on stderr and reads one line from stdin.
func stdinPrompt(env Env) func(string) (string, error) {
	in := bufio.NewReader(env.Stdin)
	return func(prompt string) (string, error) {
		fmt.Fprint(env.Stderr, prompt)
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("reading the answer from stdin: %w", err)
		}
		return strings.TrimSpace(line), nil
	}
}
