package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/nodes"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// exitOutdated is nodes --fail-outdated's exit code when a managed node
// group is behind the latest release.
const exitOutdated = 3

func newNodesCommand(env Env) *cobra.Command {
	var (
		f            chainFlags
		output       string
		failOutdated bool
	)
	cmd := &cobra.Command{
		Use:   "nodes --cluster-name NAME [chain flags] [-o table|json] [--fail-outdated]",
		Short: "Show what runs the cluster's pods and which node groups are behind the latest AMI",
		Long: `Through the chain, show the cluster's compute: the control plane version and its
support status, Auto Mode and its node pools, each managed node group's AMI
release against the latest recommended one (from AWS's public SSM parameters),
Fargate profiles, and the nodes from the cluster's API, classified as managed,
Auto Mode, Fargate, hybrid or self-managed, with kubelet version skew.

For a node group that is behind it prints the fix: the release_version line
for Terraform's aws_eks_node_group and the aws eks update-nodegroup-version
command. A part that cannot be read (a refused EKS or SSM call, a node list
the cluster refuses) says "unknown" and what to grant; the rest is still shown.

Exit code: 0 the report was printed; 1 failure; 2 bad usage. With
--fail-outdated: 3 when a node group is behind, 1 when that cannot be told
(a refused or failed call).`,
		Example: `  kubectl eksxa nodes --cluster-name prod --region eu-west-1 --role-arn arn:aws:iam::222222222222:role/eks-admin
  kubectl eksxa nodes --cluster-name prod -o json --fail-outdated   # in CI`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return usagef("-o: unknown output format %q (want table or json)", output)
			}
			ctx := cmd.Context()
			sel, res, err := runChain(ctx, env, &f)
			if err != nil {
				return err
			}
			report, err := nodes.Gather(ctx, nodesInput(ctx, env, sel, res))
			if err != nil {
				return err
			}
			if output == "json" {
				err = report.WriteJSON(env.Stdout)
			} else {
				err = report.WriteTable(env.Stdout)
			}
			if err != nil || !failOutdated {
				return err
			}
			behind, undetermined := report.Outdated()
			switch {
			case behind > 0:
				return &exitError{exitOutdated}
			case undetermined > 0:
				fmt.Fprintf(env.Stderr, "error: --fail-outdated: cannot tell whether %d node group(s) are behind: see \"unknown\" in the report for what to grant\n", undetermined)
				return &exitError{exitFailure}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "Output format: table or json.")
	cmd.Flags().BoolVar(&failOutdated, "fail-outdated", false, "Exit 3 when a managed node group is behind the latest release (for CI); 1 when that cannot be told.")
	return cmd
}

// nodesInput wires the report's sources: EKS and SSM clients signing with
// the chain's final session, and the cluster's API with a token minted
// from it. The principal (for messages and the account in grants) is the
// last hop's ARN, or STS's answer for a chain without hops.
func nodesInput(ctx context.Context, env Env, sel selection, res broker.Result) nodes.Input {
	cfg := res.Resolved.AWS.Copy()
	cfg.Credentials = staticProvider(res.Final.Credentials)
	partition := "aws"
	if p, err := token.PartitionOf(res.Region); err == nil {
		partition = p.ID
	}
	return nodes.Input{
		Cluster:   sel.req.Cluster,
		Region:    res.Region,
		Partition: partition,
		Principal: whoAmI(ctx, sel.req, res),
		EKS:       eksClient(res),
		SSM:       ssm.NewFromConfig(cfg),
		ListNodes: func(ctx context.Context, endpoint string, caPEM []byte) ([]nodes.Node, error) {
			tok, err := token.New(ctx, token.Input{Credentials: res.Final.Credentials, Cluster: sel.req.Cluster, Region: res.Region, Now: env.Now()})
			if err != nil {
				return nil, err
			}
			return nodes.ListNodes(ctx, nil, endpoint, caPEM, tok.Value)
		},
	}
}
