package kubeconfig_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
)

// A fleet write: many entries, one lock, one atomic write. A conflict in
// any entry stops the whole write and leaves the file as it was.
func ExampleUpdate() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config")
	entries := []kubeconfig.Entry{
		{ClusterARN: "arn:aws:eks:eu-west-1:222222222222:cluster/a", Context: "a", Server: "https://a.example", Command: kubeconfig.Command,
			Args: []string{"token", "--cluster-name", "a", "--region", "eu-west-1"}},
		{ClusterARN: "arn:aws:eks:us-east-1:333333333333:cluster/b", Context: "b", Server: "https://b.example", Command: kubeconfig.Command,
			Args: []string{"token", "--cluster-name", "b", "--region", "us-east-1"}},
	}
	res, err := kubeconfig.Update(context.Background(), path, kubeconfig.UpdateOptions{}, func(cfg *clientcmdapi.Config) error {
		for _, e := range entries {
			if err := kubeconfig.Apply(cfg, e, kubeconfig.ApplyOptions{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(res.Config.Contexts), "contexts written")
	// Output: 2 contexts written
}
