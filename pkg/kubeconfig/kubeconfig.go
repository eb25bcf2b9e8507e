// Package kubeconfig writes kubectl-eksxa's cluster, user and context into
// a kubeconfig file the way `aws eks update-kubeconfig` does: entries named
// by the cluster ARN, other entries kept, current-context set, and the user
// an exec entry that runs kubectl-eksxa. It uses client-go's clientcmd to
// read and write the file.
package kubeconfig

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ExecAPIVersion is the ExecCredential version the exec entry asks for.
const ExecAPIVersion = "client.authentication.k8s.io/v1"

// Entry is one cluster as kubectl-eksxa writes it.
type Entry struct {
	// ClusterARN names the cluster and user entries.
	ClusterARN string
	// Context names the context; ClusterARN when empty.
	Context string
	Server  string
	CAData  []byte
	// Command and Args run kubectl-eksxa token for this cluster's chain.
	Command string
	Args    []string
	// Env is set for the exec command (EKSXA_CACHE, AWS_PROFILE, ...).
	Env map[string]string
}

// Merge returns existing (a kubeconfig's bytes; empty for a new file) with
// e's cluster, user and context added or replaced and current-context set
// to e's context. Everything else in existing is kept.
func Merge(existing []byte, e Entry) ([]byte, error) {
	if e.ClusterARN == "" || e.Server == "" || e.Command == "" {
		return nil, errors.New("kubeconfig entry needs a cluster ARN, a server and a command")
	}
	cfg := clientcmdapi.NewConfig()
	if len(existing) > 0 {
		var err error
		if cfg, err = clientcmd.Load(existing); err != nil {
			return nil, fmt.Errorf("reading the existing kubeconfig: %w", err)
		}
	}
	name := e.Context
	if name == "" {
		name = e.ClusterARN
	}
	cluster := clientcmdapi.NewCluster()
	cluster.Server = e.Server
	cluster.CertificateAuthorityData = e.CAData
	cfg.Clusters[e.ClusterARN] = cluster

	user := clientcmdapi.NewAuthInfo()
	user.Exec = &clientcmdapi.ExecConfig{
		APIVersion:      ExecAPIVersion,
		Command:         e.Command,
		Args:            append([]string(nil), e.Args...),
		InteractiveMode: clientcmdapi.IfAvailableExecInteractiveMode,
	}
	for _, k := range slices.Sorted(maps.Keys(e.Env)) {
		user.Exec.Env = append(user.Exec.Env, clientcmdapi.ExecEnvVar{Name: k, Value: e.Env[k]})
	}
	cfg.AuthInfos[e.ClusterARN] = user

	ctx := clientcmdapi.NewContext()
	if old, ok := cfg.Contexts[name]; ok {
		ctx.Namespace = old.Namespace // keep the user's chosen namespace
	}
	ctx.Cluster = e.ClusterARN
	ctx.AuthInfo = e.ClusterARN
	cfg.Contexts[name] = ctx
	cfg.CurrentContext = name

	out, err := clientcmd.Write(*cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding the kubeconfig: %w", err)
	}
	return out, nil
}

// Path picks the file to write: the flag, else the first file of
// KUBECONFIG (as kubectl does for writes), else ~/.kube/config.
func Path(flag, kubeconfigEnv, home string) string {
	if flag != "" {
		return flag
	}
	for _, p := range filepath.SplitList(kubeconfigEnv) {
		if p != "" {
			return p
		}
	}
	return filepath.Join(home, ".kube", "config")
}

// Read returns the file's bytes, or nil when it does not exist yet.
func Read(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Write replaces path with data atomically (a temp file in the same folder,
// synced, then renamed over it), keeping the old file's mode; a new file is
// 0600 in a 0700 folder. A symlinked path is written through to its target.
func Write(path string, data []byte) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".kubeconfig-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
