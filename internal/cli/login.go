package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
)

func newLoginCommand(env Env) *cobra.Command {
	var f chainFlags
	cmd := &cobra.Command{
		Use:   "login [--cluster-name NAME] [chain flags]",
		Short: "Run the chain now, signing in and asking for MFA codes, and cache the sessions",
		Long: `Run the chain now: reuse hop sessions that are still cached, assume the rest
(asking for MFA codes on the terminal, or reading them from stdin), cache the
sessions and a fresh token, and say who you are at each hop and until when.

When the base profile signs in through IAM Identity Center (sso_session or
sso_start_url) and its sign-in has expired and cannot be refreshed, login
shows a URL and a code on stderr and opens a browser (not with --no-browser),
waits for the approval, and writes the sign-in to ~/.aws/sso/cache, where
the aws CLI and the AWS SDKs find it too.

Run it with the same flags as the kubeconfig's exec entry, so that kubectl
finds the sessions it caches. Without --cluster-name it caches the sessions
alone, for credential-process and exec with the same chain flags.`,
		Example: `  kubectl eksxa login --cluster-name prod --region eu-west-1 \
    --role-arn 'arn:aws:iam::222222222222:role/eks-admin,mfa-serial=arn:aws:iam::111111111111:mfa/alice,duration=12h'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sel, err := f.resolveChain(env)
			if err != nil {
				return err
			}
			res, err := newBroker(env, sel, stdinPrompt(env)).Login(cmd.Context(), sel.req)
			if err != nil {
				return err
			}
			reportDropped(env.Stderr, res)
			return printLogin(env.Stdout, sel.req, res, sel.cacheMode, env.Now())
		},
	}
	f.register(cmd)
	f.registerSignIn(cmd)
	return cmd
}

// printLogin reports a login run: for each hop whether its session was
// assumed now, reused from the cache, or not needed (a later hop's session
// was reused), who you are, and whether the token was cached. mode is the
// --cache mode, to say why nothing was cached.
func printLogin(w io.Writer, r broker.Request, res broker.Result, mode string, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if r.Cluster != "" {
		fmt.Fprintf(tw, "Cluster %s (%s)\n", r.Cluster, res.Region)
	} else {
		fmt.Fprintf(tw, "Chain (%s)\n", res.Region)
	}
	for i, h := range res.Hops {
		switch {
		case h.Cached:
			fmt.Fprintf(tw, "  hop %d/%d\t%s\treused from the cache, until %s\n", i+1, len(res.Hops), h.ARN, until(h.Expires, now))
		case h.Assumed:
			fmt.Fprintf(tw, "  hop %d/%d\t%s\tassumed, until %s\n", i+1, len(res.Hops), h.ARN, until(h.Expires, now))
		default:
			fmt.Fprintf(tw, "  hop %d/%d\t%s\tnot needed: a later hop's session is cached\n", i+1, len(res.Hops), h.Hop.RoleARN)
		}
	}
	fmt.Fprintf(tw, "  you are\t%s\n", res.Identity)
	switch {
	case res.Token.Value == "": // a chain without a cluster: no token made
	case res.TokenCached:
		fmt.Fprintf(tw, "  token\tcached, until %s\n", until(res.Token.Expiration, now))
	case mode == cache.ModeNone:
		fmt.Fprintf(tw, "  token\tnot cached (--cache none), valid until %s\n", until(res.Token.Expiration, now))
	default:
		fmt.Fprintf(tw, "  token\tnot cached (the cache could not be used: see the warning above), valid until %s\n", until(res.Token.Expiration, now))
	}
	return tw.Flush()
}

// reportDropped tells on w which cached sessions STS refused and were
// assumed again, so that a user who saw kubectl fail knows why it works now.
func reportDropped(w io.Writer, res broker.Result) {
	for _, i := range res.Dropped {
		if i < 0 || i >= len(res.Hops) {
			continue
		}
		fmt.Fprintf(w, "kubectl-eksxa: STS refused the cached session of hop %d/%d (%s): revoked or expired early; dropped it and assumed the hop again\n",
			i+1, len(res.Hops), res.Hops[i].Hop.RoleARN)
	}
}

func until(t, now time.Time) string {
	return fmt.Sprintf("%s (%s)", t.UTC().Format(time.RFC3339), t.Sub(now).Round(time.Second))
}

func newLogoutCommand(env Env) *cobra.Command {
	var (
		f   chainFlags
		all bool
	)
	cmd := &cobra.Command{
		Use:   "logout (--cluster-name NAME [chain flags] | --all)",
		Short: "Forget cached tokens and sessions",
		Long: `Forget what is cached for the chains the flags select: with only --cluster-name,
every cached token and session of that cluster; each further flag (--region,
--profile, --role-arn, --session-name) narrows it to the chains cached with
that flag. Entries are matched on the flags they were cached with, whatever
the AWS config files say now. When nothing matches, logout says what is
cached instead and exits 1.

--all forgets everything kubectl-eksxa has cached, in files and in the OS
keyring, including keyring items that the cache index no longer lists.`,
		Example: `  kubectl eksxa logout --cluster-name prod
  kubectl eksxa logout --cluster-name prod --role-arn arn:aws:iam::222222222222:role/eks-admin
  kubectl eksxa logout --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all {
				if f.cluster != "" || len(f.roleARNs) > 0 || f.profile != "" || f.region != "" || f.sessionName != "" {
					return usagef("--all forgets everything: give it no chain flags")
				}
				n, err := logoutAll(env, cmd)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Forgot %d cached entries.\n", n)
				return nil
			}
			sel, err := f.resolve(env)
			if err != nil {
				return err
			}
			q := cache.Query{Cluster: f.cluster, Region: f.region, Profile: f.profile, SessionName: f.sessionName}
			for _, h := range sel.req.Hops {
				q.Hops = append(q.Hops, h.String())
			}
			return logoutMatching(env, cmd, q, sel.req)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "Forget everything cached, for every cluster and chain, and sweep the OS keyring.")
	return cmd
}

// logoutMatching forgets the index rows q selects, and the entries the
// flags select now (req's keys, for the chain as the AWS files say it is
// today), or says what is cached when there is neither. A damaged index is
// said, and the entries are then found by what they describe themselves
// as; the index is rebuilt.
func logoutMatching(env Env, cmd *cobra.Command, q cache.Query, req broker.Request) error {
	dir, err := usableCacheDir(env, false)
	if err != nil {
		return err
	}
	kr := osKeyring(env)
	index := newIndex(dir, kr)
	rows, damaged := readIndex(env, index)
	var matched []cache.IndexEntry
	listed := map[string]bool{}
	for _, r := range rows {
		if q.Matches(r) {
			matched = append(matched, r)
			listed[r.Store+"/"+r.Key] = true
		}
	}
	// What the flags select today, whether or not a row lists it: an entry
	// the index lost, or one cached before entries described themselves.
	matched = append(matched, currentEntries(env, cmd, dir, kr, req, listed)...)
	if damaged {
		if err := index.Rebuild(cmd.Context()); err != nil {
			fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: the cache index was not rebuilt: %v\n", err)
		}
	}
	if len(matched) == 0 {
		return nothingMatched(env, dir, q, rows)
	}
	forgotten, err := forgetRows(env, cmd, dir, index, matched)
	if err != nil {
		return fmt.Errorf("forgot %d of the %d cached entries that match cluster %s: %w", len(forgotten), len(matched), q.Cluster, err)
	}
	tokens := 0
	for _, r := range forgotten {
		if r.Kind == cache.KindToken {
			tokens++
		}
	}
	_, err = fmt.Fprintf(env.Stdout, "Forgot %d cached entries for cluster %s (%d tokens, %d sessions).\n", len(forgotten), q.Cluster, tokens, len(forgotten)-tokens)
	return err
}

// currentEntries finds, in the file store and the keyring, the entries
// that req selects now (its token, and each hop's session in the chain as
// the AWS files resolve it today; the token alone when they cannot be
// read) and that listed does not hold ("store/key"), as rows to forget.
func currentEntries(env Env, cmd *cobra.Command, dir string, kr cache.Keyring, req broker.Request, listed map[string]bool) []cache.IndexEntry {
	keys := req.Keys(nil)
	if res, err := (resolver{env: env}).Resolve(cmd.Context(), req); err == nil {
		keys = req.Keys(res.Hops)
	}
	var stores []cache.Store
	if _, err := os.Lstat(dir); err == nil { // logout creates no cache folder
		if fs, err := cache.NewFileStore(dir); err == nil {
			stores = append(stores, fs)
		}
	}
	if kr != nil {
		stores = append(stores, cache.NewKeyringStore(kr, cache.DefaultKeyringOptions()))
	}
	var rows []cache.IndexEntry
	for _, st := range stores {
		for i, key := range keys {
			if listed[st.Name()+"/"+key] {
				continue
			}
			if _, err := st.Get(key); err != nil {
				continue // not there, or a keyring that does not answer
			}
			kind := cache.KindSession
			if i == 0 {
				kind = cache.KindToken
			}
			rows = append(rows, cache.IndexEntry{Key: key, Kind: kind, Store: st.Name(), Cluster: req.Cluster})
		}
	}
	return rows
}

// nothingMatched is logout's error when no cached entry matches: what was
// asked, and what is cached instead.
func nothingMatched(env Env, dir string, q cache.Query, rows []cache.IndexEntry) error {
	var b strings.Builder
	fmt.Fprintf(&b, "nothing cached matches cluster %s", q.Cluster)
	if q.Region != "" {
		fmt.Fprintf(&b, ", region %s", q.Region)
	}
	if q.Profile != "" {
		fmt.Fprintf(&b, ", profile %s", q.Profile)
	}
	if q.Hops != nil {
		fmt.Fprintf(&b, ", hops %s", strings.Join(q.Hops, " -> "))
	}
	if q.SessionName != "" {
		fmt.Fprintf(&b, ", session name %s", q.SessionName)
	}
	seen := map[string]bool{}
	var cached []string
	for _, r := range rows {
		cluster, region := rowCluster(r)
		line := fmt.Sprintf("  %s %s", r.Kind, dash(cluster))
		if region != "" {
			line += " (" + region + ")"
		}
		if len(r.Chain) > 0 {
			line += " via " + strings.Join(r.Chain, " -> ")
		}
		if sel := r.Selection; sel != nil && sel.Profile != "" {
			line += ", profile " + sel.Profile
		}
		if !seen[line] {
			seen[line] = true
			cached = append(cached, line)
		}
	}
	if len(cached) == 0 {
		fmt.Fprintf(&b, "; nothing is cached in %s", dir)
		if n := unindexedKeyringItems(env, rows); n > 0 {
			fmt.Fprintf(&b, ", but the OS keyring holds %d kubectl-eksxa items the cache index does not list: kubectl eksxa logout --all removes them", n)
		}
		return errors.New(b.String())
	}
	fmt.Fprintf(&b, ". Cached now (kubectl eksxa status shows more):\n%s\nRun logout with fewer flags (only --cluster-name forgets every entry of a cluster), or logout --all",
		strings.Join(cached, "\n"))
	return errors.New(b.String())
}

// forgetRows deletes each row's entry from the store that holds it and
// removes the rows it deleted from the index (a row is how status and
// logout find an entry again, so one whose store could not be reached
// stays).
func forgetRows(env Env, cmd *cobra.Command, dir string, index *cache.Index, rows []cache.IndexEntry) ([]cache.IndexEntry, error) {
	stores := map[string]cache.Store{}
	var (
		errs      []error
		forgotten []cache.IndexEntry
		keys      []string
	)
	for _, row := range rows {
		st, ok := stores[row.Store]
		if !ok {
			var err error
			if st, err = openStoreNamed(env, row.Store, dir); err != nil {
				errs = append(errs, fmt.Errorf("cannot reach the %s store to forget its entries: %w", row.Store, err))
			}
			stores[row.Store] = st
		}
		if st == nil {
			continue
		}
		if err := st.Delete(row.Key); err != nil && !errors.Is(err, cache.ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		forgotten = append(forgotten, row)
		keys = append(keys, row.Key)
	}
	if err := index.Remove(cmd.Context(), keys...); err != nil {
		errs = append(errs, err)
	}
	return forgotten, errors.Join(errs...)
}

// logoutAll deletes every entry the index knows of from the store that
// holds it, then every file entry left in the cache folder, then every
// kubectl-eksxa item left in the OS keyring (found by service, so items a
// lost index no longer lists go too).
func logoutAll(env Env, cmd *cobra.Command) (int, error) {
	dir, err := usableCacheDir(env, false)
	if err != nil {
		return 0, err
	}
	index := newIndex(dir, osKeyring(env))
	rows, _ := readIndex(env, index)
	forgotten, err := forgetRows(env, cmd, dir, index, rows)
	errs := []error{err}
	n := len(forgotten)
	if fs, err := cache.NewFileStore(dir); err == nil {
		m, err := fs.Clear()
		n += m
		errs = append(errs, err)
	}
	m, err := sweepKeyring(env)
	n += m
	errs = append(errs, err)
	return n, errors.Join(errs...)
}

// sweepKeyring deletes every item under the service from the OS keyring
// and returns how many it knows it deleted. Where it cannot sweep, it says
// on stderr that items may remain.
func sweepKeyring(env Env) (int, error) {
	kr := osKeyring(env)
	if kr == nil {
		fmt.Fprintln(env.Stderr, "kubectl-eksxa: note: no D-Bus session bus, so the OS keyring was not swept: items kubectl-eksxa stored there in another session may remain")
		return 0, nil
	}
	n, err := cache.NewKeyringStore(kr, cache.DefaultKeyringOptions()).DeleteAll()
	switch {
	case err != nil:
		fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: the OS keyring could not be swept (%v): kubectl-eksxa items may remain there\n", err)
		return 0, nil
	case n < 0:
		fmt.Fprintln(env.Stderr, "kubectl-eksxa: note: the OS keyring was swept by service name; it does not say how many items went")
		return 0, nil
	}
	return n, nil
}

// unindexedKeyringItems counts the kubectl-eksxa items in the OS keyring
// that no index row lists (chunk items of listed entries aside): -1 when
// the keyring cannot be listed here, 0 when there is no keyring.
func unindexedKeyringItems(env Env, rows []cache.IndexEntry) int {
	kr := osKeyring(env)
	if kr == nil {
		return 0
	}
	users, err := cache.NewKeyringStore(kr, cache.DefaultKeyringOptions()).ListUsers()
	if err != nil {
		if errors.Is(err, cache.ErrCannotList) {
			return -1
		}
		return 0
	}
	listed := map[string]bool{}
	for _, r := range rows {
		listed[r.Key] = true
	}
	n := 0
	for _, u := range users {
		base, _, chunk := strings.Cut(u, ".")
		if !listed[u] && (!chunk || !listed[base]) {
			n++
		}
	}
	return n
}

// openStoreNamed opens the store an index row names.
func openStoreNamed(env Env, name, dir string) (cache.Store, error) {
	switch name {
	case cache.NameFile:
		return cache.NewFileStore(dir)
	case cache.NameKeyring:
		kr := osKeyring(env)
		if kr == nil {
			return nil, errors.New("no keyring")
		}
		return cache.NewKeyringStore(kr, cache.DefaultKeyringOptions()), nil
	}
	return nil, fmt.Errorf("unknown store %q", name)
}

// rowCluster is the cluster and region an index row was cached for: a
// session row names none of its own, its selection does.
func rowCluster(r cache.IndexEntry) (cluster, region string) {
	cluster, region = r.Cluster, r.Region
	if s := r.Selection; s != nil {
		cluster = firstNonEmpty(cluster, s.Cluster)
		region = firstNonEmpty(region, s.Region)
	}
	return cluster, region
}
