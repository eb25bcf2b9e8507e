package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
	"github.com/eksxa/kubectl-eksxa/pkg/fleet"
)

const (
	fleetIdentity = "111111111111"
	fleetJump     = "arn:aws:iam::" + fleetIdentity + ":role/jump"
)

var fleetAccounts = []string{"222222222222", "333333333333", "444444444444"}

func fleetRole(account string) string { return "arn:aws:iam::" + account + ":role/eks-admin" }

// fleetWorld is a fake AWS with an identity account (a user and a jump
// role), three workload accounts with an eks-admin role that wants an
// external ID (the last one denies everybody), and five clusters.
type fleetWorld struct {
	fake *fakeaws.Server
	vars map[string]string
	kc   string
}

func newFleetWorld(t *testing.T) *fleetWorld {
	t.Helper()
	isolateAWS(t)
	fake := fakeaws.New(fakeaws.Options{ListPageSize: 1, Now: func() time.Time { return time.Now() }})
	t.Cleanup(fake.Close)
	user := fake.AddUser(fleetIdentity, "alice")
	fake.AddRole(fleetJump, fakeaws.RoleOptions{Trusted: []string{user.ARN}})
	for i, a := range fleetAccounts {
		fake.AddRole(fleetRole(a), fakeaws.RoleOptions{ExternalID: "platform", Trusted: []string{fleetJump}, Deny: i == 2})
	}
	for _, c := range []fakeaws.Cluster{
		{Name: "prod", Account: "222222222222", Region: "eu-west-1"},
		{Name: "staging", Account: "222222222222", Region: "eu-west-1"},
		{Name: "prod", Account: "222222222222", Region: "us-east-1"},
		{Name: "prod", Account: "333333333333", Region: "eu-west-1"},
		{Name: "batch", Account: "333333333333", Region: "us-east-1"},
		{Name: "hidden", Account: "444444444444", Region: "eu-west-1"},
	} {
		c.Endpoint = "https://" + c.Name + "." + c.Account + "." + c.Region + ".example"
		c.CAData = []byte("-----BEGIN CERTIFICATE-----\nMIIB" + c.Name + "\n-----END CERTIFICATE-----\n")
		fake.AddCluster(c)
	}
	// The SDK reads the process environment, the CLI its Env.
	t.Setenv("AWS_ACCESS_KEY_ID", user.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", user.SecretAccessKey)
	t.Setenv("AWS_ENDPOINT_URL_STS", fake.URL)
	t.Setenv("AWS_ENDPOINT_URL_EKS", fake.URL)
	home := os.Getenv("HOME")
	return &fleetWorld{
		fake: fake,
		kc:   filepath.Join(home, ".kube", "config"),
		vars: map[string]string{
			"AWS_ACCESS_KEY_ID":     user.AccessKeyID,
			"AWS_SECRET_ACCESS_KEY": user.SecretAccessKey,
			"EKSXA_CACHE_DIR":       filepath.Join(home, "cache"),
			"USER":                  "alice",
			"HOME":                  home,
		},
	}
}

// fleetArgs scans the three accounts in two regions through the jump role.
func fleetArgs(extra ...string) []string {
	return append([]string{"kubeconfig", "--all-clusters", "--region", "eu-west-1", "--role-arn", fleetJump,
		"--accounts", strings.Join(fleetAccounts, ","), "--account-role", "eks-admin,external-id=platform",
		"--regions", "eu-west-1,us-east-1"}, extra...)
}

func contexts(t *testing.T, path string) []string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range cfg.Contexts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runNow is run with the real clock: the fake AWS answers with the real
// time, and a fixed one would warn about clock skew.
func runNow(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), Env{
		Args: args, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return vars[k] }, Now: time.Now, Version: "v9.9.9-test",
	})
	return code, out.String(), errb.String()
}

// TestFleetMFAOnce: MFA on the identity account's hop is asked once for
// the whole fleet, before the accounts are scanned in parallel.
func TestFleetMFAOnce(t *testing.T) {
	w := newFleetWorld(t)
	const serial = "arn:aws:iam::" + fleetIdentity + ":mfa/alice"
	w.fake.AddRole(fleetJump, fakeaws.RoleOptions{MFASerial: serial, MFACode: "123456", MaxSessionDuration: 12 * time.Hour})
	orig := fleetPrompt
	fleetPrompt = stdinPrompt // as if stdin were a terminal
	t.Cleanup(func() { fleetPrompt = orig })
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{
		Args: []string{"kubeconfig", "--all-clusters", "--role-arn", fleetJump + ",mfa-serial=" + serial, "--accounts", "222222222222,333333333333",
			"--account-role", "eks-admin,external-id=platform", "--regions", "eu-west-1,us-east-1", "--cache", "none"},
		Stdin: strings.NewReader("123456\n"), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return w.vars[k] }, Now: time.Now,
	})
	if code != 0 || !strings.Contains(out.String(), "5 written") {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if n := strings.Count(errb.String(), "MFA code for "+serial); n != 1 {
		t.Errorf("asked for the MFA code %d times, want once:\n%s", n, errb.String())
	}
	if n := w.fake.Calls("AssumeRole", fleetJump); n != 1 {
		t.Errorf("AssumeRole %s: %d calls, want 1", fleetJump, n)
	}
}

func TestFleetDeniedAccount(t *testing.T) {
	for _, mode := range []string{"none", "file"} {
		t.Run("cache "+mode, func(t *testing.T) {
			w := newFleetWorld(t)
			code, out, errOut := runNow(t, w.vars, fleetArgs("--cache", mode, "--alias-template", "{{.Account}}/{{.Region}}/{{.Name}}")...)
			if code != exitFailure || out != "" {
				t.Fatalf("exit %d, stdout %q; want 1 and nothing\nstderr:\n%s", code, out, errOut)
			}
			want := []string{
				"222222222222/eu-west-1/prod", "222222222222/eu-west-1/staging", "222222222222/us-east-1/prod",
				"333333333333/eu-west-1/prod", "333333333333/us-east-1/batch",
			}
			if diff := cmp.Diff(want, contexts(t, w.kc)); diff != "" {
				t.Errorf("contexts (-want +got):\n%s", diff)
			}
			for _, s := range []string{
				"2 regions scanned: 5 clusters found, 5 written (5 new, 0 updated), 0 unchanged, 0 removed.",
				"Failed:\n  account 444444444444 (eu-west-1, us-east-1): hop 2/2 (arn:aws:iam::444444444444:role/eks-admin): AccessDenied:",
				"error: 2 of 6 account/region scans failed; " + w.kc + " has what was found",
			} {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			// The identity account's hop once for the whole run; each
			// workload account's once for both its regions, the denied
			// one included (a trust denial is not retried).
			if n := w.fake.Calls("AssumeRole", fleetJump); n != 1 {
				t.Errorf("AssumeRole %s: %d calls, want 1", fleetJump, n)
			}
			for _, a := range fleetAccounts {
				if n := w.fake.Calls("AssumeRole", fleetRole(a)); n != 1 {
					t.Errorf("AssumeRole %s: %d calls, want 1", fleetRole(a), n)
				}
			}
			// Pages of one name: 2+1 in 222 eu-west-1, 1+... every region
			// lists at least one page, and nothing in the denied account.
			if n := w.fake.Calls("ListClusters", fleetRole("222222222222")); n != 3 {
				t.Errorf("ListClusters in 222222222222: %d pages, want 3 (2 in eu-west-1, 1 in us-east-1)", n)
			}
			if n := w.fake.Calls("DescribeCluster", ""); n != 5 {
				t.Errorf("DescribeCluster: %d calls, want 5", n)
			}
			if strings.Contains(errOut, w.vars["AWS_SECRET_ACCESS_KEY"]) {
				t.Error("stderr holds the secret key")
			}
		})
	}
}

func TestFleetExecEntries(t *testing.T) {
	w := newFleetWorld(t)
	if code, _, errOut := runNow(t, w.vars, fleetArgs("--cache", "none")...); code != exitFailure {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	cfg, err := clientcmd.LoadFromFile(w.kc)
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:eks:us-east-1:333333333333:cluster/batch"
	ctx := cfg.Contexts[arn]
	if ctx == nil || ctx.Cluster != arn || ctx.AuthInfo != arn {
		t.Fatalf("context %s = %+v", arn, ctx)
	}
	if got := cfg.Clusters[arn].Server; got != "https://batch.333333333333.us-east-1.example" {
		t.Errorf("server = %q", got)
	}
	want := []string{"token", "--cluster-name", "batch", "--region", "us-east-1",
		"--role-arn", fleetJump, "--role-arn", "arn:aws:iam::333333333333:role/eks-admin,external-id=platform", "--cache", "none"}
	if diff := cmp.Diff(want, cfg.AuthInfos[arn].Exec.Args); diff != "" {
		t.Errorf("exec args (-want +got):\n%s", diff)
	}
	for what, ext := range map[string]map[string]runtime.Object{"context": ctx.Extensions, "cluster": cfg.Clusters[arn].Extensions, "user": cfg.AuthInfos[arn].Extensions} {
		u, ok := ext[fleet.MarkerName].(*runtime.Unknown)
		if !ok || string(u.Raw) != `{"account":"333333333333","cluster":"batch","region":"us-east-1"}` {
			t.Errorf("%s marker = %#v", what, ext[fleet.MarkerName])
		}
	}
	if cfg.CurrentContext != "" {
		t.Errorf("current-context set to %q; a fleet run leaves it alone", cfg.CurrentContext)
	}
}

const handWrittenContext = `apiVersion: v1
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

func TestFleetRerunPruneDryRun(t *testing.T) {
	w := newFleetWorld(t)
	if err := os.MkdirAll(filepath.Dir(w.kc), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.kc, []byte(handWrittenContext), 0o600); err != nil {
		t.Fatal(err)
	}
	// The denied account is left out: every scan succeeds.
	args := []string{"kubeconfig", "--all-clusters", "--role-arn", fleetJump, "--accounts", "222222222222,333333333333",
		"--account-role", "eks-admin,external-id=platform", "--regions", "us-east-1,eu-west-1", "--alias-template", "{{.Name}}.{{.Region}}.{{.Account}}", "--prune"}
	code, out, errOut := runNow(t, w.vars, args...)
	if code != 0 || !strings.Contains(out, "5 written (5 new, 0 updated), 0 unchanged, 0 removed.\nWrote "+w.kc) {
		t.Fatalf("first run: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	first := readFile(t, w.kc)
	fi1, _ := os.Stat(w.kc)

	// The same fleet again: the file is left byte for byte.
	code, out, _ = runNow(t, w.vars, args...)
	if code != 0 || !strings.Contains(out, "0 written (0 new, 0 updated), 5 unchanged, 0 removed.\n"+w.kc+" is up to date.") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
	if got := readFile(t, w.kc); got != first {
		t.Errorf("second run changed the file:\n%s", got)
	}

	// A cluster is deleted: --dry-run plans its removal and writes nothing.
	w.fake.RemoveCluster("staging", "222222222222", "eu-west-1")
	code, out, errOut = runNow(t, w.vars, append(args, "--dry-run")...)
	if code != 0 {
		t.Fatalf("dry run: exit %d %s", code, errOut)
	}
	for _, s := range []string{"unchanged  prod.eu-west-1.222222222222  (arn:aws:eks:eu-west-1:222222222222:cluster/prod)\n",
		"remove     staging.eu-west-1.222222222222  (arn:aws:eks:eu-west-1:222222222222:cluster/staging)\n",
		"Dry run: " + w.kc + " not written."} {
		if !strings.Contains(out, s) {
			t.Errorf("dry run output lacks %q:\n%s", s, out)
		}
	}
	if strings.Count(out, "unchanged  ") != 4 {
		t.Errorf("dry run: want 4 unchanged lines:\n%s", out)
	}
	fi2, _ := os.Stat(w.kc)
	if got := readFile(t, w.kc); got != first || !fi2.ModTime().Equal(fi1.ModTime()) {
		t.Error("--dry-run wrote the file")
	}

	// --prune removes exactly the deleted cluster's entries.
	code, out, errOut = runNow(t, w.vars, args...)
	if code != 0 || !strings.Contains(out, "0 written (0 new, 0 updated), 4 unchanged, 1 removed.") {
		t.Fatalf("prune: exit %d\n%s\n%s", code, out, errOut)
	}
	before, _ := clientcmd.Load([]byte(first))
	after, err := clientcmd.LoadFromFile(w.kc)
	if err != nil {
		t.Fatal(err)
	}
	gone := "arn:aws:eks:eu-west-1:222222222222:cluster/staging"
	delete(before.Contexts, "staging.eu-west-1.222222222222")
	delete(before.Clusters, gone)
	delete(before.AuthInfos, "staging.eu-west-1.222222222222") // users are named after their context
	b1, _ := clientcmd.Write(*before)
	b2, _ := clientcmd.Write(*after)
	if diff := cmp.Diff(string(b1), string(b2)); diff != "" {
		t.Errorf("prune removed more or less than the deleted cluster's entries (-want +got):\n%s", diff)
	}
	if after.Contexts["kind"] == nil || after.CurrentContext != "kind" || after.AuthInfos["kind-admin"].Token != "not-a-real-token" {
		t.Error("prune touched the hand-written context")
	}
}

func TestFleetOwnAccount(t *testing.T) {
	w := newFleetWorld(t)
	// No --accounts: the chain's own final account, in its region.
	code, out, errOut := runNow(t, w.vars, "kubeconfig", "--all-clusters", "--region", "us-east-1",
		"--role-arn", fleetJump, "--role-arn", fleetRole("333333333333")+",external-id=platform", "--alias-template", "{{.Name}}")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	if diff := cmp.Diff([]string{"batch"}, contexts(t, w.kc)); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}
	if !strings.Contains(out, "1 account × 1 region scanned: 1 cluster found") {
		t.Errorf("stdout:\n%s", out)
	}
	cfg, _ := clientcmd.LoadFromFile(w.kc)
	want := []string{"token", "--cluster-name", "batch", "--region", "us-east-1",
		"--role-arn", fleetJump, "--role-arn", fleetRole("333333333333") + ",external-id=platform"}
	if diff := cmp.Diff(want, cfg.AuthInfos["batch"].Exec.Args); diff != "" {
		t.Errorf("exec args (-want +got):\n%s", diff)
	}
}

func TestFleetBaseCredentialsOnly(t *testing.T) {
	w := newFleetWorld(t)
	w.fake.AddCluster(fakeaws.Cluster{Name: "tools", Account: fleetIdentity, Region: "eu-west-1", Endpoint: "https://tools.example"})
	// No hop and no --accounts: STS says which account the keys are in.
	// A leading ~ in --kubeconfig is the home directory, as everywhere.
	code, out, errOut := runNow(t, w.vars, "kubeconfig", "--all-clusters", "--regions", "eu-west-1", "--kubeconfig", "~/fleet.yaml")
	if code != 0 || !strings.Contains(out, "1 account × 1 region scanned: 1 cluster found") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if diff := cmp.Diff([]string{"arn:aws:eks:eu-west-1:" + fleetIdentity + ":cluster/tools"}, contexts(t, filepath.Join(w.vars["HOME"], "fleet.yaml"))); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}
	if n := w.fake.Calls("GetCallerIdentity", ""); n != 1 {
		t.Errorf("GetCallerIdentity: %d calls, want 1", n)
	}
}

// TestFleetAccountsFromBaseKeys: no hop of the chain's own, so every
// account's role is assumed with the base keys, concurrently.
func TestFleetAccountsFromBaseKeys(t *testing.T) {
	w := newFleetWorld(t)
	for _, a := range fleetAccounts[:2] {
		w.fake.AddRole("arn:aws:iam::"+a+":role/direct", fakeaws.RoleOptions{})
	}
	code, out, errOut := runNow(t, w.vars, "kubeconfig", "--all-clusters", "--accounts", "222222222222,333333333333",
		"--account-role", "direct", "--regions", "eu-west-1,us-east-1", "--alias-template", "{{.Account}}-{{.Region}}-{{.Name}}")
	if code != 0 || !strings.Contains(out, "5 written (5 new, 0 updated)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	cfg, _ := clientcmd.LoadFromFile(w.kc)
	want := []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", "arn:aws:iam::333333333333:role/direct"}
	if diff := cmp.Diff(want, cfg.AuthInfos["333333333333-eu-west-1-prod"].Exec.Args); diff != "" {
		t.Errorf("exec args (-want +got):\n%s", diff)
	}
}

func TestFleetAliasCollision(t *testing.T) {
	w := newFleetWorld(t)
	code, out, errOut := runNow(t, w.vars, fleetArgs("--alias-template", "{{.Name}}")...)
	if code != exitFailure || out != "" {
		t.Fatalf("exit %d stdout %q", code, out)
	}
	if !strings.Contains(errOut, `--alias-template gives the context name "prod" to both arn:aws:eks:eu-west-1:222222222222:cluster/prod and arn:aws:eks:us-east-1:222222222222:cluster/prod; add .Account or .Region to it; nothing was written`) {
		t.Errorf("stderr:\n%s", errOut)
	}
	if _, err := os.Stat(w.kc); err == nil {
		t.Error("the kubeconfig was written")
	}
}

// TestFleetAliasBadName: a context name with a control character or
// longer than 253 bytes is a usage error, before any AWS call when the
// template's own text makes it, after the scan when only some clusters'
// data do; nothing is written either way.
func TestFleetAliasBadName(t *testing.T) {
	for _, tt := range []struct{ name, tmpl, want string }{
		{"newline in the template", "{{.Name}}\n{{.Region}}", "holds the control character U+000A"},
		{"a megabyte", strings.Repeat("x", 1<<20), "is 1048576 bytes, more than 253"},
		{"from one region's data", `{{.Account}}{{if eq .Region "us-east-1"}}{{else}}{{"\t"}}{{end}}{{.Name}}`, "--alias-template for arn:aws:eks:eu-west-1:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newFleetWorld(t)
			code, out, errOut := runNow(t, w.vars, fleetArgs("--alias-template", tt.tmpl)...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) || len(errOut) > 2000 {
				t.Fatalf("exit %d stdout %q stderr %.3000s", code, out, errOut)
			}
			if _, err := os.Stat(w.kc); err == nil {
				t.Error("the kubeconfig was written")
			}
		})
	}
}

// TestFleetNothingFoundCreatesNothing: a scan that finds no cluster
// writes nothing, so it creates neither the kubeconfig nor its folder (nor
// a lock file), and says so.
func TestFleetNothingFoundCreatesNothing(t *testing.T) {
	w := newFleetWorld(t)
	dir := filepath.Join(t.TempDir(), "no", "such", "dir")
	kc := filepath.Join(dir, "kc")
	code, out, errOut := runNow(t, w.vars, "kubeconfig", "--all-clusters", "--region", "eu-west-1", "--role-arn", fleetJump,
		"--accounts", "222222222222", "--account-role", "eks-admin,external-id=platform", "--regions", "ap-south-1", "--kubeconfig", kc)
	if code != 0 || !strings.Contains(out, "0 clusters found") || !strings.Contains(out, "Nothing to write: "+kc+" was not created.") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s: %v, want it never created", filepath.Dir(dir), err)
	}
}

func TestFleetLeavesForeignContexts(t *testing.T) {
	w := newFleetWorld(t)
	if err := os.MkdirAll(filepath.Dir(w.kc), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.kc, []byte(handWrittenContext), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"kubeconfig", "--all-clusters", "--role-arn", fleetJump, "--accounts", "333333333333",
		"--account-role", "eks-admin,external-id=platform", "--regions", "us-east-1", "--alias-template", "kind"}
	code, out, errOut := runNow(t, w.vars, args...)
	if code != exitFailure || out != "" || !strings.Contains(errOut, `context "kind" already holds cluster "kind", not cluster arn:aws:eks:us-east-1:333333333333:cluster/batch, and was not written by --all-clusters`) {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	if readFile(t, w.kc) != handWrittenContext {
		t.Error("the file changed")
	}
	// --overwrite replaces it, as for kubeconfig.
	if code, _, errOut := runNow(t, w.vars, append(args, "--overwrite")...); code != 0 {
		t.Fatalf("--overwrite: exit %d %s", code, errOut)
	}
	cfg, _ := clientcmd.LoadFromFile(w.kc)
	if cfg.Contexts["kind"].Cluster != "arn:aws:eks:us-east-1:333333333333:cluster/batch" {
		t.Errorf("--overwrite: context kind = %+v", cfg.Contexts["kind"])
	}
}

func TestFleetProgressOnTerminal(t *testing.T) {
	w := newFleetWorld(t)
	orig := stderrIsTerminal
	stderrIsTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { stderrIsTerminal = orig })
	_, _, errOut := runNow(t, w.vars, fleetArgs()...)
	for _, s := range []string{"Scanning 3 accounts × 2 regions ...\n", "  222222222222 eu-west-1: 2 clusters\n", "  333333333333 us-east-1: 1 cluster\n", "  444444444444 us-east-1: failed in the chain into the account (details at the end)\n"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("progress lacks %q:\n%s", s, errOut)
		}
	}
	stderrIsTerminal = func(io.Writer) bool { return false }
	w2 := newFleetWorld(t)
	_, _, errOut = runNow(t, w2.vars, fleetArgs()...)
	if strings.Contains(errOut, "Scanning") || strings.Contains(errOut, ": 2 clusters") {
		t.Errorf("progress lines when stderr is not a terminal:\n%s", errOut)
	}
}

func TestFleetUsageErrors(t *testing.T) {
	isolateAWS(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--all-clusters", "--cluster-name", "prod"}, "--cluster-name and --all-clusters exclude each other"},
		{[]string{"--all-clusters", "--alias", "x"}, "with --all-clusters use --alias-template"},
		{[]string{"--cluster-name", "prod", "--regions", "eu-west-1"}, "--regions needs --all-clusters"},
		{[]string{"--cluster-name", "prod", "--prune"}, "--prune needs --all-clusters"},
		{[]string{"--all-clusters", "--accounts", "222222222222"}, "--accounts needs --account-role"},
		{[]string{"--all-clusters", "--account-role", "eks-admin"}, "--account-role needs --accounts"},
		{[]string{"--all-clusters", "--accounts", "22222222222", "--account-role", "eks-admin"}, `--accounts: account "22222222222" is not an AWS account ID (12 digits)`},
		{[]string{"--all-clusters", "--accounts", "222222222222,", "--account-role", "eks-admin"}, `--accounts: account "" is not`},
		{[]string{"--all-clusters", "--regions", "eu-west-1,mars-north-1x"}, `--regions: invalid region "mars-north-1x"`},
		{[]string{"--all-clusters", "--regions", "eu-west-1,cn-north-1"}, "different AWS partitions"},
		{[]string{"--all-clusters", "--accounts", "222222222222", "--account-role", "arn:aws:iam::222222222222:role/x"}, "give the role name only"},
		{[]string{"--all-clusters", "--accounts", "222222222222", "--account-role", "eks-admin,externalid=x"}, `--account-role "eks-admin,externalid=x": hop spec "arn:aws:iam::222222222222:role/eks-admin,externalid=x": unknown setting "externalid"`},
		{[]string{"--all-clusters", "--alias-template", "{{.Nmae}}"}, `--alias-template "{{.Nmae}}": can't evaluate field Nmae`}, //nolint:misspell // the misspelt field is the test
		{[]string{"--all-clusters", "--alias-template", "{{.Name"}, `--alias-template "{{.Name" is not a Go template`},
		{[]string{"--all-clusters", "--region", "moon-1"}, `--region: invalid region "moon-1"`},
		{[]string{"--all-clusters", "--user-alias", "me"}, "--user-alias names one user"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, nil, append([]string{"kubeconfig"}, tt.args...)...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", code, out, errOut, tt.want)
			}
		})
	}
}
