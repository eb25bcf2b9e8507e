package cli

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/awscreds"
)

// Exit codes of exec when the command cannot be run, as env(1), nohup and
// shells use them.
const (
	exitCannotRun = 126
	exitNotFound  = 127
)

func newExecCommand(env Env) *cobra.Command {
	var f chainFlags
	cmd := &cobra.Command{
		Use:   "exec [chain flags] -- COMMAND [ARGS...]",
		Short: "Run a command with the chain's final session in its environment",
		Long: `Run COMMAND with the chain's final session in AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, its region in AWS_REGION and
AWS_DEFAULT_REGION, and its expiry in AWS_CREDENTIAL_EXPIRATION (RFC 3339).

The session comes from the same cache as token and credential-process and
has at least 20 minutes to live; an MFA code is asked on the terminal when a
hop needs one. Variables that would make COMMAND resolve credentials of its
own are removed: AWS_PROFILE, AWS_DEFAULT_PROFILE, web identity and
container credentials, and older spellings of the keys. AWS_CONFIG_FILE is
kept, for the settings it holds.

On Linux and macOS kubectl-eksxa becomes COMMAND (exec), so its exit code and
signals (Ctrl-C, SIGTERM) are COMMAND's own. A command that is not found
exits 127, one that cannot be run 126. The environment's session does not
renew: for runs longer than the session, use a credential_process profile.`,
		Example: `  kubectl eksxa exec --profile identity --role-arn arn:aws:iam::333333333333:role/terraform -- terraform plan
  kubectl eksxa exec --role-arn arn:aws:iam::222222222222:role/eks-admin -- aws sts get-caller-identity`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("exec needs a command to run: kubectl eksxa exec [chain flags] -- COMMAND [ARGS...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			sel, err := f.resolveChain(env)
			if err != nil {
				return err
			}
			if env.Exec == nil {
				return errors.New("exec is not available in this build")
			}
			path, err := exec.LookPath(args[0])
			if err != nil {
				fmt.Fprintf(env.Stderr, "error: %s: %v\n", args[0], lookPathReason(err))
				return &exitError{code: exitNotFound}
			}
			res, err := newBroker(env, sel, execPrompt(env)).Credentials(cmd.Context(), sel.req, broker.MinCredentialLife)
			if err != nil {
				return err
			}
			var parent []string
			if env.Environ != nil {
				parent = env.Environ()
			}
			code, err := env.Exec(path, args, awscreds.Environ(parent, res.Final.Credentials, res.Region))
			if err != nil {
				fmt.Fprintf(env.Stderr, "error: running %s: %v\n", args[0], err)
				return &exitError{code: exitCannotRun}
			}
			if code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	// Flags stop at COMMAND, so `exec --profile p terraform plan -out x`
	// works without "--" too.
	cmd.Flags().SetInterspersed(false)
	f.registerChain(cmd)
	f.registerSignIn(cmd)
	return cmd
}

// lookPathReason says why a command was not found, without repeating its
// name (exec.Error carries it already).
func lookPathReason(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// execPrompt asks on stderr and reads one line from stdin a byte at a
// time: stdin then passes to the command, which must find every byte after
// the answer (a buffered reader would swallow them).
func execPrompt(env Env) func(string) (string, error) {
	return func(prompt string) (string, error) {
		fmt.Fprint(env.Stderr, prompt)
		var line []byte
		b := make([]byte, 1)
		for {
			n, err := env.Stdin.Read(b)
			if n == 1 {
				if b[0] == '\n' {
					break
				}
				line = append(line, b[0])
				continue
			}
			if err != nil {
				if len(line) > 0 {
					break
				}
				return "", fmt.Errorf("reading the answer from stdin: %w", err)
			}
		}
		return strings.TrimSpace(string(line)), nil
	}
}
