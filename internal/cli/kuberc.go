package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
	"github.com/eksxa/kubectl-eksxa/pkg/kuberc"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// execCommand is the command kubeconfig writes into exec entries.
const execCommand = "kubectl-eksxa"

// kubectlGate is what stands between kubectl and the exec entry's command:
// whether PATH finds it, and whether the kuberc's credential plugin policy
// (kubectl 1.35+) lets kubectl run it.
type kubectlGate struct {
	Command string `json:"command"`
	Path    string `json:"path,omitempty"` // where PATH finds Command
	// PathProblem says why kubectl will not run this binary for Command
	// (CheckExecCommand): not on PATH, or PATH finds another one.
	PathProblem string `json:"pathProblem,omitempty"`
	Kuberc      string `json:"kuberc,omitempty"`
	// Blocked says why kubectl 1.35+ refuses to run Command; "" when the
	// kuberc lets it (or there is none).
	Blocked string `json:"blocked,omitempty"`
	// Entry is the credentialPluginAllowlist item that lets it.
	Entry string `json:"allowlistEntry,omitempty"`
	// Added is true once --allow-in-kuberc has added Entry.
	Added bool `json:"added,omitempty"`

	edited []byte // the kuberc with Entry added, for --allow-in-kuberc
}

// checkKubectl reads the kuberc kubectl would read and says whether it
// lets kubectl run command. With allow, it also prepares the kuberc with
// the allowlist entry added (written by apply), and fails now, before any
// other change, when that edit is not possible.
func checkKubectl(env Env, command string, allow bool) (kubectlGate, error) {
	g := kubectlGate{Command: command}
	look := lookPathIn(env)
	g.Path, _ = look(command) // "" says it is not on PATH
	if err := CheckExecCommand(command); err != nil {
		g.PathProblem = err.Error()
	}
	g.Kuberc = kuberc.Locate(env.Getenv("KUBERC"), env.Getenv("KUBECTL_KUBERC"), homeDir(env))
	if g.Kuberc == "" {
		return g, nil
	}
	data, err := os.ReadFile(g.Kuberc)
	if errors.Is(err, os.ErrNotExist) {
		g.Kuberc = ""
		return g, nil
	}
	if err != nil {
		return g, fmt.Errorf("reading kubectl's kuberc: %w", err)
	}
	policy, err := kuberc.Parse(data)
	if err != nil {
		// kubectl itself ignores a kuberc it cannot read (with a warning).
		fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: kuberc %s: %v; kubectl ignores it\n", g.Kuberc, err)
		return g, nil
	}
	if g.Blocked = policy.Blocked(command, look); g.Blocked == "" {
		return g, nil
	}
	g.Entry = policy.Entry(command, look)
	if allow {
		if g.edited, err = kuberc.AddEntry(data, g.Entry); err != nil {
			return g, fmt.Errorf("--allow-in-kuberc: %s: %w", g.Kuberc, err)
		}
	}
	return g, nil
}

// apply writes the kuberc prepared by checkKubectl(allow), atomically and
// with its mode kept, and says so on w.
func (g *kubectlGate) apply(w io.Writer) error {
	if g.edited == nil {
		return nil
	}
	if err := kuberc.Write(g.Kuberc, g.edited); err != nil {
		return fmt.Errorf("--allow-in-kuberc: %w", err)
	}
	g.Added, g.Blocked = true, ""
	_, err := fmt.Fprintf(w, "Added %q to credentialPluginAllowlist in %s.\n", g.Entry, g.Kuberc)
	return err
}

// problems says, one finding each, what stops kubectl running the
// command, and the fix.
func (g kubectlGate) problems() []string {
	var out []string
	if g.PathProblem != "" {
		out = append(out, g.PathProblem)
	}
	if p := g.kubercProblem(); p != "" {
		out = append(out, p)
	}
	return out
}

// kubercProblem says why the kuberc stops kubectl running the command, and
// the allowlist item to add; "" when it does not.
func (g kubectlGate) kubercProblem() string {
	var out string
	if g.Blocked != "" {
		key := strings.TrimSuffix(strings.SplitN(strings.TrimPrefix(g.Entry, "- "), ":", 2)[0], ":")
		spelling := ""
		if key == "command" {
			spelling = " (kubectl 1.35 spells the key name:)"
		}
		out = fmt.Sprintf("kubectl 1.35+ will not run %s: kuberc %s: %s. Add this item to credentialPluginAllowlist%s, or rerun with --allow-in-kuberc:\n    %s",
			g.Command, g.Kuberc, g.Blocked, spelling, g.Entry)
	}
	return out
}

// lookPathIn finds a command on the PATH of env, as exec.LookPath does on
// the process's PATH (kubectl runs the exec command with its own).
func lookPathIn(env Env) kuberc.LookPath {
	return func(file string) (string, error) {
		exts := []string{""}
		if runtime.GOOS == "windows" {
			exts = append([]string{""}, filepath.SplitList(firstNonEmpty(env.Getenv("PATHEXT"), ".COM;.EXE;.BAT;.CMD"))...)
		}
		dirs := filepath.SplitList(env.Getenv("PATH"))
		if strings.ContainsRune(file, filepath.Separator) || strings.ContainsRune(file, '/') {
			dirs = []string{""}
		}
		for _, dir := range dirs {
			if dir == "" && len(dirs) > 1 {
				continue // an empty PATH entry is not the working directory here
			}
			for _, ext := range exts {
				p := file + ext
				if dir != "" {
					p = filepath.Join(dir, p)
				}
				if fi, err := os.Stat(p); err == nil && !fi.IsDir() && (runtime.GOOS == "windows" || fi.Mode()&0o111 != 0) {
					return p, nil
				}
			}
		}
		return "", fmt.Errorf("%s: not found on PATH", file)
	}
}

// warnKubectl tells on stderr when the kuberc would stop kubectl running
// the entry just written.
func warnKubectl(env Env, g kubectlGate) {
	if p := g.kubercProblem(); p != "" {
		fmt.Fprintf(env.Stderr, "kubectl-eksxa: warning: %s\n", p)
	}
}

// execCommandFor is the command of the kubeconfig's exec entry for
// cluster, as kubectl will run it; kubectl-eksxa when there is none.
func execCommandFor(env Env, cluster string) string {
	for _, path := range kubeconfigFiles(env) {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, c := range kubeconfig.ExecClusters(data, execCommand) {
			if clusterName(c.Cluster) == clusterName(cluster) {
				return c.Command
			}
		}
	}
	return execCommand
}

// clusterName is the cluster's name, from a name or a cluster ARN.
func clusterName(s string) string {
	if token.IsARN(s) {
		if a, err := token.ParseClusterARN(s); err == nil {
			return a.Name
		}
	}
	return s
}
