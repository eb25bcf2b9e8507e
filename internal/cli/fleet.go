package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/fleet"
	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// fleetConcurrency bounds the AWS calls in flight during a fleet scan
// (AssumeRole into an account, the ListClusters pages of a region, one
// DescribeCluster): enough to hide latency, few enough to stay clear of
// EKS's per-account request rate.
const fleetConcurrency = 4

// fleetPlaceholder stands in for --cluster-name when the chain flags are
// resolved for a fleet: the chain's sessions are not keyed by cluster, and
// every cluster's exec entry gets its own name.
const fleetPlaceholder = "all-clusters"

// fleetFlags are kubeconfig's --all-clusters flags.
type fleetFlags struct {
	all           bool
	regions       []string
	accounts      []string
	accountRole   string
	aliasTemplate string
	prune         bool
}

func (fl *fleetFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.BoolVar(&fl.all, "all-clusters", false, "Write every cluster the chain can list, in each account and region, instead of one --cluster-name.")
	fs.StringSliceVar(&fl.regions, "regions", nil, "With --all-clusters: the regions to scan, comma-separated (default: the chain's region).")
	fs.StringSliceVar(&fl.accounts, "accounts", nil, "With --all-clusters: the accounts to scan, comma-separated; each is reached through --account-role (default: the chain's own account).")
	fs.StringVar(&fl.accountRole, "account-role", "", "With --accounts: the role to assume in each account, a hop SPEC without the account: NAME[,external-id=ID][,session-name=NAME][,duration=1h][,mfa-serial=ARN][,source-identity=ID].")
	fs.StringVar(&fl.aliasTemplate, "alias-template", "", "With --all-clusters: name contexts by this Go template over .Name, .Region and .Account (default: the cluster ARN).")
	fs.BoolVar(&fl.prune, "prune", false, "With --all-clusters: remove the entries --all-clusters wrote earlier for clusters no longer found in the accounts and regions scanned.")
}

// used names a fleet flag that was given, "" when none was.
func (fl *fleetFlags) used(cmd *cobra.Command) string {
	for _, name := range []string{"regions", "accounts", "account-role", "alias-template", "prune"} {
		if cmd.Flags().Changed(name) {
			return "--" + name
		}
	}
	return ""
}

// fleetPlan is a validated fleet command line.
type fleetPlan struct {
	sel         selection
	regions     []string // nil: the chain's region
	accounts    []string // nil: the chain's own account
	accountRole fleet.AccountRole
	namer       fleet.Namer
	prune       bool
	dryRun      bool
	path        string
	// From kubeconfig's own flags: the exec command, --overwrite and
	// --lock-timeout.
	command   string
	overwrite bool
	lockWait  time.Duration
}

// validateFleet checks the --all-clusters command line before any AWS call.
func validateFleet(cmd *cobra.Command, env Env, f chainFlags, fl fleetFlags, path, alias string, dryRun bool) (fleetPlan, error) {
	switch {
	case f.cluster != "":
		return fleetPlan{}, usagef("--cluster-name and --all-clusters exclude each other: --all-clusters writes every cluster it finds")
	case alias != "":
		return fleetPlan{}, usagef("--alias names one context; with --all-clusters use --alias-template, e.g. '{{.Account}}-{{.Name}}'")
	case len(fl.accounts) > 0 && fl.accountRole == "":
		return fleetPlan{}, usagef("--accounts needs --account-role, the role to assume in each account (e.g. --account-role eks-admin)")
	case fl.accountRole != "" && len(fl.accounts) == 0:
		return fleetPlan{}, usagef("--account-role needs --accounts, the accounts to assume it in")
	}
	p := fleetPlan{prune: fl.prune, dryRun: dryRun}
	var err error
	if cmd.Flags().Changed("regions") {
		if p.regions, err = fleet.ParseRegions(fl.regions); err != nil {
			return fleetPlan{}, usagef("--regions: %v", err)
		}
	}
	if cmd.Flags().Changed("accounts") {
		if p.accounts, err = fleet.ParseAccounts(fl.accounts); err != nil {
			return fleetPlan{}, usagef("--accounts: %v", err)
		}
		if p.accountRole, err = fleet.ParseAccountRole(fl.accountRole, p.accounts[0]); err != nil {
			return fleetPlan{}, usagef("--account-role %q: %v", fl.accountRole, err)
		}
	}
	if p.namer, err = fleet.ParseAliasTemplate(fl.aliasTemplate); err != nil {
		return fleetPlan{}, usagef("--alias-template %v", err)
	}
	g := f
	g.cluster = fleetPlaceholder
	if p.sel, err = g.resolve(env); err != nil {
		return fleetPlan{}, err
	}
	p.sel.req.Cluster = ""
	p.path = kubeconfig.Path(expandHome(env, path), expandHomeList(env, env.Getenv("KUBECONFIG")), homeDir(env))
	return p, nil
}

// runFleet is `kubeconfig --all-clusters`: run the chain once, scan every
// account and region, and write the whole fleet in one go.
func runFleet(ctx context.Context, env Env, f chainFlags, p fleetPlan) error {
	var prompt func(string) (string, error)
	if ask := fleetPrompt(env); ask != nil {
		prompt = serialPrompt(ask)
	}
	b := newBroker(env, p.sel, prompt)
	shareRun(b)

	// The chain's own hops first, once: every account's chain starts with
	// them, and an MFA prompt here happens before anything runs in
	// parallel.
	res, err := b.Chain(ctx, p.sel.req)
	if err != nil {
		return err
	}
	regions := p.regions
	if regions == nil {
		regions = []string{res.Region}
	}
	part, err := samePartition(res.Region, regions)
	if err != nil {
		return err
	}

	accounts := p.accounts
	var own string
	if accounts == nil {
		if own, err = finalAccount(ctx, res); err != nil {
			return err
		}
		accounts = []string{own}
	}
	hops := map[string]chain.Hop{} // account -> its final hop
	if p.accounts != nil {
		for _, a := range accounts {
			if hops[a], err = p.accountRole.Hop(a, part); err != nil {
				return usagef("--account-role: %v", err)
			}
		}
	}

	s := &fleet.Scanner{
		Concurrency: fleetConcurrency,
		Open: func(ctx context.Context, account string) (fleet.EKS, error) {
			if p.accounts == nil {
				return eksAccount{res: res}, nil
			}
			req := p.sel.req
			req.Hops = append(slices.Clone(req.Hops), hops[account])
			r, err := b.Chain(ctx, req)
			if err != nil {
				return nil, err
			}
			return eksAccount{res: r}, nil
		},
	}
	if stderrIsTerminal(env.Stderr) {
		fmt.Fprintf(env.Stderr, "Scanning %s × %s ...\n", plural(len(accounts), "account"), plural(len(regions), "region"))
		s.Progress = func(r fleet.TargetResult) { printProgress(env.Stderr, r) }
	}
	results := s.Scan(ctx, accounts, regions)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted (%w); nothing was written", err)
	}

	var clusters []fleet.Found
	var notReady []fleet.Found
	for _, r := range results {
		for _, c := range r.Clusters {
			if c.Endpoint == "" {
				notReady = append(notReady, c)
				continue
			}
			clusters = append(clusters, c)
		}
	}
	named, err := fleet.NameAll(clusters, p.namer)
	if err != nil {
		return fmt.Errorf("%w; nothing was written", err)
	}
	entry := func(n fleet.Named) kubeconfig.Entry {
		return kubeconfig.Entry{
			ClusterARN:  n.ARN,
			Server:      n.Endpoint,
			CAData:      n.CAData,
			Command:     p.command,
			Args:        fleetExecArgs(f, p.sel.req.Profile, n, hops),
			InstallHint: installHint,
		}
	}

	// One locked read-plan-write for the whole fleet; a plan that changes
	// nothing writes nothing, so the file stays byte for byte.
	var plan fleet.Plan
	opts := kubeconfig.UpdateOptions{DryRun: p.dryRun, Now: env.Now, LockWait: p.lockWait}
	_, err = kubeconfig.Update(ctx, p.path, opts, func(cfg *clientcmdapi.Config) error {
		var err error
		if plan, err = fleet.MakePlan(cfg, named, entry, results, fleet.PlanOptions{Prune: p.prune, Overwrite: p.overwrite}); err != nil {
			return err
		}
		if !plan.Changed() {
			return errUnchanged
		}
		plan.Apply(cfg)
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return err
	}
	if len(named) > 0 {
		warnCommand(env, p.command)
	}

	failed := 0
	for _, r := range results {
		if !r.OK() {
			failed++
		}
	}
	// stdout carries the plan and summary of a run that succeeded; when a
	// target failed, everything goes to stderr and stdout stays empty, as
	// for every failing command.
	out := env.Stdout
	if failed > 0 {
		out = env.Stderr
	}
	if p.dryRun {
		fmt.Fprint(out, plan.String())
	}
	printFleetSummary(out, p, accounts, regions, results, notReady, plan)
	if failed > 0 {
		printFailures(env.Stderr, results)
		what := "nothing was written"
		switch {
		case p.dryRun:
			what = "nothing was written (--dry-run)"
		case plan.Changed():
			what = p.path + " has what was found"
		case len(named) > 0:
			what = p.path + " already had what was found"
		}
		return fmt.Errorf("%d of %s failed; %s", failed, plural(len(results), "account/region scan"), what)
	}
	return nil
}

// errUnchanged stops kubeconfig.Update from writing a file the plan does
// not change.
var errUnchanged = errors.New("kubeconfig unchanged")

// fleetExecArgs is the exec entry of one cluster: the same args kubeconfig
// writes for a single cluster, with the account's hop last.
func fleetExecArgs(f chainFlags, profile string, n fleet.Named, hops map[string]chain.Hop) []string {
	g := f
	g.cluster = n.Name
	if h, ok := hops[n.Account]; ok {
		g.roleARNs = append(slices.Clone(f.roleARNs), h.String())
	}
	return execArgs(g, profile, n.Region)
}

// samePartition returns the partition of the chain's region and checks that
// every region to scan is in it: a session of one partition cannot reach
// another.
func samePartition(chainRegion string, regions []string) (string, error) {
	p, err := token.PartitionOf(chainRegion)
	if err != nil {
		return "", err
	}
	for _, r := range regions {
		if q, _ := token.PartitionOf(r); q.ID != p.ID {
			return "", usagef("--regions: %s is in partition %s but the chain runs in %s (%s); set --region to a region of %s", r, q.ID, chainRegion, p.ID, q.ID)
		}
	}
	return p.ID, nil
}

// finalAccount is the account of the chain's final session.
func finalAccount(ctx context.Context, res broker.Result) (string, error) {
	if a := accountOfARN(res.Final.ARN); a != "" {
		return a, nil
	}
	if a := res.Final.Credentials.AccountID; a != "" {
		return a, nil
	}
	if res.Resolved.CallerIdentity == nil {
		return "", errors.New("cannot tell which account the chain ends in; pass --accounts and --account-role")
	}
	arn, err := res.Resolved.CallerIdentity(ctx, res.Final.Credentials)
	if err != nil {
		return "", fmt.Errorf("asking STS which account the chain ends in: %w", err)
	}
	if a := accountOfARN(arn); a != "" {
		return a, nil
	}
	return "", fmt.Errorf("cannot tell the account of %s; pass --accounts and --account-role", arn)
}

func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// eksAccount is fleet.EKS with one account's final session.
type eksAccount struct{ res broker.Result }

func (e eksAccount) client(region string) *eks.Client {
	cfg := e.res.Resolved.AWS.Copy()
	cfg.Credentials = staticProvider(e.res.Final.Credentials)
	cfg.Region = region
	return eks.NewFromConfig(cfg)
}

func (e eksAccount) who() string {
	return firstNonEmpty(e.res.Final.ARN, "the base credentials")
}

func (e eksAccount) ListClusters(ctx context.Context, region string) ([]string, error) {
	pages := eks.NewListClustersPaginator(e.client(region), &eks.ListClustersInput{MaxResults: aws.Int32(100)})
	var names []string
	for pages.HasMorePages() {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		out, err := pages.NextPage(cctx)
		cancel()
		if err != nil {
			var api smithy.APIError
			if errors.As(err, &api) && (api.ErrorCode() == "AccessDeniedException" || api.ErrorCode() == "AccessDenied") {
				return nil, fmt.Errorf("%s may not call eks:ListClusters in %s: %s; grant it in the role's IAM policy", e.who(), region, api.ErrorMessage())
			}
			return nil, fmt.Errorf("ListClusters in %s as %s: %w", region, e.who(), err)
		}
		names = append(names, out.Clusters...)
	}
	return names, nil
}

func (e eksAccount) DescribeCluster(ctx context.Context, region, name string) (fleet.Found, error) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := e.client(region).DescribeCluster(cctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "ResourceNotFoundException" {
			return fleet.Found{}, fmt.Errorf("%s in %s: %w", name, region, fleet.ErrNotFound)
		}
		return fleet.Found{}, describeError(name, region, e.who(), err)
	}
	c := out.Cluster
	if c == nil {
		return fleet.Found{}, fmt.Errorf("DescribeCluster %s in %s: no cluster in the answer", name, region)
	}
	f := fleet.Found{ARN: aws.ToString(c.Arn), Endpoint: aws.ToString(c.Endpoint), Status: string(c.Status)}
	if f.ARN == "" {
		f.Endpoint = "" // cannot be named: treated as not ready
	}
	if c.CertificateAuthority != nil {
		if f.CAData, err = decodeCA(aws.ToString(c.CertificateAuthority.Data)); err != nil {
			return fleet.Found{}, fmt.Errorf("cluster %s in %s: certificate authority data: %w", name, region, err)
		}
	}
	return f, nil
}

// shareRun makes every chain of one fleet run share what they have in
// common, whatever the cache mode: sessions live in memory for the run
// (so the chain's own hops are assumed once, even with --cache none, and
// each account's hop once for all its regions), and the base credentials
// are retrieved once (an SSO or web identity base costs a call each time).
func shareRun(b *broker.Broker) {
	b.Store = &runStore{inner: b.Store, m: map[string]string{}}
	resolve := b.Resolve
	var (
		once sync.Once
		base func(context.Context) (aws.Credentials, error)
		mu   sync.Mutex
	)
	b.Resolve = func(ctx context.Context, r broker.Request) (broker.Resolved, error) {
		res, err := resolve(ctx, r)
		if err != nil {
			return res, err
		}
		mu.Lock()
		if base == nil {
			first := res.Base
			var (
				creds aws.Credentials
				err   error
			)
			base = func(ctx context.Context) (aws.Credentials, error) {
				once.Do(func() { creds, err = first(ctx) })
				return creds, err
			}
		}
		res.Base = base
		mu.Unlock()
		return res, nil
	}
}

// runStore keeps what a fleet run caches in memory too, in front of the
// configured store (nil for none).
type runStore struct {
	inner cache.Store
	mu    sync.Mutex
	m     map[string]string
}

var _ cache.Store = (*runStore)(nil)

func (s *runStore) Get(key string) (string, error) {
	s.mu.Lock()
	v, ok := s.m[key]
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	if s.inner == nil {
		return "", cache.ErrNotFound
	}
	return s.inner.Get(key)
}

func (s *runStore) Set(key, value string) error {
	s.mu.Lock()
	s.m[key] = value
	s.mu.Unlock()
	if s.inner == nil {
		return nil
	}
	return s.inner.Set(key, value)
}

func (s *runStore) Delete(key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	if s.inner == nil {
		return nil
	}
	return s.inner.Delete(key)
}

func (s *runStore) Name() string {
	if s.inner == nil {
		return cache.NameNone
	}
	return s.inner.Name()
}

// fleetPrompt asks for MFA codes as kubeconfig does: only when stdin is a
// terminal. A variable so tests can answer from a pipe.
var fleetPrompt = terminalPrompt

// serialPrompt lets one goroutine at a time ask a question.
func serialPrompt(p func(string) (string, error)) func(string) (string, error) {
	var mu sync.Mutex
	return func(q string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		return p(q)
	}
}

// stderrIsTerminal reports whether w is a terminal (progress lines are
// for people, not logs). A variable so tests can say yes.
var stderrIsTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

var stageWords = map[fleet.Stage]string{
	fleet.StageChain:    "the chain into the account",
	fleet.StageList:     "ListClusters",
	fleet.StageDescribe: "DescribeCluster",
}

func printProgress(w io.Writer, r fleet.TargetResult) {
	switch {
	case r.OK():
		fmt.Fprintf(w, "  %s %s: %s\n", r.Account, r.Region, plural(len(r.Clusters), "cluster"))
	default:
		fmt.Fprintf(w, "  %s %s: failed in %s (details at the end)\n", r.Account, r.Region, stageWords[r.Stage])
	}
}

func printFleetSummary(w io.Writer, p fleetPlan, accounts, regions []string, results []fleet.TargetResult, notReady []fleet.Found, plan fleet.Plan) {
	found := 0
	for _, r := range results {
		found += len(r.Present)
	}
	written := plan.Count(fleet.Add) + plan.Count(fleet.Update)
	verb := "written"
	if p.dryRun {
		verb = "to write"
	}
	fmt.Fprintf(w, "%s × %s scanned: %s found, %d %s (%d new, %d updated), %d unchanged, %d removed.\n",
		plural(len(accounts), "account"), plural(len(regions), "region"), plural(found, "cluster"),
		written, verb, plan.Count(fleet.Add), plan.Count(fleet.Update), plan.Count(fleet.Unchanged), plan.Count(fleet.Remove))
	for _, c := range notReady {
		fmt.Fprintf(w, "Not written: %s (%s) has no endpoint yet; run again when it is ACTIVE.\n", c.ARN, strings.ToLower(firstNonEmpty(c.Status, "unknown status")))
	}
	switch {
	case p.dryRun:
		fmt.Fprintf(w, "Dry run: %s not written.\n", p.path)
	case plan.Changed():
		fmt.Fprintf(w, "Wrote %s.\n", p.path)
	default:
		fmt.Fprintf(w, "%s is up to date.\n", p.path)
	}
	if plan.ClearCurrent {
		fmt.Fprintln(w, "The current context was removed: pick another with kubectl config use-context.")
	}
}

// printFailures says what failed where, once per account when the chain
// into it failed (every region then fails alike).
func printFailures(w io.Writer, results []fleet.TargetResult) {
	fmt.Fprintln(w, "Failed:")
	done := map[string]bool{} // accounts whose chain failure is printed
	for _, r := range results {
		switch {
		case r.OK() || done[r.Account]:
		case r.Stage == fleet.StageChain:
			done[r.Account] = true
			var regions []string
			for _, o := range results {
				if o.Account == r.Account && o.Stage == fleet.StageChain {
					regions = append(regions, o.Region)
				}
			}
			fmt.Fprintf(w, "  account %s (%s): %v\n", r.Account, strings.Join(regions, ", "), r.Err)
		default:
			fmt.Fprintf(w, "  account %s, %s: %v\n", r.Account, r.Region, r.Err)
		}
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
