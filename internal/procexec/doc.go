// Package procexec runs the command of `kubectl eksxa exec` in the way the
// platform allows: on Unix the process becomes the command (execve), so the
// command's exit status and every signal sent to the process (Ctrl-C from
// the terminal, SIGTERM from a supervisor) are the command's own, with no
// second copy forwarded; on Windows it runs the command as a child with the
// same console, which delivers Ctrl-C to both, and returns its exit code.
package procexec
