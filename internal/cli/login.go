package cli

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
)

func newLoginCommand(env Env) *cobra.Command {
	var f chainFlags
	cmd := &cobra.Command{
		Use:   "login --cluster-name NAME [chain flags]",
		Short: "Run the chain now, asking for MFA codes, and cache the sessions",
		Long: `Run the chain now: reuse hop sessions that are still cached, assume the rest
(asking for MFA codes on the terminal, or reading them from stdin), cache the
sessions and a fresh token, and say who you are at each hop and until when.

Run it with the same flags as the kubeconfig's exec entry, so that kubectl
finds the sessions it caches.`,
		Example: `  kubectl eksxa login --cluster-name prod --region eu-west-1 \
    --role-arn 'arn:aws:iam::222222222222:role/eks-admin,mfa-serial=arn:aws:iam::111111111111:mfa/alice,duration=12h'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sel, err := f.resolve(env)
			if err != nil {
				return err
			}
			res, err := newBroker(env, sel, stdinPrompt(env)).Login(cmd.Context(), sel.req)
			if err != nil {
				return err
			}
			return printLogin(env.Stdout, sel.req, res, env.Now())
		},
	}
	f.register(cmd)
	return cmd
}

func printLogin(w io.Writer, r broker.Request, res broker.Result, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Cluster %s (%s)\n", r.Cluster, res.Region)
	for i, h := range res.Hops {
		switch {
		case h.ARN == "":
			fmt.Fprintf(tw, "  hop %d/%d\t%s\tnot needed: a later hop's session is cached\n", i+1, len(res.Hops), h.Hop.RoleARN)
		default:
			how := "assumed"
			if h.Cached {
				how = "cached"
			}
			fmt.Fprintf(tw, "  hop %d/%d\t%s\t%s, until %s\n", i+1, len(res.Hops), h.ARN, how, until(h.Expires, now))
		}
	}
	fmt.Fprintf(tw, "  you are\t%s\t\n", res.Identity)
	fmt.Fprintf(tw, "  token\tcached, until %s\t\n", until(res.Token.Expiration, now))
	return tw.Flush()
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
		Long: `Forget the cached token and every hop session of the selected chain, or with
--all everything kubectl-eksxa has cached, in the keyring and in files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all {
				if f.cluster != "" || len(f.roleARNs) > 0 || f.profile != "" {
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
			n, err := newBroker(env, sel, nil).Logout(cmd.Context(), sel.req)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Forgot %d cached entries for cluster %s.\n", n, sel.req.Cluster)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "Forget everything cached, for every cluster and chain.")
	return cmd
}

// logoutAll deletes every entry the index knows of from the store that
// holds it, then every file entry left in the cache folder.
func logoutAll(env Env, cmd *cobra.Command) (int, error) {
	dir, err := cacheDirFor(env)
	if err != nil {
		return 0, err
	}
	index := cache.NewIndex(dir)
	rows, _ := index.List()
	stores := map[string]cache.Store{}
	var (
		errs    []error
		deleted []string // only these leave the index: a row is how status and logout find an entry again
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
		deleted = append(deleted, row.Key)
	}
	n := len(deleted)
	if err := index.Remove(cmd.Context(), deleted...); err != nil {
		errs = append(errs, err)
	}
	if fs, err := cache.NewFileStore(dir); err == nil {
		m, err := fs.Clear()
		n += m
		if err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
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
