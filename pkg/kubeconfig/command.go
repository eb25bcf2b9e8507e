package kubeconfig

import (
	"fmt"
	"os"
	"path/filepath"
)

// CommandError says kubectl will not run the binary that wrote the exec
// entry: the command is not found on PATH, or PATH finds another binary.
type CommandError struct {
	Command string
	// Found is what PATH resolves the command to; "" when nothing.
	Found string
	// Self is the binary running now.
	Self string
}

func (e *CommandError) Error() string {
	if e.Found == "" && filepath.IsAbs(e.Command) {
		return fmt.Sprintf("%s is not an executable file, so kubectl will fail to run it: give --exec-command the path of this binary (%s)", e.Command, e.Self)
	}
	if e.Found == "" {
		return fmt.Sprintf("%s is not on PATH, so kubectl will fail with \"executable %s not found\": put %s on PATH, or write an absolute command with --exec-command %s",
			e.Command, e.Command, filepath.Dir(e.Self), e.Self)
	}
	return fmt.Sprintf("%s on PATH is %s, not this binary (%s): kubectl will run that one. Put this binary first on PATH, or write an absolute command with --exec-command %s",
		e.Command, e.Found, e.Self, e.Self)
}

// CheckCommand says whether kubectl, running command the way it does (an
// absolute path as is, a bare name through PATH), will run the binary self
// (os.Executable of the running process). lookPath is exec.LookPath or a
// stand-in. It returns nil when it will, or when self is unknown, and
// *CommandError otherwise. Symlinks on either side are followed, so a
// krew shim or a Homebrew link to the same file passes.
func CheckCommand(command, self string, lookPath func(string) (string, error)) error {
	if self == "" {
		return nil
	}
	found, err := lookPath(command)
	if err != nil {
		return &CommandError{Command: command, Self: self}
	}
	if !sameFile(found, self) {
		return &CommandError{Command: command, Found: found, Self: self}
	}
	return nil
}

func sameFile(a, b string) bool {
	if ra, err := filepath.EvalSymlinks(a); err == nil {
		a = ra
	}
	if rb, err := filepath.EvalSymlinks(b); err == nil {
		b = rb
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return os.SameFile(fa, fb)
}
