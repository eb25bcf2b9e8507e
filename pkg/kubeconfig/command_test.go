//go:build unix

package kubeconfig

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	self := filepath.Join(dir, "bin", "kubectl-eksxa")
	other := filepath.Join(dir, "other", "kubectl-eksxa")
	link := filepath.Join(dir, "links", "kubectl-eksxa")
	for _, p := range []string{self, other} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, link); err != nil { // a krew-style link to the same file
		t.Fatal(err)
	}
	lookIn := func(path string) func(string) (string, error) {
		return func(cmd string) (string, error) {
			if filepath.IsAbs(cmd) {
				return exec.LookPath(cmd)
			}
			for _, d := range filepath.SplitList(path) {
				if p := filepath.Join(d, cmd); fileExecutable(p) {
					return p, nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	tests := []struct {
		name, command, path, want string
	}{
		{"found, this binary", "kubectl-eksxa", filepath.Dir(self), ""},
		{"found through a link", "kubectl-eksxa", filepath.Dir(link), ""},
		{"not on PATH", "kubectl-eksxa", "/nonexistent", "is not on PATH"},
		{"another binary first", "kubectl-eksxa", filepath.Dir(other) + ":" + filepath.Dir(self), "not this binary"},
		{"absolute, this binary", self, "", ""},
		{"absolute, missing", filepath.Join(dir, "nope"), "", "is not an executable file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCommand(tt.command, self, lookIn(tt.path))
			var ce *CommandError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v, want nil", err)
			case tt.want != "" && (!errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), self)):
				t.Errorf("err = %v, want a CommandError saying %q and offering --exec-command", err, tt.want)
			}
		})
	}
	if err := CheckCommand("kubectl-eksxa", "", lookIn("")); err != nil {
		t.Errorf("unknown self: %v, want nil", err)
	}
}

func fileExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
