package cli

import (
	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

func newTokenCommand(env Env) *cobra.Command {
	var f chainFlags
	cmd := &cobra.Command{
		Use:   "token --cluster-name NAME [--region REGION] [--profile NAME] [--role-arn SPEC]...",
		Short: "Print an ExecCredential for kubectl (the exec credential plugin)",
		Long: `Print one ExecCredential JSON document on stdout with a token for the cluster,
as kubectl expects from an exec credential plugin. Nothing else is written to
stdout; messages go to stderr.

A cached token with more than a minute to live is printed at once; otherwise
the chain runs (reusing cached hop sessions) and the new token is cached.`,
		Example: `  # In a kubeconfig user entry:
  exec:
    apiVersion: client.authentication.k8s.io/v1
    command: kubectl-eksxa
    args: [token, --cluster-name, prod, --region, eu-west-1,
           --role-arn, "arn:aws:iam::222222222222:role/eks-admin"]
    interactiveMode: IfAvailable`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, err := token.ParseExecInfo(env.Getenv("KUBERNETES_EXEC_INFO"))
			if err != nil {
				return err
			}
			sel, err := f.resolve(env)
			if err != nil {
				return err
			}
			var prompt func(string) (string, error)
			if info.Interactive {
				prompt = stdinPrompt(env)
			}
			tok, err := newBroker(env, sel, prompt).Token(cmd.Context(), sel.req)
			if err != nil {
				return err
			}
			return token.WriteExecCredential(env.Stdout, info.APIVersion, tok)
		},
	}
	f.register(cmd)
	return cmd
}
