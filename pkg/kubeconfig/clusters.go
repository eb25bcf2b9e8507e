package kubeconfig

import (
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
)

// ExecCluster is a cluster an exec entry gets tokens for.
type ExecCluster struct {
	Cluster string // the --cluster-name argument: a name or a cluster ARN
	Region  string // the --region argument, if any
	Command string // the exec command, as written
}

// ExecClusters lists the clusters that data's (a kubeconfig's) exec users
// run command for: the --cluster-name and --region of each user whose exec
// command is command (by base name, with or without ".exe"), sorted, without
// duplicates. Data that is not a kubeconfig lists nothing.
func ExecClusters(data []byte, command string) []ExecCluster {
	cfg, err := clientcmd.Load(data)
	if err != nil {
		return nil
	}
	var out []ExecCluster
	for _, user := range cfg.AuthInfos {
		if user == nil || user.Exec == nil || strings.TrimSuffix(filepath.Base(user.Exec.Command), ".exe") != command {
			continue
		}
		c := ExecCluster{Cluster: flagValue(user.Exec.Args, "--cluster-name"), Region: flagValue(user.Exec.Args, "--region"), Command: user.Exec.Command}
		if c.Cluster != "" {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b ExecCluster) int {
		if c := strings.Compare(a.Cluster, b.Cluster); c != 0 {
			return c
		}
		if c := strings.Compare(a.Region, b.Region); c != 0 {
			return c
		}
		return strings.Compare(a.Command, b.Command)
	})
	return slices.Compact(out)
}

// flagValue is the value of --name in args, as "--name V" or "--name=V".
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}
