package kubeconfig

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const arn = "arn:aws:eks:eu-west-1:222222222222:cluster/prod"

func entry() Entry {
	return Entry{
		ClusterARN:  arn,
		Server:      "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
		CAData:      []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
		Command:     "kubectl-eksxa",
		Args:        []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", "arn:aws:iam::222222222222:role/eks-admin"},
		Env:         map[string]string{"EKSXA_CACHE": "file", "AWS_PROFILE": "id"},
		InstallHint: "install it",
	}
}

const other = `apiVersion: v1
kind: Config
clusters:
- name: kind-dev
  cluster:
    server: https://127.0.0.1:6443
users:
- name: kind-dev
  user:
    token: abc
contexts:
- name: kind-dev
  context:
    cluster: kind-dev
    user: kind-dev
    namespace: apps
current-context: kind-dev
preferences: {}
`

// merge is Load, Apply and Write, as Update runs them.
func merge(t *testing.T, existing string, e Entry, opts ApplyOptions) (*clientcmdapi.Config, error) {
	t.Helper()
	cfg, err := Load([]byte(existing), "config")
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(cfg, e, opts); err != nil {
		return nil, err
	}
	out, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := clientcmd.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	return back, nil
}

func TestApplyNew(t *testing.T) {
	cfg, err := merge(t, "", entry(), ApplyOptions{SetCurrent: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != arn {
		t.Errorf("current-context = %q", cfg.CurrentContext)
	}
	c := cfg.Clusters[arn]
	if c == nil || c.Server != entry().Server || string(c.CertificateAuthorityData) != string(entry().CAData) {
		t.Fatalf("cluster = %+v", c)
	}
	want := &clientcmdapi.ExecConfig{
		APIVersion:      "client.authentication.k8s.io/v1",
		Command:         "kubectl-eksxa",
		Args:            entry().Args,
		Env:             []clientcmdapi.ExecEnvVar{{Name: "AWS_PROFILE", Value: "id"}, {Name: "EKSXA_CACHE", Value: "file"}},
		InstallHint:     "install it",
		InteractiveMode: clientcmdapi.IfAvailableExecInteractiveMode,
	}
	if diff := cmp.Diff(want, cfg.AuthInfos[arn].Exec, cmpIgnoreUnexported()); diff != "" {
		t.Errorf("exec (-want +got):\n%s", diff)
	}
	if ctx := cfg.Contexts[arn]; ctx == nil || ctx.Cluster != arn || ctx.AuthInfo != arn {
		t.Errorf("context = %+v", ctx)
	}
}

func TestApplyKeepsOthersAndNamespace(t *testing.T) {
	e := entry()
	e.Context = "prod"
	cfg, err := merge(t, other, e, ApplyOptions{SetCurrent: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "prod" || cfg.Contexts["prod"].Cluster != arn || cfg.Contexts["prod"].AuthInfo != "prod" {
		t.Errorf("current-context %q, prod context %+v", cfg.CurrentContext, cfg.Contexts["prod"])
	}
	if cfg.Clusters["kind-dev"].Server != "https://127.0.0.1:6443" || cfg.AuthInfos["kind-dev"].Token != "abc" || cfg.Contexts["kind-dev"].Namespace != "apps" {
		t.Error("the other entries were not kept")
	}
	if _, ok := cfg.Contexts[arn]; ok {
		t.Error("with an alias, no context should be named by the ARN")
	}
	// Again, over itself, after the user picked a namespace and the
	// endpoint changed: replaced, not duplicated, and the namespace kept.
	cfg.Contexts["prod"].Namespace = "payments"
	again, _ := clientcmd.Write(*cfg)
	e.Server = "https://NEW.gr7.eu-west-1.eks.amazonaws.com"
	e.Args = append(e.Args, "--cache", "file") // the cache is no part of the chain
	cfg2, err := merge(t, string(again), e, ApplyOptions{SetCurrent: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg2.Clusters) != 2 || len(cfg2.Contexts) != 2 || len(cfg2.AuthInfos) != 2 {
		t.Errorf("entries: %d clusters %d contexts %d users, want 2 each", len(cfg2.Clusters), len(cfg2.Contexts), len(cfg2.AuthInfos))
	}
	if cfg2.Clusters[arn].Server != e.Server || cfg2.Contexts["prod"].Namespace != "payments" {
		t.Errorf("server %q namespace %q", cfg2.Clusters[arn].Server, cfg2.Contexts["prod"].Namespace)
	}
}

// TestApplyTwoChainsOneCluster: the case: an admin alias, then a
// read-only alias for the same cluster; each keeps its own chain, in
// either order.
func TestApplyTwoChainsOneCluster(t *testing.T) {
	admin, ro := entry(), entry()
	admin.Context = "demo-admin"
	ro.Context = "demo-ro"
	ro.Args = []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", "arn:aws:iam::222222222222:role/eks-readonly"}
	for _, order := range [][]Entry{{admin, ro}, {ro, admin}} {
		cfg := clientcmdapi.NewConfig()
		for _, e := range order {
			if err := Apply(cfg, e, ApplyOptions{SetCurrent: true}); err != nil {
				t.Fatal(err)
			}
		}
		for _, e := range order {
			u := cfg.AuthInfos[cfg.Contexts[e.Context].AuthInfo]
			if u == nil || !cmp.Equal(u.Exec.Args, e.Args) {
				t.Errorf("context %s runs %v, want %v", e.Context, u, e.Args)
			}
		}
	}
}

func TestApplyConflicts(t *testing.T) {
	base := clientcmdapi.NewConfig()
	first := entry()
	first.Context = "demo"
	if err := Apply(base, first, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	base.AuthInfos["kind"] = &clientcmdapi.AuthInfo{Token: "SECRET-TOKEN-VALUE"}
	base.Contexts["kind"] = &clientcmdapi.Context{Cluster: "kind", AuthInfo: "kind"}

	readonly := first
	readonly.Args = []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", "arn:aws:iam::222222222222:role/eks-readonly,external-id=SECRET-EXT"}
	otherCluster := first
	otherCluster.ClusterARN = "arn:aws:eks:eu-west-1:222222222222:cluster/staging"
	otherCluster.Args = []string{"token", "--cluster-name", "staging", "--region", "eu-west-1", "--role-arn", "arn:aws:iam::222222222222:role/eks-admin"}
	onToken := entry()
	onToken.Context, onToken.User = "mine", "kind"
	onKindContext := entry()
	onKindContext.Context, onKindContext.User = "kind", "fresh"

	tests := []struct {
		name       string
		e          Entry
		kind, want string
	}{
		{"same name, another chain", readonly, "user", "eks-admin"},
		{"same context, another cluster", otherCluster, "user", "cluster prod"},
		{"a user holding a token", onToken, "user", "a bearer token"},
		{"a context of another cluster", onKindContext, "context", `cluster "kind"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base.DeepCopy()
			err := Apply(cfg, tt.e, ApplyOptions{})
			var ce *ConflictError
			if !errors.As(err, &ce) || ce.Kind != tt.kind || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "--overwrite") {
				t.Fatalf("err = %v; want a %s conflict naming %q", err, tt.kind, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error shows a secret: %v", err)
			}
			if !cmp.Equal(cfg, base, cmpIgnoreUnexported()) {
				t.Error("a refused Apply changed the config")
			}
			if err := Apply(cfg, tt.e, ApplyOptions{Overwrite: true}); err != nil {
				t.Fatalf("--overwrite: %v", err)
			}
			if u := cfg.AuthInfos[tt.e.UserName()]; u.Exec == nil || !cmp.Equal(u.Exec.Args, tt.e.Args) {
				t.Errorf("--overwrite did not write the entry: %+v", u)
			}
		})
	}
	// A file written by an older kubectl-eksxa (the user named by the ARN,
	// shared) takes the same chain under the alias without a fuss.
	old := entry()
	cfg := clientcmdapi.NewConfig()
	if err := Apply(cfg, old, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg.Contexts["demo"] = &clientcmdapi.Context{Cluster: arn, AuthInfo: arn}
	again := entry()
	again.Context = "demo"
	again.Command = "/opt/bin/kubectl-eksxa"
	if err := Apply(cfg, again, ApplyOptions{}); err != nil {
		t.Errorf("same chain under an alias: %v", err)
	}
}

func TestChainOf(t *testing.T) {
	a := chainOf([]string{"token", "--cluster-name", "c", "--region=r", "--profile", "p", "--role-arn", "x", "--role-arn=y", "--cache", "file", "-v"})
	want := chain{cluster: "c", region: "r", profile: "p", hops: "x\ny"}
	if a != want {
		t.Errorf("chainOf = %+v, want %+v", a, want)
	}
	byARN := chainOf([]string{"token", "--cluster-name", "arn:aws:eks:eu-west-1:222222222222:cluster/prod"})
	byName := chainOf([]string{"token", "--cluster-name", "prod", "--region", "eu-west-1"})
	if byARN != byName {
		t.Errorf("a cluster ARN %+v is not the same chain as its name and region %+v", byARN, byName)
	}
}

func TestPath(t *testing.T) {
	sep := string(filepath.ListSeparator)
	tests := []struct{ flag, env, want string }{
		{"/f", "/a" + sep + "/b", "/f"},
		{"", "/a" + sep + "/b", "/a"},
		{"", sep + "/b", "/b"},
		{"", "", filepath.Join("/home/u", ".kube", "config")},
	}
	for _, tt := range tests {
		if got := Path(tt.flag, tt.env, "/home/u"); got != tt.want {
			t.Errorf("Path(%q, %q) = %q, want %q", tt.flag, tt.env, got, tt.want)
		}
	}
}

func cmpIgnoreUnexported() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Last().(cmp.StructField)
		return ok && (sf.Name() == "Config" || sf.Name() == "StdinUnavailable" || sf.Name() == "StdinUnavailableMessage")
	}, cmp.Ignore())
}
