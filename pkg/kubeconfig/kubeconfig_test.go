package kubeconfig

import (
	"os"
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
		ClusterARN: arn,
		Server:     "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
		CAData:     []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
		Command:    "kubectl-eksxa",
		Args:       []string{"token", "--cluster-name", "prod", "--region", "eu-west-1"},
		Env:        map[string]string{"EKSXA_CACHE": "file", "AWS_PROFILE": "id"},
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

func TestMergeNew(t *testing.T) {
	out, err := Merge(nil, entry())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.Load(out)
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
		InteractiveMode: clientcmdapi.IfAvailableExecInteractiveMode,
	}
	if diff := cmp.Diff(want, cfg.AuthInfos[arn].Exec, cmpIgnoreUnexported()); diff != "" {
		t.Errorf("exec (-want +got):\n%s", diff)
	}
	if ctx := cfg.Contexts[arn]; ctx == nil || ctx.Cluster != arn || ctx.AuthInfo != arn {
		t.Errorf("context = %+v", ctx)
	}
}

func TestMergeKeepsOthersAndAlias(t *testing.T) {
	e := entry()
	e.Context = "prod"
	out, err := Merge([]byte(other), e)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "prod" || cfg.Contexts["prod"].Cluster != arn {
		t.Errorf("current-context %q, prod context %+v", cfg.CurrentContext, cfg.Contexts["prod"])
	}
	if cfg.Clusters["kind-dev"].Server != "https://127.0.0.1:6443" || cfg.AuthInfos["kind-dev"].Token != "abc" || cfg.Contexts["kind-dev"].Namespace != "apps" {
		t.Errorf("the other entries were not kept:\n%s", out)
	}
	if _, ok := cfg.Contexts[arn]; ok {
		t.Error("with an alias, no context should be named by the ARN")
	}

	// Again, over itself, after the user picked a namespace: replaced, not
	// duplicated, and the namespace kept.
	cfg.Contexts["prod"].Namespace = "payments"
	again, _ := clientcmd.Write(*cfg)
	e.Server = "https://NEW.gr7.eu-west-1.eks.amazonaws.com"
	out2, err := Merge(again, e)
	if err != nil {
		t.Fatal(err)
	}
	cfg2, _ := clientcmd.Load(out2)
	if len(cfg2.Clusters) != 2 || len(cfg2.Contexts) != 2 || len(cfg2.AuthInfos) != 2 {
		t.Errorf("entries: %d clusters %d contexts %d users, want 2 each", len(cfg2.Clusters), len(cfg2.Contexts), len(cfg2.AuthInfos))
	}
	if cfg2.Clusters[arn].Server != e.Server || cfg2.Contexts["prod"].Namespace != "payments" {
		t.Errorf("server %q namespace %q", cfg2.Clusters[arn].Server, cfg2.Contexts["prod"].Namespace)
	}
}

func TestMergeRefusesBrokenFile(t *testing.T) {
	if _, err := Merge([]byte("clusters: [oops"), entry()); err == nil || !strings.Contains(err.Error(), "reading the existing kubeconfig") {
		t.Errorf("err = %v", err)
	}
	if _, err := Merge(nil, Entry{}); err == nil {
		t.Error("empty entry: want an error")
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

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "config")
	if err := Write(p, []byte("a")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("b")); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(p)
	got, _ := os.ReadFile(p)
	if fi.Mode().Perm() != 0o640 || string(got) != "b" {
		t.Errorf("mode %v content %q, want 0640 and b", fi.Mode(), got)
	}
	// Written through a symlink, which stays a symlink.
	link := filepath.Join(dir, "link")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("c")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if got, _ := os.ReadFile(p); string(got) != "c" {
		t.Errorf("target = %q, want c", got)
	}
	if entries, _ := os.ReadDir(filepath.Dir(p)); len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	// A path that cannot be written (its folder is a file, which stops
	// root too) fails, and what was there stays.
	blocker := filepath.Join(dir, "blocker")
	os.WriteFile(blocker, []byte("old"), 0o600)
	if err := Write(filepath.Join(blocker, "config"), []byte("new")); err == nil {
		t.Error("write under a file: want an error")
	}
	if got, _ := os.ReadFile(blocker); string(got) != "old" {
		t.Errorf("blocker changed to %q", got)
	}
}

func cmpIgnoreUnexported() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Last().(cmp.StructField)
		return ok && (sf.Name() == "Config" || sf.Name() == "StdinUnavailable" || sf.Name() == "StdinUnavailableMessage")
	}, cmp.Ignore())
}
