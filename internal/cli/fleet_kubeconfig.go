package cli

import (
	"fmt"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
)

// kubeconfigConfig is a parsed kubeconfig file.
type kubeconfigConfig = clientcmdapi.Config

// loadKubeconfig reads and parses path; a missing file is an empty config.
func loadKubeconfig(path string) (*kubeconfigConfig, error) {
	b, err := kubeconfig.Read(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) == 0 {
		return clientcmdapi.NewConfig(), nil
	}
	cfg, err := clientcmd.Load(b)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return cfg, nil
}

// updateKubeconfig reads path, lets mutate change it, and when mutate says
// so writes the result back in one atomic replace. A mutate error leaves
// the file as it was.
func updateKubeconfig(path string, mutate func(*kubeconfigConfig) (write bool, err error)) error {
	cfg, err := loadKubeconfig(path)
	if err != nil {
		return err
	}
	write, err := mutate(cfg)
	if err != nil || !write {
		return err
	}
	b, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return kubeconfig.Write(path, b)
}
