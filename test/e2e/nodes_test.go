package e2e

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
	"github.com/eksxa/kubectl-eksxa/test/e2e/apiserver"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

const al2023x86 = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version"

// nodesCluster is the cluster of the nodes tests, as a platform team has
// it: Kubernetes 1.31 with Auto Mode on, two managed node groups (ng-app
// on the latest AL2023 release, ng-old 20 days behind), a Fargate profile,
// and nodes of every kind (managed, Auto Mode, Fargate, a hybrid node on
// premises, self-managed) with EKS's real labels, one of them a
// self-managed node whose kubelet (1.27) is too old for the control plane.
func nodesCluster(t *testing.T) *cluster {
	t.Helper()
	c := newCluster(t)
	c.env["AWS_ENDPOINT_URL_SSM"] = c.fake.URL
	c.fake.AddCluster(fakeaws.Cluster{Name: "prod", Region: "eu-west-1", Account: workAcct, Endpoint: c.api.URL, CAData: c.api.CAData,
		Version: "1.31", PlatformVersion: "eks.18",
		AutoMode: &fakeaws.AutoModeConfig{Enabled: true, NodePools: []string{"general-purpose", "system"}, NodeRoleARN: "arn:aws:iam::" + workAcct + ":role/prod-auto-node"},
		Nodegroups: []fakeaws.Nodegroup{
			{Name: "ng-app", AMIType: "AL2023_x86_64_STANDARD", ReleaseVersion: "1.31.5-20250212", DesiredSize: 3, MinSize: 2, MaxSize: 6, InstanceTypes: []string{"m6i.large"}},
			{Name: "ng-old", AMIType: "AL2023_x86_64_STANDARD", ReleaseVersion: "1.31.4-20250123", CapacityType: "SPOT", DesiredSize: 2, MinSize: 1, MaxSize: 4, InstanceTypes: []string{"m6i.large", "m5.large"}},
		},
		FargateProfiles: []string{"fp-default"},
	})
	c.fake.SetClusterVersion(fakeaws.ClusterVersion{Version: "1.31", Status: "STANDARD_SUPPORT",
		EndOfStandardSupport: time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC), EndOfExtendedSupport: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	c.fake.SetSSMParameter("eu-west-1", al2023x86, "1.31.5-20250212")
	c.api.SetNodes([]apiserver.Node{
		{Name: "ip-10-0-1-10.eu-west-1.compute.internal", KubeletVersion: "v1.31.5-eks-5d632ec", OSImage: "Amazon Linux 2023.6.20250212",
			Labels: map[string]string{"eks.amazonaws.com/nodegroup": "ng-app", "eks.amazonaws.com/capacityType": "ON_DEMAND", "eks.amazonaws.com/nodegroup-image": "ami-0a1b2c3d4e5f67890", "node.kubernetes.io/instance-type": "m6i.large"}},
		{Name: "ip-10-0-2-20.eu-west-1.compute.internal", KubeletVersion: "v1.31.4-eks-aeac579", OSImage: "Amazon Linux 2023.6.20250123",
			Labels: map[string]string{"eks.amazonaws.com/nodegroup": "ng-old", "eks.amazonaws.com/capacityType": "SPOT", "eks.amazonaws.com/nodegroup-image": "ami-00aa11bb22cc33dd4", "node.kubernetes.io/instance-type": "m5.large"}},
		{Name: "i-0abc123def4567890", KubeletVersion: "v1.31.4-eks-0a1b2c3", OSImage: "Bottlerocket (EKS Auto, Standard) 2025.2.7 (aws-k8s-1.31-standard)",
			Labels: map[string]string{"eks.amazonaws.com/compute-type": "auto", "karpenter.sh/nodepool": "general-purpose", "eks.amazonaws.com/instance-category": "c", "node.kubernetes.io/instance-type": "c6a.large"}},
		{Name: "i-0def456abc7890123", KubeletVersion: "v1.31.4-eks-0a1b2c3", OSImage: "Bottlerocket (EKS Auto, Standard) 2025.2.7 (aws-k8s-1.31-standard)",
			Labels: map[string]string{"eks.amazonaws.com/compute-type": "auto", "karpenter.sh/nodepool": "system", "CriticalAddonsOnly": "true"}},
		{Name: "fargate-ip-10-0-3-30.eu-west-1.compute.internal", KubeletVersion: "v1.31.4-eks-a737599", OSImage: "Amazon Linux 2",
			Labels: map[string]string{"eks.amazonaws.com/compute-type": "fargate", "eks.amazonaws.com/fargate-profile": "fp-default"}},
		{Name: "mi-0123456789abcdef0", KubeletVersion: "v1.30.8-eks-2d5f260", OSImage: "Ubuntu 22.04.5 LTS",
			Labels: map[string]string{"eks.amazonaws.com/compute-type": "hybrid", "eks.amazonaws.com/hybrid-credential-provider": "ssm", "topology.kubernetes.io/zone": "onprem-dc1"}},
		{Name: "ip-10-0-4-40.eu-west-1.compute.internal", KubeletVersion: "v1.27.16-eks-a737599", OSImage: "Amazon Linux 2", NotReady: true,
			Labels: map[string]string{"node.kubernetes.io/instance-type": "m5.large", "alpha.eksctl.io/nodegroup-name": "legacy-asg"}},
	})
	return c
}

// kubeconfigThenNodes writes the kubeconfig with the chain, as a user
// would first, and returns the environment that uses it.
func kubeconfigThenNodes(t *testing.T, c *cluster) map[string]string {
	t.Helper()
	kc := filepath.Join(t.TempDir(), "config")
	r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...)
	if r.code != 0 {
		t.Fatalf("kubeconfig: exit %d stderr %q", r.code, r.stderr)
	}
	return c.with("KUBECONFIG", kc)
}

// golden compares got with testdata/nodes/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "nodes", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s (-want +got):\n%s", path, d)
	}
}

// nodesRun runs nodes with the chain in table and JSON form, checks them
// against the goldens NAME.txt and NAME.json, and checks the exit codes
// without and with --fail-outdated.
func nodesRun(t *testing.T, env map[string]string, name string, wantFailOutdated int) {
	t.Helper()
	args := append([]string{"nodes"}, twoHops...)
	r := runPlugin(t, env, "", args...)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("nodes: exit %d, stderr %q, want 0 and nothing\n%s", r.code, r.stderr, r.stdout)
	}
	golden(t, name+".txt", r.stdout)
	r = runPlugin(t, env, "", append(args, "-o", "json")...)
	if r.code != 0 || !json.Valid([]byte(r.stdout)) {
		t.Fatalf("nodes -o json: exit %d, stderr %q, stdout not JSON: %q", r.code, r.stderr, r.stdout)
	}
	golden(t, name+".json", r.stdout)
	r = runPlugin(t, env, "", append(args, "--fail-outdated")...)
	if r.code != wantFailOutdated {
		t.Errorf("nodes --fail-outdated: exit %d, want %d\nstderr %q", r.code, wantFailOutdated, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "Cluster prod (eu-west-1)") {
		t.Errorf("nodes --fail-outdated printed no report: %q", r.stdout)
	}
}

// TestNodes: the whole report, after `kubectl eksxa kubeconfig` with the
// same two-hop chain; the behind group gets its Terraform and aws CLI
// lines; --fail-outdated exits 3.
func TestNodes(t *testing.T) {
	c := nodesCluster(t)
	env := kubeconfigThenNodes(t, c)
	nodesRun(t, env, "full", 3)

	// Three runs (table, JSON, --fail-outdated), each reading every part
	// once; the two groups share one SSM parameter, read once a run; the
	// chain's sessions came from kubeconfig's run, cached.
	for _, call := range []struct {
		action string
		want   int
	}{{"DescribeCluster", 4}, {"DescribeClusterVersions", 3}, {"ListNodegroups", 3}, {"DescribeNodegroup", 6}, {"ListFargateProfiles", 3}, {"GetParameter", 3}} {
		if got := c.fake.Calls(call.action, roleWork); got != call.want {
			t.Errorf("%s calls by %s: %d, want %d", call.action, roleWork, got, call.want)
		}
	}
	if got := c.fake.Calls("AssumeRole", roleWork); got != 1 {
		t.Errorf("AssumeRole %s: %d calls, want 1 (kubeconfig's session, cached)", roleWork, got)
	}
	if got := c.api.NodeListCalls(); got != 3 {
		t.Errorf("GET /api/v1/nodes: %d calls, want 3", got)
	}

	// The real kubectl reads the same node list with the kubeconfig.
	out, errOut, err := kubectl(t, env, "get", "nodes", "-o", "name")
	if err != nil || !strings.Contains(out, "node/ip-10-0-4-40.eu-west-1.compute.internal") {
		t.Errorf("kubectl get nodes: %v\n%s\n%s", err, out, errOut)
	}
}

// TestNodesAllCurrent: no group behind, --fail-outdated exits 0.
func TestNodesAllCurrent(t *testing.T) {
	c := nodesCluster(t)
	c.fake.SetSSMParameter("eu-west-1", al2023x86, "1.31.4-20250123")
	r := runPlugin(t, c.env, "", append([]string{"nodes", "--fail-outdated", "-o", "json"}, twoHops...)...)
	var rep struct {
		NodeGroups struct {
			Items []struct{ Name, State string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
		t.Fatalf("nodes --fail-outdated: exit %d, %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if len(rep.NodeGroups.Items) != 2 || rep.NodeGroups.Items[0].State != "current" || rep.NodeGroups.Items[1].State != "current" {
		t.Errorf("node groups: %+v, want both current", rep.NodeGroups.Items)
	}
}

// TestNodesSSMDenied: SSM refused, the groups' latest release is unknown
// with the permission to grant; everything else is still there.
// --fail-outdated cannot tell: exit 1.
func TestNodesSSMDenied(t *testing.T) {
	c := nodesCluster(t)
	c.fake.DenySSM(roleWork)
	env := kubeconfigThenNodes(t, c)
	nodesRun(t, env, "ssm-denied", 1)
	// After the first refusal the other lookups are not tried: one call a run.
	if got := c.fake.Calls("GetParameter", roleWork); got != 3 {
		t.Errorf("GetParameter calls: %d, want 3", got)
	}
}

// TestNodesListRefused: the cluster answers 401 to the node list; the
// nodes are unknown, naming doctor, and the AWS side is all there.
func TestNodesListRefused(t *testing.T) {
	c := nodesCluster(t)
	env := kubeconfigThenNodes(t, c)
	c.api.Unmap(roleWork)
	nodesRun(t, env, "nodes-401", 3)
	if got := c.api.NodeListCalls(); got != 0 {
		t.Errorf("the node list was served %d times to a refused token", got)
	}
	if got := c.api.Rejected(); got != 3 {
		t.Errorf("the API server refused %d tokens, want 3", got)
	}
}

// TestNodesBadUsage: a bad -o is exit 2 with nothing on stdout, before any
// call.
func TestNodesBadUsage(t *testing.T) {
	c := nodesCluster(t)
	r := runPlugin(t, c.env, "", append([]string{"nodes", "-o", "yaml"}, twoHops...)...)
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "-o: unknown output format") {
		t.Errorf("nodes -o yaml: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := c.fake.Calls("AssumeRole", ""); got != 0 {
		t.Errorf("bad usage made %d AssumeRole calls", got)
	}
}

// TestNodesEKSAndRBACRefused: a refused ListNodegroups and an RBAC 403 on
// the node list each make their part unknown with what to grant; the
// control plane and the Fargate profiles are still reported, and
// --fail-outdated cannot tell (exit 1).
func TestNodesEKSAndRBACRefused(t *testing.T) {
	c := nodesCluster(t)
	c.fake.DenyEKS(roleWork, "ListNodegroups")
	c.api.ForbidNodes(true)
	r := runPlugin(t, c.env, "", append([]string{"nodes", "-o", "json", "--fail-outdated"}, twoHops...)...)
	var rep struct {
		ControlPlane    struct{ Version string }
		FargateProfiles struct{ Names []string }
		NodeGroups      struct {
			Unknown *struct{ Reason, Grant string }
		}
		Nodes struct {
			Unknown *struct{ Reason, Grant string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("nodes -o json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	if r.code != 1 || !strings.Contains(r.stderr, "--fail-outdated: cannot tell whether 1 node group(s) are behind") {
		t.Errorf("exit %d, stderr %q; want 1 and why", r.code, r.stderr)
	}
	if rep.ControlPlane.Version != "1.31" || len(rep.FargateProfiles.Names) != 1 {
		t.Errorf("the rest of the report is missing: %+v", rep)
	}
	if u := rep.NodeGroups.Unknown; u == nil || !strings.Contains(u.Reason, "AccessDeniedException") ||
		u.Grant != "IAM: eks:ListNodegroups on arn:aws:eks:eu-west-1:"+workAcct+":cluster/prod" {
		t.Errorf("node groups unknown: %+v", u)
	}
	if u := rep.Nodes.Unknown; u == nil || !strings.Contains(u.Reason, "403 Forbidden") || !strings.Contains(u.Grant, "list on nodes") {
		t.Errorf("nodes unknown: %+v", u)
	}
}

// TestNodesClusterNotFound: without the hops into the cluster's account the
// cluster is not found: exit 1, nothing on stdout, the error naming who
// asked (STS's answer for base credentials) and what to check.
func TestNodesClusterNotFound(t *testing.T) {
	c := nodesCluster(t)
	r := runPlugin(t, c.env, "", "nodes", "--cluster-name", "prod", "--region", "eu-west-1")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `no cluster "prod" in eu-west-1 for arn:aws:iam::`+identityAcct+`:user/alice`) ||
		!strings.Contains(r.stderr, "--cluster-name, --region") {
		t.Errorf("nodes from the wrong account: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}
