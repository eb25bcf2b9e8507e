package cli

import (
	"fmt"

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
stdout; messages go to stderr.`,
		Example: `  # In a kubeconfig user entry:
  exec:
    apiVersion: client.authentication.k8s.io/v1
    command: kubectl-eksxa
    args: [token, --cluster-name, prod, --region, eu-west-1]
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
			ctx := cmd.Context()
			cfg, err := loadAWS(ctx, sel)
			if err != nil {
				return err
			}
			creds, err := baseCredentials(ctx, cfg, sel.profile)
			if err != nil {
				return err
			}
			tok, err := token.New(ctx, token.Input{Credentials: creds, Cluster: sel.cluster, Region: cfg.Region, Now: env.Now()})
			if err != nil {
				return fmt.Errorf("making the token: %w", err)
			}
			return token.WriteExecCredential(env.Stdout, info.APIVersion, tok)
		},
	}
	f.register(cmd)
	return cmd
}
