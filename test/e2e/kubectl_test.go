package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
	"github.com/eksxa/kubectl-eksxa/test/e2e/apiserver"
)

// cluster is a world with an EKS cluster whose API server checks every
// token with the EKS verifier.
type cluster struct {
	*world
	api *apiserver.Server
	arn string
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	w := newWorld(t)
	api := apiserver.New("prod", "aws", "eu-west-1")
	t.Cleanup(api.Close)
	api.Map(roleWork, apiserver.User{Username: "admin:{{SessionName}}", Groups: []string{"system:masters"}})
	w.fake.AddCluster(fakeaws.Cluster{Name: "prod", Region: "eu-west-1", Account: workAcct, Endpoint: api.URL, CAData: api.CAData})
	w.env["AWS_ENDPOINT_URL_EKS"] = w.fake.URL
	// kubectl finds the plugin on PATH, as a user's shell would.
	w.env["PATH"] = filepath.Dir(binary) + string(os.PathListSeparator) + os.Getenv("PATH")
	delete(w.env, "KUBERNETES_EXEC_INFO") // kubectl sets it
	return &cluster{world: w, api: api, arn: "arn:aws:eks:eu-west-1:" + workAcct + ":cluster/prod"}
}

var twoHops = []string{"--cluster-name", "prod", "--region", "eu-west-1",
	"--role-arn", roleTools, "--role-arn", roleWork + ",external-id=ext-123"}

// kubectl runs the real kubectl with env.
func kubectl(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	path, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatal("kubectl is not on PATH: the e2e tests need the real kubectl")
	}
	cmd := exec.Command(path, args...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// TestRealKubectl writes a kubeconfig with `kubectl eksxa kubeconfig`
// through a two-account chain and runs the real kubectl against a TLS API
// server that authenticates with the EKS verifier.
func TestRealKubectl(t *testing.T) {
	c := newCluster(t)
	kc := filepath.Join(t.TempDir(), "config")
	r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...)
	if r.code != 0 {
		t.Fatalf("kubeconfig: exit %d stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, c.arn) || !strings.Contains(r.stdout, kc) {
		t.Errorf("kubeconfig said %q", r.stdout)
	}
	env := c.with("KUBECONFIG", kc)
	for i := 0; i < 3; i++ {
		out, errOut, err := kubectl(t, env, "auth", "whoami", "-o", "json")
		if err != nil {
			t.Fatalf("kubectl auth whoami (%d): %v\n%s", i, err, errOut)
		}
		var review struct {
			Status struct {
				UserInfo struct {
					Username string   `json:"username"`
					Groups   []string `json:"groups"`
				} `json:"userInfo"`
			} `json:"status"`
		}
		if err := json.Unmarshal([]byte(out), &review); err != nil {
			t.Fatalf("whoami output: %v\n%s", err, out)
		}
		if review.Status.UserInfo.Username != "admin:eksxa-alice" {
			t.Errorf("kubectl is %q, want admin:eksxa-alice", review.Status.UserInfo.Username)
		}
	}
	if _, errOut, err := kubectl(t, env, "version", "-o", "json"); err != nil {
		t.Fatalf("kubectl version: %v\n%s", err, errOut)
	}
	// kubeconfig ran the chain once; four kubectl processes reused it all.
	for _, role := range []string{roleTools, roleWork} {
		if got := c.fake.Calls("AssumeRole", role); got != 1 {
			t.Errorf("AssumeRole %s: %d calls over kubeconfig + 4 kubectl runs, want 1", role, got)
		}
	}
	if c.api.Verified() < 4 || c.api.Rejected() != 0 {
		t.Errorf("API server verified %d tokens and rejected %d; want >= 4 and 0", c.api.Verified(), c.api.Rejected())
	}
}

// TestKubectlUnmappedPrincipal: a principal the cluster does not map is
// refused, and kubectl says Unauthorized, which is what doctor explains.
func TestKubectlUnmappedPrincipal(t *testing.T) {
	c := newCluster(t)
	kc := filepath.Join(t.TempDir(), "config")
	if r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...); r.code != 0 {
		t.Fatalf("kubeconfig: %q", r.stderr)
	}
	c.api.Unmap(roleWork)
	_, errOut, err := kubectl(t, c.with("KUBECONFIG", kc), "auth", "whoami")
	if err == nil || !strings.Contains(errOut, "Unauthorized") && !strings.Contains(errOut, "provide credentials") {
		t.Errorf("an unmapped principal got in, or failed oddly: %v %q", err, errOut)
	}
	if c.api.Rejected() == 0 {
		t.Error("the API server rejected no token")
	}
}

func TestKubeconfigMerge(t *testing.T) {
	c := newCluster(t)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
	must(t, os.WriteFile(first, []byte(other), 0o600))
	env := c.with("KUBECONFIG", first+string(os.PathListSeparator)+second)
	r := runPlugin(t, env, "", append([]string{"kubeconfig", "--alias", "prod"}, twoHops...)...)
	if r.code != 0 {
		t.Fatalf("kubeconfig: exit %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(second); err == nil {
		t.Error("the second KUBECONFIG file was written; kubectl writes the first")
	}
	b, _ := os.ReadFile(first)
	for _, want := range []string{"kind-dev", "namespace: apps", "current-context: prod", "server: " + c.api.URL, "command: kubectl-eksxa",
		"interactiveMode: IfAvailable", "apiVersion: client.authentication.k8s.io/v1", "- arn:aws:iam::333333333333:role/eks-admin,external-id=ext-123"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("merged kubeconfig lacks %q:\n%s", want, b)
		}
	}
	// kubectl reads it and reaches the cluster under the alias.
	if out, errOut, err := kubectl(t, env, "auth", "whoami", "--context", "prod"); err != nil || !strings.Contains(out, "admin:eksxa-alice") {
		t.Errorf("kubectl on the merged file: %v %q %q", err, out, errOut)
	}

	// --dry-run prints and writes nothing.
	before, _ := os.ReadFile(first)
	r = runPlugin(t, env, "", append([]string{"kubeconfig", "--alias", "other", "--dry-run"}, twoHops...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "current-context: other") {
		t.Errorf("dry run: exit %d stdout %q", r.code, r.stdout)
	}
	if after, _ := os.ReadFile(first); !bytes.Equal(before, after) {
		t.Error("--dry-run changed the file")
	}
}

const other = `apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://127.0.0.1:6443
  name: kind-dev
contexts:
- context:
    cluster: kind-dev
    namespace: apps
    user: kind-dev
  name: kind-dev
current-context: kind-dev
users:
- name: kind-dev
  user:
    token: abc
`

// TestKubeconfigFailureLeavesFile: every failure leaves the file byte for
// byte as it was.
func TestKubeconfigFailureLeavesFile(t *testing.T) {
	c := newCluster(t)
	c.fake.DenyEKS(roleWork, "DescribeCluster")
	dir := t.TempDir()
	kc := filepath.Join(dir, "config")
	must(t, os.WriteFile(kc, []byte(other), 0o600))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown cluster", []string{"--cluster-name", "nope", "--region", "eu-west-1", "--role-arn", roleTools}, `cluster "nope" not found in eu-west-1`},
		{"denied DescribeCluster", twoHops, "may not call eks:DescribeCluster"},
		{"denied hop", []string{"--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", roleTools, "--role-arn", roleWork}, "hop 2/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc}, tt.args...)...)
			if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d stdout %q stderr %q; want 1, nothing, %q", r.code, r.stdout, r.stderr, tt.want)
			}
			if b, _ := os.ReadFile(kc); string(b) != other {
				t.Errorf("the kubeconfig changed:\n%s", b)
			}
		})
	}
	// A kubeconfig path that cannot be written.
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.fake.AddCluster(fakeaws.Cluster{Name: "dev", Region: "eu-west-1", Account: toolsAcct, Endpoint: c.api.URL, CAData: c.api.CAData})
	r := runPlugin(t, c.env, "", "kubeconfig", "--kubeconfig", filepath.Join(blocker, "config"), "--cluster-name", "dev", "--region", "eu-west-1", "--role-arn", roleTools)
	if r.code != 1 || r.stdout != "" {
		t.Errorf("unwritable path: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}
