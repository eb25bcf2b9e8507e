package fleet

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
)

const (
	acct1 = "111111111111"
	acct2 = "222222222222"
)

var (
	euA1 = Target{Account: acct1, Region: "eu-west-1"}
	usA1 = Target{Account: acct1, Region: "us-east-1"}
	euA2 = Target{Account: acct2, Region: "eu-west-1"}
)

func found(t Target, name string) Found {
	return Found{Target: t, Name: name, ARN: "arn:aws:eks:" + t.Region + ":" + t.Account + ":cluster/" + name, Endpoint: "https://" + name + ".example", CAData: []byte("CA of " + name), Status: "ACTIVE"}
}

func entryFor(n Named) kubeconfig.Entry {
	return kubeconfig.Entry{
		ClusterARN: n.ARN, Server: n.Endpoint, CAData: n.CAData, Command: "kubectl-eksxa",
		Args: []string{"token", "--cluster-name", n.Name, "--region", n.Region, "--role-arn", "arn:aws:iam::" + n.Account + ":role/eks-admin"},
	}
}

// handWritten is a kubeconfig with a context this command did not write.
const handWritten = `apiVersion: v1
kind: Config
clusters:
- name: kind
  cluster:
    server: https://127.0.0.1:6443
users:
- name: kind-admin
  user:
    token: not-a-real-token
contexts:
- name: kind
  context:
    cluster: kind
    user: kind-admin
current-context: kind
`

// apply plans and applies on file and returns the plan and the new file.
func apply(t *testing.T, file []byte, clusters []Found, results []TargetResult, prune bool) (Plan, []byte) {
	t.Helper()
	named, err := NameAll(clusters, Namer{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	if len(file) > 0 {
		if cfg, err = clientcmd.Load(file); err != nil {
			t.Fatal(err)
		}
	}
	p, err := MakePlan(cfg, named, entryFor, results, PlanOptions{Prune: prune})
	if err != nil {
		t.Fatal(err)
	}
	p.Apply(cfg)
	out, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, out
}

func ok(t Target, present ...string) TargetResult { return TargetResult{Target: t, Present: present} }

func summary(p Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, string(c.Action)+" "+c.Context+" "+c.Cluster)
	}
	return out
}

func TestPlanAddThenUnchanged(t *testing.T) {
	a, b := found(euA1, "a"), found(euA2, "b")
	results := []TargetResult{ok(euA1, "a"), ok(euA2, "b")}
	p, first := apply(t, []byte(handWritten), []Found{b, a}, results, true)
	want := []string{"add " + a.ARN + " " + a.ARN, "add " + b.ARN + " " + b.ARN}
	if diff := cmp.Diff(want, summary(p)); diff != "" {
		t.Errorf("first plan (-want +got):\n%s", diff)
	}
	cfg, err := clientcmd.Load(first)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "kind" || cfg.Contexts["kind"] == nil || cfg.AuthInfos["kind-admin"].Token != "not-a-real-token" {
		t.Errorf("hand-written entries or current-context not kept:\n%s", first)
	}
	// The exec user is the one kubeconfig writes for one cluster, plus
	// the marker.
	one := clientcmdapi.NewConfig()
	if err := kubeconfig.Apply(one, entryFor(Named{Found: a}), kubeconfig.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	gotUser := cfg.AuthInfos[a.ARN]
	if diff := cmp.Diff(one.AuthInfos[a.ARN].Exec, gotUser.Exec); diff != "" {
		t.Errorf("exec entry differs from kubeconfig's (-single +fleet):\n%s", diff)
	}
	if m, ok := markerOf(gotUser.Extensions); !ok || m != (Marker{Account: acct1, Region: "eu-west-1", Cluster: "a"}) {
		t.Errorf("user marker = %+v, %v", m, ok)
	}
	if !strings.Contains(string(first), "name: eksxa") {
		t.Errorf("no eksxa extension written:\n%s", first)
	}

	p, second := apply(t, first, []Found{a, b}, results, true)
	if p.Changed() || p.Count(Unchanged) != 2 {
		t.Errorf("second plan changes something: %v", summary(p))
	}
	if string(first) != string(second) {
		t.Errorf("second run's file differs:\n%s\n---\n%s", first, second)
	}
}

func TestPlanUpdate(t *testing.T) {
	a := found(euA1, "a")
	_, file := apply(t, nil, []Found{a}, []TargetResult{ok(euA1, "a")}, false)
	// The user picked a namespace: an update keeps it.
	cfg, _ := clientcmd.Load(file)
	cfg.Contexts[a.ARN].Namespace = "team"
	file, _ = clientcmd.Write(*cfg)

	moved := a
	moved.Endpoint = "https://new.example"
	p, out := apply(t, file, []Found{moved}, []TargetResult{ok(euA1, "a")}, false)
	if diff := cmp.Diff([]string{"update " + a.ARN + " " + a.ARN}, summary(p)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	cfg, _ = clientcmd.Load(out)
	if cfg.Clusters[a.ARN].Server != "https://new.example" || cfg.Contexts[a.ARN].Namespace != "team" {
		t.Errorf("server %q, namespace %q", cfg.Clusters[a.ARN].Server, cfg.Contexts[a.ARN].Namespace)
	}
}

func TestPlanPrune(t *testing.T) {
	a, gone, far, failed := found(euA1, "a"), found(euA1, "gone"), found(usA1, "far"), found(euA2, "failed")
	all := []TargetResult{ok(euA1, "a", "gone"), ok(usA1, "far"), ok(euA2, "failed")}
	_, file := apply(t, []byte(handWritten), []Found{a, gone, far, failed}, all, true)
	cfg, _ := clientcmd.Load(file)
	cfg.CurrentContext = gone.ARN
	file, _ = clientcmd.Write(*cfg)

	// gone has disappeared from euA1; usA1 was not scanned; euA2 failed,
	// and nothing was found there.
	results := []TargetResult{ok(euA1, "a"), {Target: euA2, Err: errTest, Stage: StageChain}}
	p, out := apply(t, file, []Found{a}, results, true)
	want := []string{"unchanged " + a.ARN + " " + a.ARN, "remove " + gone.ARN + " " + gone.ARN}
	if diff := cmp.Diff(want, summary(p)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if !p.ClearCurrent {
		t.Error("current-context named a removed context and is not cleared")
	}
	cfg, _ = clientcmd.Load(out)
	for _, n := range []string{gone.ARN} {
		if cfg.Contexts[n] != nil || cfg.Clusters[n] != nil || cfg.AuthInfos[n] != nil {
			t.Errorf("%s not removed entirely", n)
		}
	}
	for _, n := range []string{a.ARN, far.ARN, failed.ARN} {
		if cfg.Contexts[n] == nil || cfg.Clusters[n] == nil || cfg.AuthInfos[n] == nil {
			t.Errorf("%s removed, want it kept", n)
		}
	}
	if cfg.Contexts["kind"] == nil || cfg.Clusters["kind"] == nil || cfg.AuthInfos["kind-admin"] == nil || cfg.CurrentContext != "" {
		t.Errorf("hand-written entries touched or current-context %q not cleared", cfg.CurrentContext)
	}

	// Without --prune nothing is removed.
	p, _ = apply(t, file, []Found{a}, results, false)
	if p.Count(Remove) != 0 || p.ClearCurrent {
		t.Errorf("without prune: %v", summary(p))
	}
}

func TestPlanPruneOrphans(t *testing.T) {
	a := found(euA1, "a")
	_, file := apply(t, nil, []Found{a}, []TargetResult{ok(euA1, "a")}, true)
	cfg, _ := clientcmd.Load(file)
	delete(cfg.Contexts, a.ARN) // deleted by hand
	file, _ = clientcmd.Write(*cfg)
	p, out := apply(t, file, nil, []TargetResult{ok(euA1)}, true)
	if diff := cmp.Diff([]string{"remove  " + a.ARN}, summary(p)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	cfg, _ = clientcmd.Load(out)
	if len(cfg.Clusters)+len(cfg.AuthInfos) != 0 {
		t.Errorf("orphaned entries kept:\n%s", out)
	}
	if !strings.Contains(p.String(), "remove     entry "+a.ARN+" (its context was already gone)\n") {
		t.Errorf("plan text:\n%s", p)
	}
}

func TestPlanPruneOrphansNamedByTemplate(t *testing.T) {
	a := found(euA1, "a")
	n, _ := ParseAliasTemplate("{{.Name}}")
	named, _ := NameAll([]Found{a}, n)
	cfg := clientcmdapi.NewConfig()
	p, _ := MakePlan(cfg, named, entryFor, nil, PlanOptions{})
	p.Apply(cfg)
	if cfg.AuthInfos["a"] == nil || cfg.Clusters[a.ARN] == nil || cfg.Contexts["a"] == nil {
		t.Fatalf("entries: users %v, clusters %v", cfg.AuthInfos, cfg.Clusters)
	}
	delete(cfg.Contexts, "a") // by hand
	p, err := MakePlan(cfg, nil, entryFor, []TargetResult{ok(euA1)}, PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"remove  a", "remove  " + a.ARN}, summary(p)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	p.Apply(cfg)
	if len(cfg.AuthInfos)+len(cfg.Clusters) != 0 {
		t.Errorf("left: users %v, clusters %v", cfg.AuthInfos, cfg.Clusters)
	}
}

func TestPlanLeavesForeignEntries(t *testing.T) {
	a := found(euA1, "a")
	named := []Named{{Found: a, Context: "kind"}}
	cfg, _ := clientcmd.Load([]byte(handWritten))
	_, err := MakePlan(cfg, named, entryFor, nil, PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), `context "kind" already holds cluster "kind", not cluster `+a.ARN+", and was not written by --all-clusters") {
		t.Fatalf("MakePlan over a hand-written context: %v", err)
	}
	if p, err := MakePlan(cfg, named, entryFor, nil, PlanOptions{Overwrite: true}); err != nil || p.Count(Update) != 1 {
		t.Errorf("with Overwrite: %v, %v", summary(p), err)
	}

	// What `kubeconfig --alias mine` wrote for that cluster, with the
	// same chain, is taken over; with another chain it is left alone.
	cfg = clientcmdapi.NewConfig()
	single := entryFor(Named{Found: a})
	single.Context = "mine"
	if err := kubeconfig.Apply(cfg, single, kubeconfig.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	named = []Named{{Found: a, Context: "mine"}}
	p, err := MakePlan(cfg, named, entryFor, nil, PlanOptions{})
	if err != nil || p.Count(Update) != 1 {
		t.Errorf("taking over: %v, %v", summary(p), err)
	}
	other := func(n Named) kubeconfig.Entry {
		e := entryFor(n)
		e.Args = append(e.Args, "--role-arn", "arn:aws:iam::"+n.Account+":role/other")
		return e
	}
	if _, err := MakePlan(cfg, named, other, nil, PlanOptions{}); err == nil || !strings.Contains(err.Error(), `user "mine" already holds the kubectl-eksxa chain`) {
		t.Errorf("another chain over a single write: %v", err)
	}
}

func TestNameAllCollisions(t *testing.T) {
	x, y := found(euA1, "prod"), found(euA2, "prod")
	n, _ := ParseAliasTemplate("{{.Name}}")
	_, err := NameAll([]Found{y, x}, n)
	if err == nil || !strings.Contains(err.Error(), `context name "prod" to both `+x.ARN+" and "+y.ARN) {
		t.Errorf("collision: %v", err)
	}
	n, _ = ParseAliasTemplate("{{.Account}}-{{.Name}}")
	got, err := NameAll([]Found{y, x}, n)
	if err != nil || got[0].Context != acct1+"-prod" || got[1].Context != acct2+"-prod" {
		t.Errorf("NameAll = %v, %v", got, err)
	}
}

var errTest = errString("denied")

type errString string

func (e errString) Error() string { return string(e) }
