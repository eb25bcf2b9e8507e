package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/eksxa/kubectl-eksxa/test/e2e/apiserver"
)

// contextsIn lists the contexts of a kubeconfig file, failing the test
// when it does not parse.
func contextsIn(t *testing.T, path string) map[string]string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for name, c := range cfg.Contexts {
		out[name] = c.AuthInfo
	}
	return out
}

// TestKubeconfigConcurrentWriters: eight `kubeconfig --alias ctx-i` at once
// on one file leave eight contexts, and every one that said "written"
// was written.
func TestKubeconfigConcurrentWriters(t *testing.T) {
	c := newCluster(t)
	kc := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kc, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	results := make([]result, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--alias", fmt.Sprintf("ctx-%d", i)}, twoHops...)...)
		}()
	}
	wg.Wait()
	got := contextsIn(t, kc)
	for i, r := range results {
		name := fmt.Sprintf("ctx-%d", i)
		if r.code != 0 || !strings.Contains(r.stdout, "written") {
			t.Errorf("%s: exit %d stdout %q stderr %q", name, r.code, r.stdout, r.stderr)
		}
		if got[name] != name {
			t.Errorf("context %s: user %q, want its own user %q", name, got[name], name)
		}
	}
	if len(got) != n+1 {
		t.Errorf("%d contexts, want %d (8 + kind-dev): %v", len(got), n+1, got)
	}
	if _, err := os.Stat(kc + ".lock"); err == nil {
		t.Error("a lock file was left behind")
	}
}

// TestKubeconfigWithKubectlConfigInParallel: kubectl-eksxa and the real
// `kubectl config set-context` writing one file at once lose nothing.
// kubectl does not wait for a lock (it fails with "file exists"), so its
// runs are retried as a user would; kubectl-eksxa waits on its own.
func TestKubeconfigWithKubectlConfigInParallel(t *testing.T) {
	c := newCluster(t)
	kc := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kc, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	const n = 6
	var wg sync.WaitGroup
	// kubectl itself reads the file before it takes the lock, then deletes
	// whatever the fresh file has that its stale copy lacks (client-go's
	// ModifyConfig): two kubectl processes at once can lose each other's
	// entries, and kubectl can drop an entry another writer added in that
	// window. That is kubectl's race, not ours, so the kubectl runs are
	// serialised among themselves; what this test holds kubectl-eksxa to is
	// that it, running between them, never loses what kubectl wrote.
	var kubectlMu sync.Mutex
	errs := make(chan string, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--alias", fmt.Sprintf("eksxa-%d", i)}, twoHops...)...)
			if r.code != 0 {
				errs <- fmt.Sprintf("eksxa-%d: exit %d %q", i, r.code, r.stderr)
			}
		}()
		go func() {
			defer wg.Done()
			for try := 0; ; try++ {
				kubectlMu.Lock()
				_, errOut, err := kubectl(t, map[string]string{"HOME": c.env["HOME"]}, "--kubeconfig", kc, "config", "set-context", fmt.Sprintf("kubectl-%d", i), "--cluster", "kind-dev", "--user", "kind-dev")
				kubectlMu.Unlock()
				if err == nil {
					return
				}
				if !strings.Contains(errOut, ".lock: file exists") || try > 500 {
					errs <- fmt.Sprintf("kubectl-%d: %v %q", i, err, errOut)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	got := contextsIn(t, kc)
	for i := range n {
		if _, ok := got[fmt.Sprintf("kubectl-%d", i)]; !ok {
			t.Errorf("context kubectl-%d was lost: a kubectl-eksxa write dropped what kubectl wrote", i)
		}
		if _, ok := got[fmt.Sprintf("eksxa-%d", i)]; !ok {
			// Only kubectl's stale delete (see above) can do this.
			t.Logf("context eksxa-%d was dropped by a kubectl run that read the file before it was written", i)
		}
	}
}

// TestKubeconfigKubectlLockHeld: with kubectl's lock in place, kubeconfig
// waits; when it stays, it fails naming the lock, writes nothing and
// says nothing on stdout.
func TestKubeconfigKubectlLockHeld(t *testing.T) {
	c := newCluster(t)
	kc := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(kc, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	lock := kc + ".lock"
	if err := os.WriteFile(lock, nil, 0); err != nil {
		t.Fatal(err)
	}
	r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--lock-timeout", "300ms"}, twoHops...)...)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, lock) || !strings.Contains(r.stderr, "rm "+lock) {
		t.Errorf("lock held: exit %d stdout %q stderr %q; want 1, nothing, the lock named", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(kc); string(b) != other {
		t.Error("the file changed while kubectl's lock was held")
	}
	// The lock goes while kubeconfig waits: it writes.
	go func() {
		time.Sleep(300 * time.Millisecond)
		os.Remove(lock)
	}()
	r = runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--alias", "after"}, twoHops...)...)
	if r.code != 0 || contextsIn(t, kc)["after"] == "" {
		t.Errorf("after the lock went: exit %d %q", r.code, r.stderr)
	}
}

// TestKubeconfigTwoChainsOneCluster: an admin alias and a deployer alias
// of one cluster keep their own chains, and kubectl is each in turn; a
// third write that would reuse a name for another chain is refused.
func TestKubeconfigTwoChainsOneCluster(t *testing.T) {
	c := newCluster(t)
	c.api.Map("arn:aws:iam::"+workAcct+":role/eks-deployer", apiserver.User{Username: "deployer:{{SessionName}}", Groups: []string{"system:masters"}})
	kc := filepath.Join(t.TempDir(), "config")
	deployer := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", roleTools, "--role-arn", roleDeep}
	for _, step := range []struct {
		alias string
		args  []string
	}{{"demo-admin", twoHops}, {"demo-deploy", deployer}} {
		if r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--alias", step.alias}, step.args...)...); r.code != 0 {
			t.Fatalf("%s: %q", step.alias, r.stderr)
		}
	}
	env := c.with("KUBECONFIG", kc)
	for ctx, want := range map[string]string{"demo-admin": "admin:eksxa-alice", "demo-deploy": "deployer:eksxa-alice"} {
		out, errOut, err := kubectl(t, env, "auth", "whoami", "--context", ctx)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("context %s: %v %q %q; want %s", ctx, err, out, errOut, want)
		}
	}
	before, _ := os.ReadFile(kc)
	r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--alias", "demo-admin"}, deployer...)...)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `"demo-admin" already holds`) || !strings.Contains(r.stderr, "--overwrite") {
		t.Errorf("reusing a name for another chain: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if after, _ := os.ReadFile(kc); string(after) != string(before) {
		t.Error("a refused write changed the file")
	}
	r = runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--alias", "demo-admin", "--overwrite"}, deployer...)...)
	if out, _, _ := kubectl(t, env, "auth", "whoami", "--context", "demo-admin"); r.code != 0 || !strings.Contains(out, "deployer:") {
		t.Errorf("--overwrite: exit %d %q; kubectl is %q", r.code, r.stderr, out)
	}
}

// secretPlaceholder is in every credential of the kubeconfig that
// TestKubeconfigNeverShowsItsSecrets runs against.
const secretPlaceholder = "PLACEHOLDER-s3cr3t-7f1e"

// secretKeyData is base64 of "-----BEGIN KEY PLACEHOLDER-s3cr3t-7f1e-----".
const secretKeyData = "LS0tLS1CRUdJTiBLRVkgUExBQ0VIT0xERVItczNjcjN0LTdmMWUtLS0tLQ=="

func secretKubeconfig(duplicate bool) string {
	second := "admin2"
	if duplicate {
		second = "admin"
	}
	return `apiVersion: v1
kind: Config
clusters:
- name: kind-dev
  cluster:
    server: https://127.0.0.1:6443
contexts:
- name: kind-dev
  context:
    cluster: kind-dev
    user: admin
current-context: kind-dev
users:
- name: admin
  user:
    token: tok-` + secretPlaceholder + `
- name: ` + second + `
  user:
    username: bob
    password: pw-` + secretPlaceholder + `
    client-key-data: ` + secretKeyData + `
- name: oidc
  user:
    auth-provider:
      name: oidc
      config:
        id-token: id-` + secretPlaceholder + `
- name: other-exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
      env:
      - name: AWS_SECRET_ACCESS_KEY
        value: env-` + secretPlaceholder + `
`
}

// TestKubeconfigNeverShowsItsSecrets runs every kubeconfig command against
// a file holding secret-shaped placeholders (a token, a password, a key,
// an auth-provider token, an exec env secret) and greps every output
// stream for them, in every encoding the loader could print.
func TestKubeconfigNeverShowsItsSecrets(t *testing.T) {
	c := newCluster(t)
	dir := t.TempDir()
	kc := filepath.Join(dir, "config")
	dup := filepath.Join(dir, "dup")
	broken := filepath.Join(dir, "broken")
	if err := os.WriteFile(kc, []byte(secretKubeconfig(false)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dup, []byte(secretKubeconfig(true)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte(strings.Replace(secretKubeconfig(false), "token: tok-", "token: [tok-", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	kcArgs := func(file string, extra ...string) []string {
		return append(append([]string{"kubeconfig", "--kubeconfig", file}, extra...), twoHops...)
	}
	steps := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"dry run", kcArgs(kc, "--dry-run", "-v"), 0, "token: REDACTED"},
		{"write, verbose", kcArgs(kc, "-v", "--alias", "prod"), 0, "written"},
		{"write again", kcArgs(kc, "--alias", "prod"), 0, "written"},
		{"name held by a token user", kcArgs(kc, "--alias", "x", "--user-alias", "admin"), 1, "a bearer token"},
		{"name held by another exec", kcArgs(kc, "--alias", "x", "--user-alias", "other-exec"), 1, `exec command "aws"`},
		{"duplicate names", kcArgs(dup, "-v"), 1, `lists the name "admin" twice in users`},
		{"duplicate names, dry run", kcArgs(dup, "--dry-run"), 1, dup},
		{"broken file", kcArgs(broken), 1, broken},
		{"logout", []string{"logout", "--cluster-name", "prod"}, 0, "Forgot"},
		{"status", []string{"status"}, 0, ""},
	}
	decoded := "-----BEGIN KEY " + secretPlaceholder
	for _, s := range steps {
		r := runPlugin(t, c.with("KUBECONFIG", kc), "", s.args...)
		if r.code != s.code || !strings.Contains(r.stdout+r.stderr, s.want) {
			t.Errorf("%s: exit %d (want %d) stdout %q stderr %q; want %q", s.name, r.code, s.code, r.stdout, r.stderr, s.want)
		}
		for stream, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
			for _, bad := range []string{secretPlaceholder, secretKeyData, decoded, "45 45 45 45 45 66 69 71"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s: %s shows %q:\n%s", s.name, stream, bad, out)
				}
			}
		}
	}
	// The file itself still holds them: nothing was lost either.
	b, _ := os.ReadFile(kc)
	for _, want := range []string{"tok-" + secretPlaceholder, "pw-" + secretPlaceholder, secretKeyData, "id-" + secretPlaceholder, "env-" + secretPlaceholder} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the kubeconfig lost %q", want)
		}
	}
}

// TestKubeconfigDanglingRelativeSymlink: ~/.kube/config is a relative link
// into a dotfiles checkout whose file does not exist yet; kubectl-eksxa
// writes through it, as kubectl does, and the link stays a link.
func TestKubeconfigDanglingRelativeSymlink(t *testing.T) {
	c := newCluster(t)
	home := c.env["HOME"]
	if err := os.MkdirAll(filepath.Join(home, "dotfiles", "kube"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".kube"), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(home, ".kube", "config")
	if err := os.Symlink("../dotfiles/kube/config", link); err != nil {
		t.Fatal(err)
	}
	r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--alias", "prod"}, twoHops...)...)
	if r.code != 0 {
		t.Fatalf("kubeconfig: %q", r.stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if got := contextsIn(t, filepath.Join(home, "dotfiles", "kube", "config")); got["prod"] != "prod" {
		t.Errorf("target contexts: %v", got)
	}
	if out, errOut, err := kubectl(t, c.with("KUBECONFIG", ""), "auth", "whoami"); err != nil || !strings.Contains(out, "admin:eksxa-alice") {
		t.Errorf("kubectl through the link: %v %q %q", err, out, errOut)
	}
}

// asNobody runs name args as uid 65534 (nobody) with setpriv.
func asNobody(name string, args ...string) *exec.Cmd {
	return exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", name}, args...)...)
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root): owner and bind-mount checks")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("needs setpriv (util-linux)")
	}
}

// TestKubeconfigAnotherUsersFile: root writing another user's 0600 file
// leaves it theirs and 0600, so they can still read it.
func TestKubeconfigAnotherUsersFile(t *testing.T) {
	requireRoot(t)
	c := newCluster(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	must(t, os.Chmod(filepath.Dir(dir), 0o755)) // the test's temp root, for nobody to reach
	kc := filepath.Join(dir, "config")
	if err := os.WriteFile(kc, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(kc, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...); r.code != 0 {
		t.Fatalf("kubeconfig: %q", r.stderr)
	}
	fi, _ := os.Stat(kc)
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 65534 || st.Gid != 65534 || fi.Mode().Perm() != 0o600 {
		t.Errorf("owner %d:%d mode %04o; want 65534:65534 0600", st.Uid, st.Gid, fi.Mode().Perm())
	}
	out, err := asNobody("cat", kc).CombinedOutput()
	if err != nil || !strings.Contains(string(out), c.arn) {
		t.Errorf("its owner cannot read it: %v %s", err, out)
	}
}

// TestKubeconfigReadOnlyFileAsKubectl: a 0400 kubeconfig is refused as
// kubectl refuses it (as its non-root owner), and written as kubectl
// writes it as root, mode kept. The real kubectl is run beside it.
func TestKubeconfigReadOnlyFileAsKubectl(t *testing.T) {
	requireRoot(t)
	c := newCluster(t)
	kubectlPath, _ := exec.LookPath("kubectl")

	// As root: kubectl writes a 0400 file; so does kubectl-eksxa.
	dir := t.TempDir()
	kc, ref := filepath.Join(dir, "config"), filepath.Join(dir, "ref")
	for _, f := range []string{kc, ref} {
		if err := os.WriteFile(f, []byte(other), 0o400); err != nil {
			t.Fatal(err)
		}
	}
	_, _, kerr := kubectl(t, nil, "--kubeconfig", ref, "config", "set-context", "x", "--cluster", "kind-dev")
	r := runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...)
	if (kerr == nil) != (r.code == 0) {
		t.Errorf("as root: kubectl error %v, kubectl-eksxa exit %d %q: they differ", kerr, r.code, r.stderr)
	}
	if fi, _ := os.Stat(kc); fi.Mode().Perm() != 0o400 {
		t.Errorf("mode %04o, want 0400 kept", fi.Mode().Perm())
	}

	// As the file's non-root owner: kubectl refuses; so does kubectl-eksxa,
	// and the file stays as it was.
	ndir := t.TempDir()
	if err := os.Chmod(ndir, 0o755); err != nil {
		t.Fatal(err)
	}
	must(t, os.Chmod(filepath.Dir(ndir), 0o755)) // the test's temp root, for nobody to reach
	if err := os.Chown(ndir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	kc, ref = filepath.Join(ndir, "config"), filepath.Join(ndir, "ref")
	for _, f := range []string{kc, ref} {
		if err := os.WriteFile(f, []byte(other), 0o400); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(f, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	kout, kerr2 := asNobody("env", "HOME="+ndir, kubectlPath, "--kubeconfig", ref, "config", "set-context", "x", "--cluster", "kind-dev").CombinedOutput()
	cmd := asNobody(binary, append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...)
	for k, v := range c.env {
		if k != "HOME" && k != "EKSXA_CACHE_DIR" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+ndir, "EKSXA_CACHE=none")
	eout, eerr := cmd.CombinedOutput()
	if kerr2 == nil || eerr == nil {
		t.Errorf("as the owner of a 0400 file: kubectl %v %s; kubectl-eksxa %v %s; want both to refuse", kerr2, kout, eerr, eout)
	}
	if !strings.Contains(string(eout), "not writable (mode 0400)") || !strings.Contains(string(eout), kc) {
		t.Errorf("kubectl-eksxa's refusal: %s", eout)
	}
	if b, _ := os.ReadFile(kc); string(b) != other {
		t.Error("the read-only file changed")
	}
}

// TestKubeconfigBindMountedFile: a single file bind-mounted over another
// (a container's -v ~/.kube/config:...) cannot be renamed over (EBUSY);
// kubectl-eksxa writes it in place, as kubectl does, in a private mount
// namespace.
func TestKubeconfigBindMountedFile(t *testing.T) {
	requireRoot(t)
	if out, err := exec.Command("unshare", "-m", "true").CombinedOutput(); err != nil {
		t.Skipf("unshare -m is not allowed here: %v %s", err, out)
	}
	c := newCluster(t)
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "host-config"), filepath.Join(dir, "mnt", "config")
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `mount --bind "$1" "$2" && "$3" kubeconfig --kubeconfig "$2" --alias prod -v "${@:4}"`
	cmd := exec.Command("unshare", append([]string{"-m", "--propagation", "private", "bash", "-c", script, "bash", src, dst, binary}, twoHops...)...)
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubeconfig on a bind-mounted file: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "rewritten in place") {
		t.Errorf("-v does not say it wrote in place:\n%s", out)
	}
	if got := contextsIn(t, src); got["prod"] != "prod" || got["kind-dev"] == "" {
		t.Errorf("the host file (through the mount) has contexts %v", got)
	}
}

// TestKubeconfigExecCommand: run by absolute path from a folder not on
// PATH, kubeconfig warns that kubectl will not find it; --exec-command
// writes the absolute path, and kubectl then runs it without PATH.
func TestKubeconfigExecCommand(t *testing.T) {
	c := newCluster(t)
	kc := filepath.Join(t.TempDir(), "config")
	noPlugin := c.with("PATH", "/usr/bin:/bin")
	r := runPlugin(t, noPlugin, "", append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...)
	if r.code != 0 || !strings.Contains(r.stderr, "not on PATH") || !strings.Contains(r.stderr, "--exec-command "+binary) {
		t.Errorf("not on PATH: exit %d stderr %q", r.code, r.stderr)
	}
	// Another kubectl-eksxa first on PATH.
	shadow := t.TempDir()
	if err := os.WriteFile(filepath.Join(shadow, "kubectl-eksxa"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r = runPlugin(t, c.with("PATH", shadow+":"+c.env["PATH"]), "", append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...)
	if r.code != 0 || !strings.Contains(r.stderr, "not this binary") {
		t.Errorf("shadowed: exit %d stderr %q", r.code, r.stderr)
	}
	// On PATH: no warning.
	r = runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc}, twoHops...)...)
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Errorf("on PATH: exit %d stderr %q", r.code, r.stderr)
	}
	r = runPlugin(t, noPlugin, "", append([]string{"kubeconfig", "--kubeconfig", kc, "--exec-command", binary}, twoHops...)...)
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Errorf("--exec-command: exit %d stderr %q", r.code, r.stderr)
	}
	b, _ := os.ReadFile(kc)
	if !strings.Contains(string(b), "command: "+binary) || !strings.Contains(string(b), "installHint:") || !strings.Contains(string(b), "kubectl krew install eksxa") {
		t.Errorf("exec entry:\n%s", b)
	}
	if out, errOut, err := kubectl(t, c.with("KUBECONFIG", kc, "PATH", "/usr/bin:/bin"), "auth", "whoami"); err != nil || !strings.Contains(out, "admin:eksxa-alice") {
		t.Errorf("kubectl without the plugin on PATH: %v %q %q", err, out, errOut)
	}
}
