//go:build unix

package procexec

import "syscall"

// Replace replaces the process with path run with argv (argv[0] is the
// name the command sees) and env ("KEY=value"). It returns only on
// failure; the exit code is then meaningless.
func Replace(path string, argv, env []string) (int, error) {
	return 0, syscall.Exec(path, argv, env) //nolint:gosec // G204: running the user's command is exec's job
}
