package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/awscreds"
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/sso"
)

// envNested marks a process started (through an AWS SDK's own
// credential_process) by a running credential-process: a profile whose
// credential_process runs kubectl-eksxa credential-process, used as that
// same command's base, would otherwise start processes without end.
const envNested = "EKSXA_CREDENTIAL_PROCESS"

func newCredentialProcessCommand(env Env) *cobra.Command {
	f := chainFlags{ignoreEnvProfile: true}
	cmd := &cobra.Command{
		Use:   "credential-process [--profile NAME] [--role-arn SPEC]... [chain flags]",
		Short: "Print the chain's final session as AWS credential_process JSON",
		Long: `Print the chain's final session as one AWS credential_process JSON document
({"Version":1,"AccessKeyId":...,"SecretAccessKey":...,"SessionToken":...,"Expiration":...})
on stdout, for the aws CLI, Terraform and every AWS SDK.

The session comes from the same cache, locks and MFA session as token, and is
never handed out with less than 20 minutes to live, so the tools never see
credentials inside their own refresh windows. It never prompts: when a hop
needs an MFA code or a sign-in it fails at once, naming the
` + "`kubectl eksxa login`" + ` command to run.

AWS_PROFILE is ignored: it names the profile that runs this command. Give the
base profile with --profile.`,
		Example: `  # ~/.aws/config
  [profile tf]
  credential_process = kubectl-eksxa credential-process --profile identity --role-arn arn:aws:iam::333333333333:role/terraform
  region = eu-west-1

  # then, with MFA asked once by: kubectl eksxa login --profile identity --role-arn ...
  AWS_PROFILE=tf terraform plan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if env.Getenv(envNested) != "" {
				return errors.New("credential-process is running itself: the base profile's credential_process runs kubectl-eksxa credential-process again; give --profile a profile with credentials of its own")
			}
			setenv(env, envNested, "1")
			// The SDK reads these itself; they name the profile that runs
			// us, never our base (see Long).
			unsetenv(env, "AWS_PROFILE")
			unsetenv(env, "AWS_DEFAULT_PROFILE")
			sel, err := f.resolveChain(env)
			if err != nil {
				return err
			}
			b := newBroker(env, sel, nil)
			// Even at a terminal: the aws CLI and the SDKs run it with
			// stdin and stdout as pipes.
			b.NoPrompt = "credential-process never prompts (the aws CLI and SDKs give it no terminal)"
			res, err := b.Credentials(cmd.Context(), sel.req, broker.MinCredentialLife)
			if err != nil {
				return withLoginCommand(err, f)
			}
			return awscreds.WriteProcess(env.Stdout, res.Final.Credentials)
		},
	}
	f.registerChain(cmd)
	return cmd
}

// withLoginCommand adds the exact login command line to an error that asks
// for `kubectl eksxa login`, for commands whose flags the user did not type
// (credential-process runs from ~/.aws/config).
func withLoginCommand(err error, f chainFlags) error {
	if !errors.Is(err, chain.ErrMFARequired) && !errors.Is(err, sso.ErrSignInRequired) {
		return err
	}
	return fmt.Errorf("%w\nrun: %s", err, loginCommand(f))
}

// loginCommand is `kubectl eksxa login` with the chain flags f selects.
func loginCommand(f chainFlags) string {
	args := []string{"kubectl", "eksxa", "login"}
	add := func(flag, v string) {
		if v != "" {
			args = append(args, flag, shellQuote(v))
		}
	}
	add("--cluster-name", f.cluster)
	add("--region", f.region)
	add("--profile", f.profile)
	for _, h := range f.roleARNs {
		add("--role-arn", h)
	}
	add("--session-name", f.sessionName)
	// login --cache none would cache nothing, and this command would then
	// find nothing either: the hint leaves it out, so login caches where
	// the default (or EKSXA_CACHE) says. Other modes are kept.
	if f.cache != cache.ModeNone {
		add("--cache", f.cache)
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && !strings.ContainsRune("-_=,.:/@+%", r)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func setenv(env Env, k, v string) {
	if env.Setenv != nil {
		_ = env.Setenv(k, v)
	}
}

func unsetenv(env Env, k string) {
	if env.Unsetenv != nil {
		_ = env.Unsetenv(k)
	}
}
