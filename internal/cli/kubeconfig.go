package cli

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
)

func newKubeconfigCommand(env Env) *cobra.Command {
	var (
		f           chainFlags
		path        string
		alias       string
		dryRun      bool
		allowKuberc bool
	)
	cmd := &cobra.Command{
		Use:   "kubeconfig --cluster-name NAME [--region REGION] [chain flags] [--kubeconfig PATH] [--alias CONTEXT] [--dry-run]",
		Short: "Write the cluster, an exec user and a context into the kubeconfig",
		Long: `Look the cluster up with DescribeCluster through the chain, then write or merge
its cluster entry (endpoint, CA), a user entry that runs kubectl-eksxa with the
same chain, and a context into the kubeconfig, and make it the current context.

The file is --kubeconfig, else the first file in KUBECONFIG, else
~/.kube/config. Entries are named by the cluster ARN, as aws eks
update-kubeconfig names them; --alias names the context. Other entries are
kept. A failed call leaves the file as it was.

When kubectl's kuberc (~/.kube/kuberc, or KUBERC) has a credential plugin
policy that would stop kubectl 1.35+ running kubectl-eksxa, it says so and
prints the credentialPluginAllowlist item to add; --allow-in-kuberc adds it,
changing nothing else in the file.`,
		Example: `  kubectl eksxa kubeconfig --cluster-name prod --region eu-west-1 \
    --profile identity --role-arn arn:aws:iam::222222222222:role/eks-admin --alias prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			gate, err := checkKubectl(env, execCommand, allowKuberc && !dryRun)
			if err != nil {
				return err
			}
			sel, res, err := runChain(ctx, env, &f)
			if err != nil {
				return err
			}
			out, err := eksClient(res).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(sel.req.Cluster)})
			if err != nil {
				return describeError(sel.req.Cluster, res.Region, res.Final.ARN, err)
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
				ClusterARN: aws.ToString(c.Arn),
				Context:    alias,
				Server:     aws.ToString(c.Endpoint),
				CAData:     ca,
				Command:    "kubectl-eksxa",
				Args:       execArgs(f, sel.req.Profile, res.Region),
			}
			file := kubeconfig.Path(expandHome(env, path), expandHomeList(env, env.Getenv("KUBECONFIG")), homeDir(env))
			old, err := kubeconfig.Read(file)
			if err != nil {
				return fmt.Errorf("reading %s: %w", file, err)
			}
			merged, err := kubeconfig.Merge(old, entry)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			if dryRun {
				warnKubectl(env, gate)
				_, err := env.Stdout.Write(merged)
				return err
			}
			if err := kubeconfig.Write(file, merged); err != nil {
				return err
			}
			name := firstNonEmpty(alias, entry.ClusterARN)
			if _, err = fmt.Fprintf(env.Stdout, "Context %s (user kubectl-eksxa as %s) written to %s and made current.\n", name, res.Final.ARN, file); err != nil {
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
	fs := cmd.Flags()
	fs.StringVar(&path, "kubeconfig", "", "The kubeconfig file to write (default: first file of KUBECONFIG, else ~/.kube/config).")
	fs.StringVar(&alias, "alias", "", "Name the context this instead of the cluster ARN.")
	fs.BoolVar(&dryRun, "dry-run", false, "Print the resulting kubeconfig instead of writing it.")
	fs.BoolVar(&allowKuberc, "allow-in-kuberc", false, "Add kubectl-eksxa to credentialPluginAllowlist in kubectl's kuberc if its policy would stop kubectl running it.")
	return cmd
}

// runChain resolves the flags and runs the chain for a command that a
// person runs at a terminal (MFA prompts allowed).
// f is normalised in place (a cluster ARN becomes NAME + --region), so
// that what the caller writes from f (the kubeconfig's exec args) names
// the cluster as the token's cache key does.
func runChain(ctx context.Context, env Env, f *chainFlags) (selection, broker.Result, error) {
	sel, err := f.resolve(env)
	if err != nil {
		return selection{}, broker.Result{}, err
	}
	res, err := newBroker(env, sel, stdinPrompt(env)).Chain(ctx, sel.req)
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
