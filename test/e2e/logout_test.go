package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogoutByClusterName: the token kubectl uses was cached with the exec
// entry's full chain; `logout --cluster-name prod` alone forgets it (and
// the sessions), so kubectl's next call runs the chain again. A logout
// whose flags match nothing says so, lists what is cached and exits 1.
func TestLogoutByClusterName(t *testing.T) {
	c := newCluster(t)
	kc := filepath.Join(t.TempDir(), "config")
	if r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--cache", "file"}, twoHops...)...); r.code != 0 {
		t.Fatalf("kubeconfig: %q", r.stderr)
	}
	env := c.with("KUBECONFIG", kc)
	if _, errOut, err := kubectl(t, env, "auth", "whoami"); err != nil {
		t.Fatalf("kubectl: %v %q", err, errOut)
	}

	// Flags that select another chain: nothing matches, nothing goes.
	r := runPlugin(t, c.env, "", "logout", "--cluster-name", "prod", "--role-arn", roleDeep)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "nothing cached matches cluster prod") ||
		!strings.Contains(r.stderr, "token prod (eu-west-1) via "+roleTools+" -> "+roleWork) {
		t.Errorf("no match: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runPlugin(t, c.env, "", "logout", "--cluster-name", "staging")
	if r.code != 1 || !strings.Contains(r.stderr, "nothing cached matches cluster staging") {
		t.Errorf("another cluster: exit %d stderr %q", r.code, r.stderr)
	}

	r = runPlugin(t, c.env, "", "logout", "--cluster-name", "prod")
	if r.code != 0 || !strings.Contains(r.stdout, "Forgot 3 cached entries for cluster prod (1 tokens, 2 sessions)") {
		t.Errorf("logout --cluster-name: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(c.env["EKSXA_CACHE_DIR"], "*.entry")); len(files) != 0 {
		t.Errorf("entries left: %v", files)
	}
	before := c.fake.Calls("AssumeRole", roleWork)
	if _, errOut, err := kubectl(t, env, "auth", "whoami"); err != nil {
		t.Fatalf("kubectl after logout: %v %q", err, errOut)
	}
	if got := c.fake.Calls("AssumeRole", roleWork); got != before+1 {
		t.Errorf("kubectl after logout assumed %s %d times, want once: the token was not forgotten", roleWork, got-before)
	}
	r = runPlugin(t, c.env, "", "status")
	if !strings.Contains(r.stdout, "token") {
		t.Errorf("status after the new token: %q", r.stdout)
	}
}

// TestLogoutWhateverTheFilesSaid: entries cached through a profile are
// forgotten by the same flags after the profile's file changed.
func TestLogoutWhateverTheFilesSaid(t *testing.T) {
	w := newWorld(t)
	cfgFile := filepath.Join(w.env["HOME"], "aws-config")
	write := func(role string) {
		if err := os.WriteFile(cfgFile, []byte("[profile p]\ncredential_source = Environment\nrole_arn = "+role+"\nregion = eu-west-1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(roleTools)
	env := w.with("AWS_CONFIG_FILE", cfgFile)
	tokenOf(t, env, "--cluster-name", "prod", "--profile", "p", "--cache", "file")
	write(roleTools + "\n# edited") // the file changed since
	r := runPlugin(t, env, "", "logout", "--cluster-name", "prod", "--profile", "p")
	if r.code != 0 || !strings.Contains(r.stdout, "Forgot 2 cached entries") {
		t.Errorf("logout: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(w.env["EKSXA_CACHE_DIR"], "*.entry")); len(files) != 0 {
		t.Errorf("entries left: %v", files)
	}
}

// TestKeyringLogoutAllWithoutIndex uses the real Secret Service (see
// TestKeyringThroughTheBinary): with the cache folder and its index
// removed, status still shows the keyring's items, logout --all deletes
// them by attribute, and the next call is a miss.
func TestKeyringLogoutAllWithoutIndex(t *testing.T) {
	if os.Getenv("EKSXA_KEYRING_TEST") != "1" {
		t.Skip("needs a Secret Service: run `make keyring` (EKSXA_KEYRING_TEST=1 under hack/with-keyring.sh)")
	}
	w := newWorld(t)
	w.env["DBUS_SESSION_BUS_ADDRESS"] = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	args := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--cache", "keyring", "--role-arn", roleTools, "--role-arn", roleWork + ",external-id=ext-123"}
	runPlugin(t, w.env, "", "logout", "--all") // a clean keyring
	tokenOf(t, w.env, args...)
	if n := strings.Count(secretToolSearch(t), "attribute.service = kubectl-eksxa"); n != 3 {
		t.Fatalf("keyring holds %d items, want 3", n)
	}
	if err := os.RemoveAll(w.env["EKSXA_CACHE_DIR"]); err != nil {
		t.Fatal(err)
	}
	st := runPlugin(t, w.env, "", "status")
	if st.code != 0 || strings.Count(st.stdout, "unindexed") != 3 || strings.Contains(st.stdout, "Nothing cached") {
		t.Errorf("status without the index: exit %d stdout %q stderr %q", st.code, st.stdout, st.stderr)
	}
	r := runPlugin(t, w.env, "", "logout", "--all")
	if r.code != 0 || !strings.Contains(r.stdout, "Forgot 3") {
		t.Errorf("logout --all: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if items := secretToolSearch(t); strings.Contains(items, "kubectl-eksxa") {
		t.Errorf("items left in the keyring:\n%s", items)
	}
	before := w.fake.Calls("AssumeRole", "")
	tokenOf(t, w.env, args...)
	if w.fake.Calls("AssumeRole", "") != before+2 {
		t.Error("the call after logout --all was served from the keyring")
	}
	runPlugin(t, w.env, "", "logout", "--all")
}
