package cli

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
)

// installHint is what kubectl prints when the exec entry's command is not
// found.
const installHint = `kubectl-eksxa gets the credentials for this cluster. Install it with
  kubectl krew install eksxa
or
  go install github.com/eksxa/kubectl-eksxa/cmd/kubectl-eksxa@latest
and make sure it is on PATH.`

func newKubeconfigCommand(env Env) *cobra.Command {
	var (
		f         chainFlags
		fl        fleetFlags
		path      string
		alias     string
		userAlias string
		execCmd   string
		overwrite bool
		dryRun    bool
		lockWait  time.Duration

		allowKuberc bool
	)
	cmd := &cobra.Command{
		Use:   "kubeconfig (--cluster-name NAME [--alias CONTEXT] [--user-alias USER] | --all-clusters [--regions R1,R2] [--accounts A1,A2 --account-role SPEC] [--alias-template T] [--prune]) [--region REGION] [chain flags] [--kubeconfig PATH] [--dry-run]",
		Short: "Write the cluster, an exec user and a context into the kubeconfig",
		Long: `Look the cluster up with DescribeCluster through the chain, then write or merge
its cluster entry (endpoint, CA), a user entry that runs kubectl-eksxa with the
same chain, and a context into the kubeconfig, and make it the current context.

The file is --kubeconfig, else the first file in KUBECONFIG, else
~/.kube/config. The cluster entry is named by the cluster ARN, as aws eks
update-kubeconfig names it; the context by --alias, else the ARN; the user by
--user-alias, else the context's name, so each chain has its own user. A
context or user of that name that holds another cluster or chain is not
replaced unless --overwrite is given. Other entries are kept.

The file is written as kubectl writes it: under kubectl's lock file
(<file>.lock), through symlinks, keeping its mode and owner. A failed call
leaves the file as it was. --dry-run prints the result with credentials
redacted, as kubectl config view does.

--all-clusters writes every cluster the chain can list (ListClusters) in each
of --regions (default: the chain's region) and each of --accounts, reached by
assuming --account-role there after the chain (default: the chain's own
account), in one write. Contexts, and their users, are named by
--alias-template, a Go template over .Name, .Region and .Account (default: the
cluster ARN). Entries are marked with an "eksxa" extension; --prune removes
marked entries whose cluster is gone from an account and region scanned
successfully, never anything else. --dry-run prints the plan. An account or
region that fails does not stop the others; the exit code is then 1.

When kubectl's kuberc (~/.kube/kuberc, or KUBERC) has a credential plugin
policy that would stop kubectl 1.35+ running the exec command, it says so and
prints the credentialPluginAllowlist item to add; --allow-in-kuberc adds it,
changing nothing else in the file.`,
		Example: `  kubectl eksxa kubeconfig --cluster-name prod --region eu-west-1 \
    --profile identity --role-arn arn:aws:iam::222222222222:role/eks-admin --alias prod

  # Every cluster of three workload accounts in two regions
  kubectl eksxa kubeconfig --all-clusters --profile identity \
    --accounts 222222222222,333333333333,444444444444 --account-role eks-admin,external-id=platform \
    --regions eu-west-1,us-east-1 --alias-template '{{.Account}}-{{.Region}}-{{.Name}}' --prune`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			command := kubeconfig.Command
			if execCmd != "" {
				abs, err := filepath.Abs(expandHome(env, execCmd))
				if err != nil {
					return usagef("--exec-command: %v", err)
				}
				command = abs
			}
			// Before the chain: it may ask for an MFA code.
			if path == "" && env.Getenv("KUBECONFIG") == "" && homeDir(env) == "" {
				return errNoHome("~/.kube/config", "KUBECONFIG, or pass --kubeconfig")
			}
			gate, err := checkKubectl(env, command, allowKuberc && !dryRun)
			if err != nil {
				return err
			}
			if fl.all {
				if userAlias != "" {
					return usagef("--user-alias names one user; with --all-clusters each context's user takes its name")
				}
				p, err := validateFleet(cmd, env, f, fl, path, alias, dryRun)
				if err != nil {
					return err
				}
				p.command, p.overwrite, p.lockWait = command, overwrite, lockWait
				ferr := runFleet(ctx, env, f, p)
				if err := gate.apply(env.Stdout); err != nil {
					return err
				}
				warnKubectl(env, gate)
				return ferr
			}
			if name := fl.used(cmd); name != "" {
				return usagef("%s needs --all-clusters", name)
			}
			sel, res, err := runChain(ctx, env, &f)
			if err != nil {
				return err
			}
			out, err := eksClient(res).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(sel.req.Cluster)})
			if err != nil {
				return describeError(sel.req.Cluster, res.Region, chainIdentity(sel.req, res), err)
			}
			c := out.Cluster
			if c == nil || aws.ToString(c.Endpoint) == "" || aws.ToString(c.Arn) == "" {
				status := "unknown"
				if c != nil {
					status = string(c.Status)
				}
				return fmt.Errorf("cluster %s in %s has no endpoint yet (status %s): wait until it is ACTIVE", sel.req.Cluster, res.Region, status)
			}
			var ca []byte
			if c.CertificateAuthority != nil {
				if ca, err = decodeCA(aws.ToString(c.CertificateAuthority.Data)); err != nil {
					return fmt.Errorf("cluster %s: certificate authority data: %w", sel.req.Cluster, err)
				}
			}
			entry := kubeconfig.Entry{
				ClusterARN:  aws.ToString(c.Arn),
				Context:     alias,
				User:        userAlias,
				Server:      aws.ToString(c.Endpoint),
				CAData:      ca,
				Command:     command,
				Args:        execArgs(f, sel.req.Profile, res.Region),
				InstallHint: installHint,
			}
			file := kubeconfig.Path(expandHome(env, path), expandHomeList(env, env.Getenv("KUBECONFIG")), homeDir(env))
			logf := func(string, ...any) {}
			if sel.verbose {
				logf = verboseLogger(env.Stderr, env.Now)
			}
			up, err := kubeconfig.Update(ctx, file, kubeconfig.UpdateOptions{DryRun: dryRun, Now: env.Now, LockWait: lockWait}, func(cfg *clientcmdapi.Config) error {
				return kubeconfig.Apply(cfg, entry, kubeconfig.ApplyOptions{Overwrite: overwrite, SetCurrent: true})
			})
			if err != nil {
				return err
			}
			if up.Path != file {
				logf("kubeconfig %s is a link to %s: written there", file, up.Path)
			}
			switch {
			case dryRun:
			case up.InPlace != "":
				logf("kubeconfig %s rewritten in place, not replaced: %s", up.Path, up.InPlace)
			default:
				logf("kubeconfig %s replaced atomically under its lock %s", up.Path, kubeconfig.LockName(file))
			}
			warnCommand(env, command)
			if dryRun {
				warnKubectl(env, gate)
				shown, err := kubeconfig.Redact(up.Config)
				if err != nil {
					return err
				}
				_, err = env.Stdout.Write(shown)
				return err
			}
			if _, err = fmt.Fprintf(env.Stdout, "Context %s (user %s: kubectl-eksxa as %s) written to %s and made current.\n",
				entry.ContextName(), entry.UserName(), whoAmI(ctx, sel.req, res), file); err != nil {
				return err
			}
			if err := gate.apply(env.Stdout); err != nil {
				return err
			}
			warnKubectl(env, gate)
			return nil
		},
	}
	f.register(cmd)
	fl.register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&path, "kubeconfig", "", "The kubeconfig file to write (default: first file of KUBECONFIG, else ~/.kube/config).")
	fs.StringVar(&alias, "alias", "", "Name the context this instead of the cluster ARN.")
	fs.StringVar(&userAlias, "user-alias", "", "Name the user entry this instead of the context's name.")
	fs.BoolVar(&overwrite, "overwrite", false, "Replace a context or user of the same name that holds another cluster or chain.")
	fs.StringVar(&execCmd, "exec-command", "", "Write this path (made absolute) as the exec command instead of kubectl-eksxa found on PATH.")
	fs.DurationVar(&lockWait, "lock-timeout", kubeconfig.DefaultLockWait, "How long to wait for another writer's kubeconfig lock (<file>.lock, kubectl's) before giving up.")
	fs.BoolVar(&dryRun, "dry-run", false, "Print the resulting kubeconfig, credentials redacted, instead of writing it (with --all-clusters: the plan).")
	fs.BoolVar(&allowKuberc, "allow-in-kuberc", false, "Add the exec command to credentialPluginAllowlist in kubectl's kuberc if its policy would stop kubectl running it.")
	return cmd
}

// warnCommand tells on stderr when kubectl will not run this binary for
// the exec entry's command.
func warnCommand(env Env, command string) {
	if err := CheckExecCommand(command); err != nil {
		fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: %v\n", err)
	}
}

// CheckExecCommand says whether kubectl will run this very binary for an
// exec entry whose command is command (kubectl-eksxa, or an absolute
// path): nil when it will or it cannot be told, *kubeconfig.CommandError
// otherwise. doctor uses it too.
func CheckExecCommand(command string) error {
	self, err := os.Executable()
	if err != nil {
		return nil //nolint:nilerr // unknown binary: it cannot be told, which is nil by contract
	}
	return kubeconfig.CheckCommand(command, self, exec.LookPath)
}

// runChain resolves the flags and runs the chain for a command that a
// person runs at a terminal: MFA prompts only when stdin is one
// (terminalPrompt).
// f is normalised in place (a cluster ARN becomes NAME + --region), so
// that what the caller writes from f (the kubeconfig's exec args) names
// the cluster as the token's cache key does.
func runChain(ctx context.Context, env Env, f *chainFlags) (selection, broker.Result, error) {
	sel, err := f.resolve(env)
	if err != nil {
		return selection{}, broker.Result{}, err
	}
	res, err := newBroker(env, sel, terminalPrompt(env)).Chain(ctx, sel.req)
	return sel, res, err
}

// eksClient is an EKS client signing with the chain's final session.
func eksClient(res broker.Result) *eks.Client {
	cfg := res.Resolved.AWS.Copy()
	cfg.Credentials = staticProvider(res.Final.Credentials)
	return eks.NewFromConfig(cfg)
}

// execArgs reproduces the chain on kubectl-eksxa token's command line, with
// the region fixed so the token never depends on kubectl's environment.
func execArgs(f chainFlags, profile, region string) []string {
	args := []string{"token", "--cluster-name", f.cluster, "--region", region}
	if profile != "" {
		args = append(args, "--profile", profile)
	}
	for _, h := range f.roleARNs {
		args = append(args, "--role-arn", h)
	}
	if f.sessionName != "" {
		args = append(args, "--session-name", f.sessionName)
	}
	if f.cache != "" {
		args = append(args, "--cache", f.cache)
	}
	return args
}

// describeError says why DescribeCluster failed, in the user's terms.
func describeError(cluster, region, who string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ResourceNotFoundException":
			return fmt.Errorf("cluster %q not found in %s for %s: check --cluster-name, --region and that the chain ends in the cluster's account", cluster, region, who)
		case "AccessDeniedException", "AccessDenied":
			return fmt.Errorf("%s may not call eks:DescribeCluster on %s: %s; grant it in the role's IAM policy", who, cluster, api.ErrorMessage())
		}
	}
	return fmt.Errorf("DescribeCluster %s in %s: %w", cluster, region, err)
}

// decodeCA decodes DescribeCluster's base64 certificate data to PEM.
func decodeCA(data string) ([]byte, error) {
	if data == "" {
		return nil, nil
	}
	pem, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, errors.New("not base64")
	}
	return pem, nil
}

// chainIdentity names who the chain's final session is without asking
// STS: the last hop's assumed-role ARN, else what STS already said, else
// where the base credentials come from (a chain without hops signs with
// them).
func chainIdentity(r broker.Request, res broker.Result) string {
	switch {
	case res.Final.ARN != "":
		return res.Final.ARN
	case res.Identity != "":
		return res.Identity
	case r.Profile != "":
		return "the base credentials (profile " + r.Profile + ")"
	case r.EnvAccessKeyID != "":
		return "the base credentials (the environment's AWS_ACCESS_KEY_ID)"
	}
	return "the base credentials (the AWS SDK's default chain)"
}

// identityCheckTimeout bounds whoAmI's question to STS: the answer only
// makes a message clearer.
const identityCheckTimeout = 5 * time.Second

// whoAmI is chainIdentity, asking STS (GetCallerIdentity) who the final
// session is when no hop named it: a chain without hops signs with the base
// credentials, whose ARN only STS knows. When STS does not answer, the
// base credentials are described instead.
func whoAmI(ctx context.Context, r broker.Request, res broker.Result) string {
	if res.Final.ARN != "" || res.Identity != "" || res.Resolved.CallerIdentity == nil {
		return chainIdentity(r, res)
	}
	cctx, cancel := context.WithTimeout(ctx, identityCheckTimeout)
	defer cancel()
	if arn, err := res.Resolved.CallerIdentity(cctx, res.Final.Credentials); err == nil && arn != "" {
		return arn
	}
	return chainIdentity(r, res)
}
