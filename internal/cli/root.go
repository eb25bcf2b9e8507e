// Package cli maps kubectl-eksxa's command line and environment to the use
// cases in pkg/, and prints their results. It is the only package that reads
// flags, environment variables, stdin or the clock.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/spf13/cobra"
)

// Env is everything the process gives the CLI: arguments, standard streams,
// the environment and the clock. main passes the real ones, tests fakes.
type Env struct {
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Setenv and Unsetenv change the process environment, which the AWS
	// SDK and child processes read; nil in tests that need neither.
	Setenv func(key, value string) error
	// Environ lists the process environment as KEY=value, for exec's
	// child; nil means empty.
	Environ func() []string
	// Exec runs exec's command: path, argv (argv[0] the command's name)
	// and its environment; it returns the command's exit code, or an
	// error when it could not be run (see package procexec). On Unix it
	// does not return on success. nil: exec is unavailable.
	Exec     func(path string, argv, env []string) (int, error)
	Unsetenv func(key string) error
	Now      func() time.Time
	Version  string
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks an error in how the command was called (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// exitError carries an exit code other than 1 for a failure that has already
// been reported (doctor's "the principal does not get in").
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Run executes one kubectl-eksxa command and returns the process exit code.
// A panic (a bug) becomes a one-line error and exit code 1 rather than a
// stack dump on kubectl's terminal.
func Run(ctx context.Context, env Env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			// Only a runtime error's own text, which holds no data, is
			// shown: any other panic value could carry a secret.
			what := fmt.Sprintf("%T", r)
			if re, ok := r.(runtime.Error); ok {
				what = re.Error()
			}
			fmt.Fprintf(env.Stderr, "error: internal error in kubectl-eksxa (please report it): %s\n", what)
			code = exitFailure
		}
	}()
	root := newRootCommand(env)
	root.SetArgs(env.Args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(env.Stderr, "error: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsageError(err) {
		if cmd, _, ferr := root.Find(env.Args); ferr == nil && cmd != nil {
			fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return exitUsage
	}
	return exitFailure
}

func newRootCommand(env Env) *cobra.Command {
	root := &cobra.Command{
		Use: "kubectl-eksxa",
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl eksxa",
		},
		Short: "EKS credentials across AWS accounts, cached, for kubectl",
		Long: `kubectl eksxa gets kubectl a token for an Amazon EKS cluster through a chain of
STS AssumeRole hops across accounts, and caches tokens and sessions in the OS
keyring so that a warm call takes milliseconds.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error()} })
	root.AddCommand(
		newTokenCommand(env),
		newLoginCommand(env),
		newLogoutCommand(env),
		newStatusCommand(env),
		newKubeconfigCommand(env),
		newDoctorCommand(env),
		newNodesCommand(env),
		newCredentialProcessCommand(env),
		newExecCommand(env),
		newVersionCommand(env),
	)
	registerCompletions(env, root)
	return root
}

// isCobraUsageError recognises the errors cobra itself returns for a
// command line it cannot parse.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires ", "invalid argument"} {
		if len(msg) >= len(p) && msg[:len(p)] == p {
			return true
		}
	}
	return false
}

func newVersionCommand(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(env.Stdout, env.Version)
			return err
		},
	}
}
