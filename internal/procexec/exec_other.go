//go:build !unix

package procexec

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
)

// Replace runs path with argv (argv[0] is the name the command sees) and
// env ("KEY=value") as a child sharing the standard streams, waits for it
// and returns its exit code. Ctrl-C reaches the child from the console; this
// process ignores it meanwhile so that it outlives the child and reports its
// code.
func Replace(path string, argv, env []string) (int, error) {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signal.Ignore(os.Interrupt)
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}
