// Command kubectl-eksxa is a kubectl plugin and client-go exec credential
// plugin for Amazon EKS: it chains STS AssumeRole across accounts, presigns
// the EKS token and caches tokens and sessions.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/cli"
	"github.com/eksxa/kubectl-eksxa/internal/procexec"
)

// version is stamped at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.Env{
		Args:     os.Args[1:],
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Getenv:   os.Getenv,
		Setenv:   os.Setenv,
		Environ:  os.Environ,
		Exec:     procexec.Replace,
		Unsetenv: os.Unsetenv,
		Now:      time.Now,
		Version:  version,
	})
	stop()
	os.Exit(code)
}
