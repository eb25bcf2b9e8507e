// Package kubeconfig writes kubectl-eksxa's cluster, user and context into
// a kubeconfig file as kubectl and `aws eks update-kubeconfig` do: the
// cluster named by its ARN, one exec user per chain (named after the
// context, or as asked), other entries kept, current-context set. Update is
// the one write path: kubectl's lock file held across read, change and
// write, symlinks written through, mode and owner kept, the write atomic
// where it can be. Loader errors and shown content never carry a
// credential (Load, Redact).
package kubeconfig

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ExecAPIVersion is the ExecCredential version the exec entry asks for.
const ExecAPIVersion = "client.authentication.k8s.io/v1"

// Command is the plugin's executable name, what an exec entry runs when no
// absolute path is asked for.
const Command = "kubectl-eksxa"

// Entry is one cluster as kubectl-eksxa writes it.
type Entry struct {
	// ClusterARN names the cluster entry.
	ClusterARN string
	// Context names the context; ClusterARN when empty.
	Context string
	// User names the user entry; the context's name when empty.
	User   string
	Server string
	CAData []byte
	// Command and Args run kubectl-eksxa token for this cluster's chain.
	Command string
	Args    []string
	// Env is set for the exec command (EKSXA_CACHE, AWS_PROFILE, ...).
	Env map[string]string
	// InstallHint is what kubectl prints when Command is not found.
	InstallHint string
}

// ContextName is the context's name: Context, else the cluster ARN.
func (e Entry) ContextName() string {
	if e.Context != "" {
		return e.Context
	}
	return e.ClusterARN
}

// UserName is the user entry's name: User, else the context's name, so
// that two chains for one cluster (two aliases) never share a user.
func (e Entry) UserName() string {
	if e.User != "" {
		return e.User
	}
	return e.ContextName()
}

// ConflictError is a context or user name that already holds another
// cluster or chain: Apply never replaces it unless told to.
type ConflictError struct {
	// Kind is "context" or "user".
	Kind string
	Name string
	// Holds says what the name holds now, without any credential.
	Holds string
	// Want says what this write would put there.
	Want string
}

func (e *ConflictError) Error() string {
	how := "choose another context name with --alias"
	if e.Kind == "user" {
		how = "choose another name with --alias (the user is named after the context) or --user-alias"
	}
	return fmt.Sprintf("%s %q already holds %s, not %s: %s, or pass --overwrite to replace it (every context using it changes with it)",
		e.Kind, e.Name, e.Holds, e.Want, how)
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Overwrite replaces a context or user that holds another cluster or
	// chain instead of failing with *ConflictError.
	Overwrite bool
	// SetCurrent makes the entry's context the current one.
	SetCurrent bool
}

// Apply adds or updates e's cluster, user and context in cfg. The cluster
// entry, named by the cluster ARN, is always updated (its endpoint and CA
// may change). A context or user of the same name is updated only when it
// holds the same cluster and the same chain (the same cluster, region,
// profile, role hops and session name); otherwise Apply returns
// *ConflictError and changes nothing, unless opts.Overwrite. A context's
// namespace is kept, and every entry's extensions.
func Apply(cfg *clientcmdapi.Config, e Entry, opts ApplyOptions) error {
	if e.ClusterARN == "" || e.Server == "" || e.Command == "" {
		return errors.New("kubeconfig entry needs a cluster ARN, a server and a command")
	}
	ctxName, userName := e.ContextName(), e.UserName()
	ours := ourCommands(e.Command)
	want := chainOf(e.Args)
	if want.profile == "" {
		want.profile = e.Env["AWS_PROFILE"]
	}
	wantDesc := describeChain(want)
	if !opts.Overwrite {
		if u, ok := cfg.AuthInfos[userName]; ok {
			if got, mine := userChain(u, ours); !mine || got != want {
				return &ConflictError{Kind: "user", Name: userName, Holds: describeUser(u, ours), Want: wantDesc}
			}
		}
		if c, ok := cfg.Contexts[ctxName]; ok {
			if c.Cluster != e.ClusterARN {
				return &ConflictError{Kind: "context", Name: ctxName, Holds: fmt.Sprintf("cluster %q", c.Cluster), Want: "cluster " + e.ClusterARN}
			}
			if u, ok := cfg.AuthInfos[c.AuthInfo]; ok && c.AuthInfo != userName {
				if got, mine := userChain(u, ours); !mine || got != want {
					return &ConflictError{Kind: "context", Name: ctxName, Holds: fmt.Sprintf("user %q (%s)", c.AuthInfo, describeUser(u, ours)), Want: wantDesc}
				}
			}
		}
	}

	cluster := clientcmdapi.NewCluster()
	if old, ok := cfg.Clusters[e.ClusterARN]; ok {
		cluster.Extensions = old.Extensions
	}
	cluster.Server = e.Server
	cluster.CertificateAuthorityData = e.CAData
	cfg.Clusters[e.ClusterARN] = cluster

	user := clientcmdapi.NewAuthInfo()
	if old, ok := cfg.AuthInfos[userName]; ok {
		user.Extensions = old.Extensions
	}
	user.Exec = &clientcmdapi.ExecConfig{
		APIVersion:      ExecAPIVersion,
		Command:         e.Command,
		Args:            slices.Clone(e.Args),
		InstallHint:     e.InstallHint,
		InteractiveMode: clientcmdapi.IfAvailableExecInteractiveMode,
	}
	for _, k := range slices.Sorted(maps.Keys(e.Env)) {
		user.Exec.Env = append(user.Exec.Env, clientcmdapi.ExecEnvVar{Name: k, Value: e.Env[k]})
	}
	cfg.AuthInfos[userName] = user

	ctx := clientcmdapi.NewContext()
	if old, ok := cfg.Contexts[ctxName]; ok {
		ctx.Namespace = old.Namespace // keep the user's chosen namespace
		ctx.Extensions = old.Extensions
	}
	ctx.Cluster = e.ClusterARN
	ctx.AuthInfo = userName
	cfg.Contexts[ctxName] = ctx
	if opts.SetCurrent {
		cfg.CurrentContext = ctxName
	}
	return nil
}

// chain is what selects a kubectl-eksxa chain in an exec entry's args.
type chain struct {
	cluster, region, profile, sessionName string
	hops                                  string // role-arn specs joined by "\n"
}

// chainOf reads the chain from `token` args: the flags that select who
// signs (cache and verbosity do not).
func chainOf(args []string) chain {
	var c chain
	var hops []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		if !strings.HasPrefix(name, "--") {
			continue
		}
		if !hasValue && i+1 < len(args) {
			switch name {
			case "--cluster-name", "--region", "--profile", "--role-arn", "--session-name":
				i++
				value = args[i]
			}
		}
		switch name {
		case "--cluster-name":
			c.cluster = value
		case "--region":
			c.region = value
		case "--profile":
			c.profile = value
		case "--role-arn":
			hops = append(hops, value)
		case "--session-name":
			c.sessionName = value
		}
	}
	c.hops = strings.Join(hops, "\n")
	// --cluster-name may be the cluster's ARN, which names the region too
	// (arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME).
	if parts := strings.SplitN(c.cluster, ":", 6); len(parts) == 6 && parts[0] == "arn" && parts[2] == "eks" && strings.HasPrefix(parts[5], "cluster/") {
		c.cluster = strings.TrimPrefix(parts[5], "cluster/")
		if c.region == "" {
			c.region = parts[3]
		}
	}
	return c
}

// ourCommands are the exec commands taken for kubectl-eksxa: its name, and
// the base name of the command being written (an absolute --exec-command).
func ourCommands(command string) []string {
	return []string{Command, strings.TrimSuffix(filepath.Base(command), ".exe")}
}

// userChain is the chain a user entry runs, and whether it is a
// kubectl-eksxa exec entry at all.
func userChain(u *clientcmdapi.AuthInfo, ours []string) (chain, bool) {
	if u == nil || u.Exec == nil {
		return chain{}, false
	}
	base := strings.TrimSuffix(filepath.Base(filepath.ToSlash(u.Exec.Command)), ".exe")
	if !slices.Contains(ours, base) || len(u.Exec.Args) == 0 || u.Exec.Args[0] != "token" {
		return chain{}, false
	}
	c := chainOf(u.Exec.Args)
	if c.profile == "" {
		for _, e := range u.Exec.Env {
			if e.Name == "AWS_PROFILE" {
				c.profile = e.Value
			}
		}
	}
	return c, true
}

// describeChain says which chain c is, in the user's terms.
func describeChain(c chain) string {
	s := fmt.Sprintf("the kubectl-eksxa chain for cluster %s", c.cluster)
	if c.region != "" {
		s += " in " + c.region
	}
	var via []string
	if c.profile != "" {
		via = append(via, "profile "+c.profile)
	}
	for _, h := range strings.Split(c.hops, "\n") {
		if h != "" {
			arn, _, _ := strings.Cut(h, ",") // hop settings may name an external ID
			via = append(via, arn)
		}
	}
	if len(via) > 0 {
		s += " via " + strings.Join(via, " -> ")
	}
	if c.sessionName != "" {
		s += " (session name " + c.sessionName + ")"
	}
	return s
}

// describeUser says what a user entry holds, without any credential.
func describeUser(u *clientcmdapi.AuthInfo, ours []string) string {
	if c, mine := userChain(u, ours); mine {
		return describeChain(c)
	}
	switch {
	case u.Exec != nil:
		return fmt.Sprintf("credentials from the exec command %q", u.Exec.Command)
	case u.AuthProvider != nil:
		return fmt.Sprintf("credentials from the %s auth provider", u.AuthProvider.Name)
	case u.Token != "" || u.TokenFile != "":
		return "a bearer token"
	case len(u.ClientCertificateData) > 0 || u.ClientCertificate != "":
		return "a client certificate"
	case u.Username != "" || u.Password != "":
		return "a username and password"
	}
	return "other credentials"
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
