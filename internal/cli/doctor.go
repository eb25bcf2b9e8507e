package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/access"
	"github.com/eksxa/kubectl-eksxa/pkg/token"

	"github.com/eksxa/kubectl-eksxa/pkg/quote"
)

func newDoctorCommand(env Env) *cobra.Command {
	var (
		f           chainFlags
		output      string
		live        bool
		allowKuberc bool
	)
	cmd := &cobra.Command{
		Use:   "doctor --cluster-name NAME [chain flags] [-o text|json]",
		Short: "Say which IAM principal the cluster sees, whether it gets in, and the fix",
		Long: `Walk the chain and say, hop by hop, who you are; then the IAM principal the
cluster maps at the end of the chain, the cluster's authentication mode, whether
an access entry lets that principal in, and if not, the fix: Terraform, the aws
CLI, or the aws-auth ConfigMap entry. With --live (the default) it also sends a
token to the cluster endpoint: 401 means the cluster refuses the principal.
Then what stands between kubectl and the plugin: whether the kubeconfig's exec
command is on PATH, and whether kubectl's kuberc credential plugin policy
(kubectl 1.35+) lets it run; --allow-in-kuberc adds the allowlist item.

Exit code: 0 the principal gets in; 1 it does not, or it cannot be told;
2 bad usage.`,
		Example: `  kubectl eksxa doctor --cluster-name prod --region eu-west-1 --role-arn arn:aws:iam::222222222222:role/eks-admin`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return usagef("-o: unknown output format %s (want text or json)", quote.Q(output))
			}
			ctx := cmd.Context()
			gate, err := checkKubectl(env, execCommandFor(env, f.cluster), allowKuberc)
			if err != nil {
				return err
			}
			sel, res, err := runChain(ctx, env, &f)
			if err != nil {
				warnKubectl(env, gate)
				return err
			}
			// The broker has asked STS about a cached final session (and
			// assumed it again when refused); a fresh one is asked here.
			reportDropped(env.Stderr, res)
			caller := res.Identity
			if caller == "" {
				if caller, err = res.Resolved.CallerIdentity(ctx, res.Final.Credentials); err != nil {
					return refusedSessionError(sel.req, res, err)
				}
			}
			hints := access.Hints{SSORegion: res.Resolved.SSORegion}
			for _, h := range res.Resolved.Hops {
				hints.RoleARNs = append(hints.RoleARNs, h.RoleARN)
			}
			report, err := access.DiagnoseWith(ctx, eksClient(res), sel.req.Cluster, res.Region, caller, hints)
			if err != nil {
				return err
			}
			if live && report.Endpoint != "" {
				tok, err := token.New(ctx, token.Input{Credentials: res.Final.Credentials, Cluster: sel.req.Cluster, Region: res.Region, Now: env.Now()})
				if err == nil {
					report.AddLiveCheck(access.LiveCheck(ctx, nil, report.Endpoint, report.CAData, tok.Value))
				}
			}
			if err := gate.apply(env.Stderr); err != nil {
				return err
			}
			if output == "json" {
				err = writeDoctorJSON(env.Stdout, res, caller, report, gate)
			} else {
				err = writeDoctorText(env.Stdout, res, caller, report, gate)
			}
			if err != nil {
				return err
			}
			if code := report.ExitCode(); code != 0 {
				return &exitError{code}
			}
			if len(gate.problems()) > 0 {
				return &exitError{exitFailure}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "Output format: text or json.")
	cmd.Flags().BoolVar(&live, "live", true, "Also send a token to the cluster endpoint (GET /version) to confirm the diagnosis.")
	cmd.Flags().BoolVar(&allowKuberc, "allow-in-kuberc", false, "Add kubectl-eksxa to credentialPluginAllowlist in kubectl's kuberc if its policy would stop kubectl running it.")
	return cmd
}

// refusedSessionError explains an STS refusal of the chain's final session.
func refusedSessionError(r broker.Request, res broker.Result, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ExpiredToken", "InvalidClientTokenId", "AccessDenied", "UnrecognizedClientException":
			if len(res.Hops) == 0 {
				return fmt.Errorf("STS refuses the base credentials (%s): they are expired, revoked or mistyped; refresh them (aws sso login, new access keys, the environment)", api.ErrorCode())
			}
			return fmt.Errorf("STS refuses the session it has just issued for the final hop (%s): the credentials that signed the chain may have been revoked; "+
				"refresh the base credentials (aws sso login, new access keys), then run `kubectl eksxa login --cluster-name %s` with the same flags",
				api.ErrorCode(), r.Cluster)
		}
	}
	return fmt.Errorf("asking STS who the final session is: %w", err)
}

// doctorHop is one hop as doctor reports it.
type doctorHop struct {
	RoleARN  string `json:"roleArn"`
	Identity string `json:"identity,omitempty"`
	Cached   bool   `json:"cached"`
}

func doctorHops(res broker.Result) []doctorHop {
	hops := make([]doctorHop, len(res.Hops))
	for i, h := range res.Hops {
		hops[i] = doctorHop{RoleARN: h.Hop.RoleARN, Identity: h.ARN, Cached: h.Cached}
	}
	return hops
}

func writeDoctorText(w io.Writer, res broker.Result, caller string, report access.Report, gate kubectlGate) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHAIN\tROLE\tIDENTITY")
	for i, h := range doctorHops(res) {
		id := h.Identity
		switch {
		case id == "":
			id = "(not needed: a later hop's session is cached)"
		case h.Cached:
			id += " (cached)"
		}
		fmt.Fprintf(tw, "hop %d/%d\t%s\t%s\n", i+1, len(res.Hops), h.RoleARN, id)
	}
	fmt.Fprintf(tw, "final\t\t%s\n", caller)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := report.WriteText(w); err != nil {
		return err
	}
	return writeKubectlText(w, gate)
}

// writeKubectlText is doctor's kubectl part: the exec command, where PATH
// finds it, the kuberc's verdict, and each problem with its fix.
func writeKubectlText(w io.Writer, g kubectlGate) error {
	where := g.Path
	if where == "" {
		where = "not on PATH"
	}
	kuberc := "none"
	switch {
	case g.Kuberc != "" && g.Added:
		kuberc = g.Kuberc + " (kubectl-eksxa added to credentialPluginAllowlist)"
	case g.Kuberc != "" && g.Blocked != "":
		kuberc = g.Kuberc + " (its credential plugin policy stops kubectl 1.35+ running it)"
	case g.Kuberc != "":
		kuberc = g.Kuberc + " (lets kubectl run it)"
	}
	_, err := fmt.Fprintf(w, "\nkubectl:\n  Exec command:  %s (%s)\n  kuberc:        %s\n", g.Command, where, kuberc)
	for _, p := range g.problems() {
		if err == nil {
			_, err = fmt.Fprintf(w, "Problem: %s\n", p)
		}
	}
	return err
}

func writeDoctorJSON(w io.Writer, res broker.Result, caller string, report access.Report, gate kubectlGate) error {
	var diag bytes.Buffer
	if err := report.WriteJSON(&diag); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Hops      []doctorHop     `json:"hops"`
		Identity  string          `json:"identity"`
		Diagnosis json.RawMessage `json:"diagnosis"`
		Kubectl   kubectlGate     `json:"kubectl"`
		Problems  []string        `json:"kubectlProblems,omitempty"`
	}{doctorHops(res), caller, diag.Bytes(), gate, gate.problems()})
}
