package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// A kuberc as a careful user keeps it: comments, other preferences, and a
// credential plugin allowlist (kubectl 1.35+) that does not list the plugin.
const allowlistKuberc = `apiVersion: kubectl.config.k8s.io/v1beta1
kind: Preference
# Only these may run as credential plugins.
credentialPluginPolicy: Allowlist
credentialPluginAllowlist:
  # the SSO helper
  - command: /usr/local/bin/cloudco-login   # pinned by path
defaults:
  - command: apply
    options:
      - name: server-side
        default: "true"
`

func TestKubercAllowlist(t *testing.T) {
	c := doctorCluster(t, "API", fakeaws.AccessEntry{PrincipalARN: roleWork, Policies: []fakeaws.AccessPolicy{
		{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}}})
	kuberc := filepath.Join(t.TempDir(), "kuberc")
	if err := os.WriteFile(kuberc, []byte(allowlistKuberc), 0o640); err != nil {
		t.Fatal(err)
	}
	env := c.with("KUBERC", kuberc, "KUBECONFIG", filepath.Join(t.TempDir(), "config"))
	entry := "- command: " + filepath.Join(filepath.Dir(binary), "kubectl-eksxa")
	unchanged := func(when string) {
		t.Helper()
		if b, _ := os.ReadFile(kuberc); string(b) != allowlistKuberc {
			t.Errorf("%s changed the kuberc without --allow-in-kuberc:\n%s", when, b)
		}
	}

	// kubeconfig writes the entry and warns, with the item to add.
	r := runPlugin(t, env, "", append([]string{"kubeconfig"}, twoHops...)...)
	if r.code != 0 || !strings.Contains(r.stderr, "kubectl 1.35+ will not run kubectl-eksxa") || !strings.Contains(r.stderr, entry) {
		t.Errorf("kubeconfig: exit %d, stderr %q; want a warning with %q", r.code, r.stderr, entry)
	}
	unchanged("kubeconfig")

	// doctor names the problem and prints the item; the principal gets in,
	// but kubectl 1.35+ would not run the plugin: exit 1.
	r = runPlugin(t, env, "", append([]string{"doctor"}, twoHops...)...)
	for _, want := range []string{"Verdict: ALLOWED", "kuberc:        " + kuberc + " (its credential plugin policy stops kubectl 1.35+ running it)",
		"Problem: kubectl 1.35+ will not run kubectl-eksxa: kuberc " + kuberc + ": credentialPluginAllowlist does not list kubectl-eksxa",
		"\n    " + entry + "\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 1 {
		t.Errorf("doctor: exit %d, want 1 (kubectl would not run the plugin)", r.code)
	}
	unchanged("doctor")

	// kubectl 1.32 has no credential plugin policy: it still runs the plugin.
	if out, errOut, err := kubectl(t, env, "auth", "whoami"); err != nil || !strings.Contains(out, "admin:eksxa-alice") {
		t.Errorf("kubectl auth whoami with the kuberc: %v %q %q", err, out, errOut)
	}

	// --allow-in-kuberc adds the item, first in the list, and changes
	// nothing else: the file is the original plus one line.
	r = runPlugin(t, env, "", append([]string{"doctor", "--allow-in-kuberc"}, twoHops...)...)
	if r.code != 0 || !strings.Contains(r.stderr, "Added \""+entry+"\" to credentialPluginAllowlist in "+kuberc) ||
		!strings.Contains(r.stdout, "(kubectl-eksxa added to credentialPluginAllowlist)") || strings.Contains(r.stdout, "Problem:") {
		t.Errorf("doctor --allow-in-kuberc: exit %d\nstdout %s\nstderr %q", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(kuberc)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(allowlistKuberc, "  - command: /usr/local/bin/cloudco-login", "  "+entry+"\n  - command: /usr/local/bin/cloudco-login", 1)
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("kuberc after --allow-in-kuberc (-want +got):\n%s", diff)
	}
	if fi, err := os.Stat(kuberc); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("kuberc mode after the edit: %v %v, want 0640 kept", fi.Mode(), err)
	}

	// Now doctor is content, and a second --allow-in-kuberc adds nothing.
	r = runPlugin(t, env, "", append([]string{"doctor", "--allow-in-kuberc"}, twoHops...)...)
	if r.code != 0 || !strings.Contains(r.stdout, kuberc+" (lets kubectl run it)") || strings.Contains(r.stderr, "Added") {
		t.Errorf("doctor after the edit: exit %d\nstdout %s\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if b2, _ := os.ReadFile(kuberc); string(b2) != string(b) {
		t.Errorf("a second --allow-in-kuberc changed the file again:\n%s", b2)
	}
	if out, errOut, err := kubectl(t, env, "auth", "whoami"); err != nil || !strings.Contains(out, "admin:eksxa-alice") {
		t.Errorf("kubectl auth whoami after the edit: %v %q %q", err, out, errOut)
	}
}

// DenyAll: doctor says so; --allow-in-kuberc refuses before any change,
// since allowing one plugin means changing the policy.
func TestKubercDenyAll(t *testing.T) {
	c := doctorCluster(t, "API", fakeaws.AccessEntry{PrincipalARN: roleWork, Policies: []fakeaws.AccessPolicy{
		{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}}})
	const deny = "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\ncredentialPluginPolicy: DenyAll\n"
	kuberc := filepath.Join(t.TempDir(), "kuberc")
	if err := os.WriteFile(kuberc, []byte(deny), 0o600); err != nil {
		t.Fatal(err)
	}
	kc := filepath.Join(t.TempDir(), "config")
	env := c.with("KUBERC", kuberc, "KUBECONFIG", kc)
	r := runPlugin(t, env, "", append([]string{"doctor", "--live=false"}, twoHops...)...)
	if r.code != 1 || !strings.Contains(r.stdout, "credentialPluginPolicy is DenyAll") {
		t.Errorf("doctor: exit %d stdout %s", r.code, r.stdout)
	}
	r = runPlugin(t, env, "", append([]string{"kubeconfig", "--allow-in-kuberc"}, twoHops...)...)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "--allow-in-kuberc: "+kuberc+": credentialPluginPolicy is DenyAll") {
		t.Errorf("kubeconfig --allow-in-kuberc: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(kuberc); string(b) != deny {
		t.Errorf("kuberc changed:\n%s", b)
	}
	if _, err := os.Stat(kc); err == nil {
		t.Error("kubeconfig --allow-in-kuberc that failed still wrote the kubeconfig")
	}
}
