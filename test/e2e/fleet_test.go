package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
	"github.com/eksxa/kubectl-eksxa/test/e2e/apiserver"
)

// The fleet: an identity account with a jump role, and workload accounts
// with an eks-admin role that trusts it.
const fleetJump = "arn:aws:iam::" + identityAcct + ":role/jump"

var fleetAccts = []string{"444444444444", "555555555555", "666666666666"}

func fleetAdmin(acct string) string { return "arn:aws:iam::" + acct + ":role/eks-admin" }

// newFleet is a world with the jump role and an eks-admin role in each
// fleet account (those in deny refuse everybody), and the plugin on PATH
// for kubectl.
func newFleet(t *testing.T, opts fakeaws.Options, deny ...string) *world {
	t.Helper()
	w := newWorldWith(t, opts)
	w.fake.AddRole(fleetJump, fakeaws.RoleOptions{Trusted: []string{w.user.ARN}})
	for _, a := range fleetAccts {
		w.fake.AddRole(fleetAdmin(a), fakeaws.RoleOptions{ExternalID: "platform", Trusted: []string{fleetJump}, Deny: slices.Contains(deny, a)})
	}
	w.env["AWS_ENDPOINT_URL_EKS"] = w.fake.URL
	w.env["PATH"] = filepath.Dir(binary) + string(os.PathListSeparator) + os.Getenv("PATH")
	delete(w.env, "KUBERNETES_EXEC_INFO") // kubectl sets it
	return w
}

func fleetScan(kc string, accounts []string, regions []string, extra ...string) []string {
	return append([]string{"kubeconfig", "--all-clusters", "--kubeconfig", kc, "--region", regions[0],
		"--role-arn", fleetJump, "--accounts", strings.Join(accounts, ","), "--account-role", "eks-admin,external-id=platform",
		"--regions", strings.Join(regions, ",")}, extra...)
}

// kubectlContexts lists the contexts as kubectl sees them, sorted.
func kubectlContexts(t *testing.T, env map[string]string) []string {
	t.Helper()
	out, errOut, err := kubectl(t, env, "config", "get-contexts", "-o", "name")
	if err != nil {
		t.Fatalf("kubectl config get-contexts: %v %s", err, errOut)
	}
	names := strings.Fields(out)
	slices.Sort(names)
	return names
}

// kubectlView is the whole file as kubectl reads it.
func kubectlView(t *testing.T, env map[string]string) string {
	t.Helper()
	out, errOut, err := kubectl(t, env, "config", "view", "--raw", "-o", "json")
	if err != nil {
		t.Fatalf("kubectl config view: %v %s", err, errOut)
	}
	return out
}

func whoami(t *testing.T, env map[string]string, context string) string {
	t.Helper()
	out, errOut, err := kubectl(t, env, "auth", "whoami", "--context", context, "-o", "json")
	if err != nil {
		t.Fatalf("kubectl auth whoami --context %s: %v\n%s", context, err, errOut)
	}
	var review struct {
		Status struct {
			UserInfo struct {
				Username string `json:"username"`
			} `json:"userInfo"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &review); err != nil {
		t.Fatalf("whoami output: %v\n%s", err, out)
	}
	return review.Status.UserInfo.Username
}

// TestFleetKubeconfig: three accounts × two regions with five clusters,
// one account denied. Five contexts are written, the failure names the
// denied account's hop, the exit code is 1, the identity account's hop is
// assumed once, and the real kubectl gets into two of the clusters, each
// through its own account's role, against TLS API servers that check
// tokens with the EKS verifier.
func TestFleetKubeconfig(t *testing.T) {
	w := newFleet(t, fakeaws.Options{ListPageSize: 1}, "666666666666")
	routeSTS(t, w.fake)
	servers := map[string]*apiserver.Server{}
	for _, c := range []struct{ name, acct, region string }{
		{"web", "444444444444", "eu-west-1"},
		{"api", "444444444444", "eu-west-1"},
		{"web", "444444444444", "us-east-1"},
		{"data", "555555555555", "us-east-1"},
		{"ml", "555555555555", "eu-west-1"},
		{"secret", "666666666666", "eu-west-1"},
	} {
		api := apiserver.New(c.name, "aws", c.region)
		t.Cleanup(api.Close)
		api.Map(fleetAdmin(c.acct), apiserver.User{Username: "admin-" + c.acct + ":{{SessionName}}", Groups: []string{"system:masters"}})
		servers[c.acct+"/"+c.region+"/"+c.name] = api
		w.fake.AddCluster(fakeaws.Cluster{Name: c.name, Account: c.acct, Region: c.region, Endpoint: api.URL, CAData: api.CAData})
	}
	kc := filepath.Join(t.TempDir(), "config")
	r := runPlugin(t, w.env, "", fleetScan(kc, fleetAccts, []string{"eu-west-1", "us-east-1"}, "--alias-template", "{{.Name}}-{{.Region}}")...)
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	got := kubectlContexts(t, w.with("KUBECONFIG", kc))
	if want := []string{"api-eu-west-1", "data-us-east-1", "ml-eu-west-1", "web-eu-west-1", "web-us-east-1"}; !slices.Equal(got, want) {
		t.Errorf("contexts %v, want %v", got, want)
	}
	for _, s := range []string{
		"3 accounts × 2 regions scanned: 5 clusters found, 5 written (5 new, 0 updated), 0 unchanged, 0 removed.",
		"account 666666666666 (eu-west-1, us-east-1): hop 2/2 (arn:aws:iam::666666666666:role/eks-admin): AccessDenied",
		"error: 2 of 6 account/region scans failed",
	} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
	if n := w.fake.Calls("AssumeRole", fleetJump); n != 1 {
		t.Errorf("the identity account's hop was assumed %d times, want once for the whole run", n)
	}
	for _, a := range fleetAccts {
		if n := w.fake.Calls("AssumeRole", fleetAdmin(a)); n != 1 {
			t.Errorf("AssumeRole %s: %d calls, want 1 for both regions (the denied one too)", fleetAdmin(a), n)
		}
	}
	if strings.Contains(r.stderr, w.user.SecretAccessKey) {
		t.Error("stderr holds the secret key")
	}

	// The real kubectl, through two contexts in two accounts.
	env := w.with("KUBECONFIG", kc)
	for ctx, want := range map[string]string{"web-us-east-1": "admin-444444444444:eksxa-alice", "data-us-east-1": "admin-555555555555:eksxa-alice"} {
		if got := whoami(t, env, ctx); got != want {
			t.Errorf("kubectl --context %s is %q, want %q", ctx, got, want)
		}
	}
	if v := servers["444444444444/us-east-1/web"].Verified() + servers["555555555555/us-east-1/data"].Verified(); v < 2 {
		t.Errorf("the API servers verified %d tokens, want >= 2", v)
	}
	// The fleet run cached the sessions kubectl's token calls need: the
	// exec entries' chains hit them.
	for _, role := range []string{fleetJump, fleetAdmin("444444444444"), fleetAdmin("555555555555")} {
		if n := w.fake.Calls("AssumeRole", role); n != 1 {
			t.Errorf("after kubectl: %s was assumed %d times in all, want 1", role, n)
		}
	}
}

const fleetHandWritten = `apiVersion: v1
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

// TestFleetPrune: a second run without changes leaves the file byte for
// byte, --dry-run writes nothing, and --prune after a cluster disappears
// removes exactly its entries, even after kubectl rewrote the file, and
// keeps a hand-written context.
func TestFleetPrune(t *testing.T) {
	w := newFleet(t, fakeaws.Options{})
	for _, c := range []struct{ name, acct, region string }{
		{"web", "444444444444", "eu-west-1"}, {"old", "444444444444", "eu-west-1"}, {"data", "555555555555", "eu-west-1"},
	} {
		w.fake.AddCluster(fakeaws.Cluster{Name: c.name, Account: c.acct, Region: c.region, Endpoint: "https://" + c.name + ".example", CAData: []byte("ca")})
	}
	kc := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kc, []byte(fleetHandWritten), 0o600); err != nil {
		t.Fatal(err)
	}
	args := fleetScan(kc, fleetAccts[:2], []string{"eu-west-1"}, "--prune")
	if r := runPlugin(t, w.env, "", args...); r.code != 0 || !strings.Contains(r.stdout, "3 written (3 new, 0 updated)") {
		t.Fatalf("first run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	first, _ := os.ReadFile(kc)
	if r := runPlugin(t, w.env, "", args...); r.code != 0 || !strings.Contains(r.stdout, "3 unchanged, 0 removed") {
		t.Fatalf("second run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if second, _ := os.ReadFile(kc); string(second) != string(first) {
		t.Errorf("a second run without changes rewrote the file:\n%s\n---\n%s", first, second)
	}

	// kubectl rewrites the file its own way; the marks survive.
	oldARN := "arn:aws:eks:eu-west-1:444444444444:cluster/old"
	if _, errOut, err := kubectl(t, w.with("KUBECONFIG", kc), "config", "use-context", oldARN); err != nil {
		t.Fatalf("kubectl config use-context: %v %s", err, errOut)
	}
	w.fake.RemoveCluster("old", "444444444444", "eu-west-1")
	before, _ := os.ReadFile(kc)
	r := runPlugin(t, w.env, "", append(args, "--dry-run")...)
	if r.code != 0 || !strings.Contains(r.stdout, "remove     "+oldARN+"\n") || !strings.Contains(r.stdout, "Dry run: ") {
		t.Errorf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if after, _ := os.ReadFile(kc); string(after) != string(before) {
		t.Error("--dry-run wrote the file")
	}

	r = runPlugin(t, w.env, "", args...)
	if r.code != 0 || !strings.Contains(r.stdout, "0 written (0 new, 0 updated), 2 unchanged, 1 removed.") {
		t.Fatalf("prune: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// What prune should leave: the file before, with kubectl itself
	// deleting the vanished cluster's entries and the current context
	// that named it.
	want := filepath.Join(t.TempDir(), "want")
	if err := os.WriteFile(want, before, 0o600); err != nil {
		t.Fatal(err)
	}
	wantEnv := w.with("KUBECONFIG", want)
	for _, del := range [][]string{{"delete-context", oldARN}, {"delete-cluster", oldARN}, {"delete-user", oldARN}, {"unset", "current-context"}} {
		if _, errOut, err := kubectl(t, wantEnv, append([]string{"config"}, del...)...); err != nil {
			t.Fatalf("kubectl config %v: %v %s", del, err, errOut)
		}
	}
	if wantView, gotView := kubectlView(t, wantEnv), kubectlView(t, w.with("KUBECONFIG", kc)); wantView != gotView {
		t.Errorf("prune removed more or less than the vanished cluster's entries:\nwant:\n%s\ngot:\n%s", wantView, gotView)
	}
	if got := kubectlContexts(t, w.with("KUBECONFIG", kc)); !slices.Contains(got, "kind") || len(got) != 3 {
		t.Errorf("contexts after prune: %v, want kind and the two clusters left", got)
	}
	if !strings.Contains(r.stdout, "The current context was removed") {
		t.Errorf("stdout does not say the current context went:\n%s", r.stdout)
	}
}

// TestFleetConcurrency scans 3 accounts × 4 regions against a fake AWS
// that answers every call after 200 ms and logs the wall time against the
// time the same calls take one after another. A figure for the report,
// not a timed assertion.
func TestFleetConcurrency(t *testing.T) {
	const delay = 200 * time.Millisecond
	w := newFleet(t, fakeaws.Options{})
	regions := []string{"eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2"}
	for _, a := range fleetAccts {
		for _, r := range regions {
			w.fake.AddCluster(fakeaws.Cluster{Name: "c-" + r, Account: a, Region: r, Endpoint: "https://" + a + "." + r + ".example", CAData: []byte("ca")})
		}
	}
	w.fake.SetDelay(delay)
	kc := filepath.Join(t.TempDir(), "config")
	r := runPlugin(t, w.env, "", fleetScan(kc, fleetAccts, regions, "--cache", "none")...)
	if r.code != 0 || !strings.Contains(r.stdout, "12 written") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	calls := 0
	for _, action := range []string{"AssumeRole", "GetCallerIdentity", "ListClusters", "DescribeCluster"} {
		calls += w.fake.Calls(action, "")
	}
	sequential := time.Duration(calls) * delay
	t.Logf("3 accounts × 4 regions, 12 clusters: %d AWS calls × %s = %s one after another; measured %s wall time (process included), %.1fx faster",
		calls, delay, sequential, r.took.Round(time.Millisecond), float64(sequential)/float64(r.took))
	// The identity hop, one role per account, one ListClusters page and
	// one DescribeCluster per region.
	if want := 1 + 3 + 12 + 12; calls != want {
		t.Errorf("%d AWS calls, want %d", calls, want)
	}
}

// TestFleetLockHeld: the fleet writes under kubectl's lock like
// kubeconfig: a lock that stays fails the run, naming it, and leaves the
// file as it was.
func TestFleetLockHeld(t *testing.T) {
	w := newFleet(t, fakeaws.Options{})
	w.fake.AddCluster(fakeaws.Cluster{Name: "web", Account: "444444444444", Region: "eu-west-1", Endpoint: "https://web.example", CAData: []byte("ca")})
	kc := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kc, []byte(fleetHandWritten), 0o600); err != nil {
		t.Fatal(err)
	}
	lock := kc + ".lock"
	if err := os.WriteFile(lock, nil, 0); err != nil {
		t.Fatal(err)
	}
	r := runPlugin(t, w.env, "", fleetScan(kc, fleetAccts[:1], []string{"eu-west-1"}, "--lock-timeout", "300ms")...)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, lock) {
		t.Errorf("lock held: exit %d stdout %q stderr %q; want 1, nothing, the lock named", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(kc); string(b) != fleetHandWritten {
		t.Error("the file changed while kubectl's lock was held")
	}
	os.Remove(lock)
	if r := runPlugin(t, w.env, "", fleetScan(kc, fleetAccts[:1], []string{"eu-west-1"})...); r.code != 0 {
		t.Errorf("after the lock went: exit %d %q", r.code, r.stderr)
	}
}
