package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyringThroughTheBinary uses the real Secret Service (gnome-keyring on
// a private D-Bus, set up by hack/with-keyring.sh; `make keyring` runs it):
// auto mode picks the keyring, items land there and not in plain files, a
// warm call reads them, and logout --all removes them.
func TestKeyringThroughTheBinary(t *testing.T) {
	if os.Getenv("EKSXA_KEYRING_TEST") != "1" {
		t.Skip("needs a Secret Service: run `make keyring` (EKSXA_KEYRING_TEST=1 under hack/with-keyring.sh)")
	}
	w := newWorld(t)
	w.env["DBUS_SESSION_BUS_ADDRESS"] = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	args := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", roleTools, "--role-arn", roleWork + ",external-id=ext-123"}

	tok, r := tokenOf(t, w.env, args...) // --cache auto
	if strings.Contains(r.stderr, "no OS keyring answered") {
		t.Fatalf("auto mode fell back to files: %q", r.stderr)
	}
	verify(t, tok, "prod", "eu-west-1")
	if _, err := os.Stat(filepath.Join(w.env["EKSXA_CACHE_DIR"], ".keyring-no-answer")); err == nil {
		t.Error("a keyring that answered was remembered as not answering")
	}
	items := secretToolSearch(t)
	if n := strings.Count(items, "attribute.service = kubectl-eksxa"); n != 3 {
		t.Errorf("keyring holds %d kubectl-eksxa items, want 3 (token + 2 sessions):\n%s", n, items)
	}
	if !strings.Contains(items, tok) {
		t.Error("the token is not in the keyring")
	}

	// No secret in any plain file of the cache folder (the index and lock
	// files are there).
	must(t, filepath.Walk(w.env["EKSXA_CACHE_DIR"], func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), tok) || strings.Contains(string(b), "k8s-aws-v1.") || strings.Contains(string(b), "SecretAccessKey") {
			t.Errorf("%s holds a secret", p)
		}
		return nil
	}))

	before := w.fake.Calls("AssumeRole", "")
	tok2, _ := tokenOf(t, w.env, args...)
	if tok2 != tok || w.fake.Calls("AssumeRole", "") != before {
		t.Error("the warm call did not come from the keyring")
	}

	if r := runPlugin(t, w.env, "", "logout", "--all"); r.code != 0 || !strings.Contains(r.stdout, "Forgot 3") {
		t.Errorf("logout --all: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if items := secretToolSearch(t); strings.Contains(items, "kubectl-eksxa") {
		t.Errorf("items left in the keyring after logout --all:\n%s", items)
	}
}

func secretToolSearch(t *testing.T) string {
	t.Helper()
	out, _ := exec.Command("secret-tool", "search", "--all", "--unlock", "service", "kubectl-eksxa").CombinedOutput()
	return string(out)
}

// TestKeyringDamagedIndex: items in the real Secret Service, index.json
// cut short: status lists them (they describe themselves), and logout
// --cluster-name finds and forgets them without the index.
func TestKeyringDamagedIndex(t *testing.T) {
	if os.Getenv("EKSXA_KEYRING_TEST") != "1" {
		t.Skip("needs a Secret Service: run `make keyring` (EKSXA_KEYRING_TEST=1 under hack/with-keyring.sh)")
	}
	w := newWorld(t)
	w.env["DBUS_SESSION_BUS_ADDRESS"] = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	args := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--cache", "keyring", "--role-arn", roleTools}
	tokenOf(t, w.env, args...)
	if n := strings.Count(secretToolSearch(t), "attribute.service = kubectl-eksxa"); n != 2 {
		t.Fatalf("keyring holds %d items, want 2", n)
	}
	if err := os.WriteFile(filepath.Join(w.env["EKSXA_CACHE_DIR"], "index.json"), []byte(`{"v":1,"entries":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runPlugin(t, w.env, "", "status")
	if r.code != 0 || !strings.Contains(r.stderr, "could not be read") || strings.Count(r.stdout, "prod") != 2 || strings.Contains(r.stdout, "unindexed") {
		t.Errorf("status: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runPlugin(t, w.env, "", "logout", "--cluster-name", "prod")
	if r.code != 0 || !strings.Contains(r.stdout, "Forgot 2") {
		t.Errorf("logout: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if items := secretToolSearch(t); strings.Contains(items, "kubectl-eksxa") {
		t.Errorf("items left in the keyring after logout --cluster-name prod:\n%s", items)
	}
}
