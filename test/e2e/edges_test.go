package e2e

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// runPluginIn is runPlugin with the working directory dir: kubectl runs
// the plugin wherever the user happens to be.
func runPluginIn(t *testing.T, dir string, env map[string]string, args ...string) result {
	t.Helper()
	return runCommand(t, dir, env, "", binary, args...)
}

// assertEmptyDir fails when the working directory got anything, a "~"
// directory above all.
func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		t.Errorf("%s was created in the working directory", e.Name())
	}
}

func entriesIn(dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "*.entry"))
	return len(m)
}

// TestTildePaths: every path taken from the environment or a flag gets its
// leading ~ expanded, as botocore does, and nothing lands in the working
// directory.
func TestTildePaths(t *testing.T) {
	w := newWorld(t)
	home := w.env["HOME"]
	args := hopArgs("file", roleTools)[1:]

	t.Run("EKSXA_CACHE_DIR", func(t *testing.T) {
		cwd := t.TempDir()
		r := runPluginIn(t, cwd, w.with("EKSXA_CACHE_DIR", "~/.kube/cache/eksxa-team"), append([]string{"token"}, args...)...)
		if r.code != 0 {
			t.Fatalf("exit %d %q", r.code, r.stderr)
		}
		if n := entriesIn(filepath.Join(home, ".kube", "cache", "eksxa-team")); n != 2 {
			t.Errorf("%d entries under ~/.kube/cache/eksxa-team, want 2 (token, session)", n)
		}
		assertEmptyDir(t, cwd)
	})
	t.Run("KUBECACHEDIR", func(t *testing.T) {
		cwd := t.TempDir()
		r := runPluginIn(t, cwd, w.with("EKSXA_CACHE_DIR", "", "KUBECACHEDIR", "~/kubecache"), append([]string{"token"}, args...)...)
		if r.code != 0 {
			t.Fatalf("exit %d %q", r.code, r.stderr)
		}
		if n := entriesIn(filepath.Join(home, "kubecache", "eksxa")); n != 2 {
			t.Errorf("%d entries under $KUBECACHEDIR/eksxa, want 2", n)
		}
		assertEmptyDir(t, cwd)
	})
	t.Run("default under ~/.kube/cache", func(t *testing.T) {
		cwd := t.TempDir()
		r := runPluginIn(t, cwd, w.with("EKSXA_CACHE_DIR", ""), append([]string{"token", "--cluster-name", "default-dir"}, args[2:]...)...)
		if r.code != 0 {
			t.Fatalf("exit %d %q", r.code, r.stderr)
		}
		if n := entriesIn(filepath.Join(home, ".kube", "cache", "eksxa")); n == 0 {
			t.Error("nothing cached under ~/.kube/cache/eksxa")
		}
		assertEmptyDir(t, cwd)
	})
	for _, v := range []string{"EKSXA_CACHE_DIR", "KUBECACHEDIR"} {
		t.Run("relative "+v+" is refused", func(t *testing.T) {
			cwd := t.TempDir()
			r := runPluginIn(t, cwd, w.with("EKSXA_CACHE_DIR", "", v, "cache"), append([]string{"token"}, args...)...)
			if r.code != 0 || !strings.Contains(r.stdout, "k8s-aws-v1.") {
				t.Fatalf("exit %d stdout %q stderr %q: a cache that cannot be used must not cost the call", r.code, r.stdout, r.stderr)
			}
			want := "kubectl-eksxa: warning: not caching: " + v + `="cache" is a relative path`
			if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, want) {
				t.Errorf("stderr %q, want one line containing %q", r.stderr, want)
			}
			assertEmptyDir(t, cwd)
		})
	}

	t.Run("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE", func(t *testing.T) {
		must(t, os.MkdirAll(filepath.Join(home, "aws-team"), 0o700))
		must(t, os.WriteFile(filepath.Join(home, "aws-team", "config"), []byte("[profile team]\nregion = ap-south-1\n"), 0o600))
		must(t, os.WriteFile(filepath.Join(home, "aws-team", "credentials"), []byte("[team]\naws_access_key_id = "+w.user.AccessKeyID+"\naws_secret_access_key = "+w.user.SecretAccessKey+"\n"), 0o600))
		env := w.with("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "",
			"AWS_CONFIG_FILE", "~/aws-team/config", "AWS_SHARED_CREDENTIALS_FILE", "~/aws-team/credentials")
		cwd := t.TempDir()
		r := runPluginIn(t, cwd, env, "token", "--cluster-name", "prod", "--profile", "team", "--role-arn", roleTools, "--cache", "none")
		if r.code != 0 {
			t.Fatalf("exit %d %q", r.code, r.stderr)
		}
		tok := tokenFrom(t, r.stdout)
		if id := verify(t, tok, "prod", "ap-south-1"); id.CanonicalARN != roleTools {
			t.Errorf("cluster sees %q, want %q", id.CanonicalARN, roleTools)
		}
		assertEmptyDir(t, cwd)
	})
}

// TestTildeKubeconfig: --kubeconfig=~/... (no shell expands it after "=")
// and KUBECONFIG=~/a:~/b are the home directory's files.
func TestTildeKubeconfig(t *testing.T) {
	c := newCluster(t)
	home := c.env["HOME"]
	for _, tt := range []struct {
		name, file string
		env        map[string]string
		args       []string
	}{
		{"--kubeconfig", filepath.Join(home, "kc", "flag"), c.env, []string{"--kubeconfig=~/kc/flag"}},
		{"KUBECONFIG list", filepath.Join(home, "kc", "first"), c.with("KUBECONFIG", "~/kc/first"+string(os.PathListSeparator)+"~/kc/second"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cwd := t.TempDir()
			r := runPluginIn(t, cwd, tt.env, append(append([]string{"kubeconfig"}, tt.args...), twoHops...)...)
			if r.code != 0 {
				t.Fatalf("exit %d %q", r.code, r.stderr)
			}
			b, err := os.ReadFile(tt.file)
			if err != nil || !bytes.Contains(b, []byte("command: kubectl-eksxa")) {
				t.Errorf("%s: %v\n%s", tt.file, err, b)
			}
			if !strings.Contains(r.stdout, tt.file) {
				t.Errorf("stdout %q does not name %s", r.stdout, tt.file)
			}
			assertEmptyDir(t, cwd)
		})
	}
}

func tokenFrom(t *testing.T, stdout string) string {
	t.Helper()
	i := strings.Index(stdout, `"token":"`)
	if i < 0 {
		t.Fatalf("no token in %q", stdout)
	}
	rest := stdout[i+len(`"token":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestTokenTooLarge: a session token of 2,800 bytes makes a token over
// EKS's 4,096-byte limit; the plugin says so, prints nothing, caches no
// token, and the verifier agrees that such a token is refused.
func TestTokenTooLarge(t *testing.T) {
	w := newWorldWith(t, fakeaws.Options{SessionTokenSize: 2800})
	r := runPlugin(t, w.env, "", hopArgs("file", roleTools)...)
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("exit %d stdout %q, want 1 and nothing", r.code, r.stdout)
	}
	for _, want := range []string{"over the 4096 bytes EKS accepts", "the session token of the credentials that sign it is 2800 bytes", "session tags", "session policies"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if strings.Contains(r.stderr, "k8s-aws-v1.") {
		t.Error("stderr shows the token")
	}
	assertNoSecret(t, w, r.stderr)
	files, _ := filepath.Glob(filepath.Join(w.env["EKSXA_CACHE_DIR"], "*.entry"))
	for _, f := range files {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte("k8s-aws-v1.")) {
			t.Errorf("%s holds the too-large token", f)
		}
	}
	// Just under the limit is fine and EKS's verifier takes it.
	w2 := newWorld(t)
	tok, _ := tokenOf(t, w2.env, hopArgs("none", roleTools)[1:]...)
	verify(t, tok, "prod", "eu-west-1")
}

// TestClusterARN: --cluster-name ARN signs the name in the ARN's region,
// shares its cached token with --cluster-name NAME --region R, works for
// kubeconfig (and the real kubectl then), and a --region that disagrees
// is a usage error.
func TestClusterARN(t *testing.T) {
	c := newCluster(t)
	arnArgs := []string{"--cluster-name", c.arn, "--role-arn", roleTools, "--role-arn", roleWork + ",external-id=ext-123", "--cache", "file"}
	env := c.with("KUBERNETES_EXEC_INFO", execInfoV1, "AWS_REGION", "us-east-1") // the ARN's region wins over the environment's
	tok, _ := tokenOf(t, env, arnArgs...)
	if id := verify(t, tok, "prod", "eu-west-1"); id.CanonicalARN != roleWork {
		t.Errorf("cluster sees %q", id.CanonicalARN)
	}
	calls := c.fake.Calls("AssumeRole", "")
	tok2, r := tokenOf(t, env, append([]string{"-v"}, twoHops...)...)
	if tok2 != tok || c.fake.Calls("AssumeRole", "") != calls {
		t.Errorf("--cluster-name prod --region eu-west-1 did not hit the ARN's cached token; stderr %q", r.stderr)
	}

	r = runPlugin(t, env, "", append([]string{"token", "--region", "us-west-2"}, arnArgs...)...)
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--region us-west-2 disagrees with --cluster-name "+c.arn) {
		t.Errorf("disagreeing --region: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runPlugin(t, env, "", "token", "--cluster-name", "arn:aws-cn:eks:eu-west-1:111111111111:cluster/prod")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "region eu-west-1 is in partition aws, not aws-cn") {
		t.Errorf("partition mismatch: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runPlugin(t, env, "", "token", "--cluster-name", "prod.example.com")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "is not an EKS cluster name") {
		t.Errorf("bad name: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}

	// aws-cn: the token is for the China STS host and the name only.
	cn, _ := tokenOf(t, env, "--cluster-name", "arn:aws-cn:eks:cn-north-1:111111111111:cluster/prod-cn", "--cache", "none")
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(cn, "k8s-aws-v1."))
	if u, err := url.Parse(string(raw)); err != nil || u.Host != "sts.cn-north-1.amazonaws.com.cn" || !strings.Contains(u.Query().Get("X-Amz-Credential"), "/cn-north-1/sts/") {
		t.Errorf("aws-cn token URL %q (%v)", raw, err)
	}

	// kubeconfig takes the ARN, writes NAME + REGION into the exec entry,
	// and the real kubectl gets in with it.
	kc := filepath.Join(t.TempDir(), "config")
	r = runPlugin(t, c.env, "", append([]string{"kubeconfig", "--kubeconfig", kc}, arnArgs...)...)
	if r.code != 0 {
		t.Fatalf("kubeconfig: exit %d %q", r.code, r.stderr)
	}
	b, _ := os.ReadFile(kc)
	if !bytes.Contains(b, []byte("- --cluster-name\n      - prod\n      - --region\n      - eu-west-1")) {
		t.Errorf("exec entry does not carry the name and region:\n%s", b)
	}
	if out, errOut, err := kubectl(t, c.with("KUBECONFIG", kc), "auth", "whoami"); err != nil || !strings.Contains(out, "admin:") {
		t.Errorf("kubectl: %v %q %q", err, out, errOut)
	}
	if r := runPlugin(t, c.env, "", append([]string{"doctor"}, arnArgs...)...); r.code != 0 {
		t.Errorf("doctor with the ARN: exit %d %q", r.code, r.stderr)
	}
}

// TestHungKeyringRemembered: a Secret Service that never answers is waited
// for once; the next process knows (the marker) and -v says it skipped the
// keyring and used the files, without a keyring connection.
func TestHungKeyringRemembered(t *testing.T) {
	w := newWorld(t)
	sock := filepath.Join(t.TempDir(), "bus")
	hole := blackHole(t, "unix", sock)
	env := w.with("DBUS_SESSION_BUS_ADDRESS", "unix:path="+sock)
	args := append([]string{"-v"}, hopArgs("auto", roleTools)[1:]...)

	tok, r := tokenOf(t, env, args...)
	verify(t, tok, "prod", "eu-west-1")
	if !strings.Contains(r.stderr, "keyring: did not answer within 2s; using the file cache in "+w.env["EKSXA_CACHE_DIR"]+" instead; not asking it again until") {
		t.Errorf("first call's -v does not say the keyring did not answer: %q", r.stderr)
	}
	marker := filepath.Join(w.env["EKSXA_CACHE_DIR"], ".keyring-no-answer")
	fi, err := os.Stat(marker)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("marker: %v %v", fi, err)
	}
	accepted := hole.accepted.Load()

	tok2, r := tokenOf(t, env, args...)
	if tok2 != tok {
		t.Error("the warm call did not come from the file cache")
	}
	if !strings.Contains(r.stderr, "keyring: skipped: it did not answer at ") || !strings.Contains(r.stderr, "it will be tried again after") {
		t.Errorf("second call's -v does not say the keyring was skipped: %q", r.stderr)
	}
	if strings.Contains(r.stderr, "did not answer within") {
		t.Errorf("second call waited for the keyring again: %q", r.stderr)
	}
	if n := hole.accepted.Load(); n != accepted {
		t.Errorf("second call connected to the hung bus %d times, want 0", n-accepted)
	}

	// --cache keyring: remembered too, no wait, no files, still a token.
	tok3, r := tokenOf(t, env, append([]string{"-v"}, hopArgs("keyring", roleTools)[1:]...)...)
	verify(t, tok3, "prod", "eu-west-1")
	if !strings.Contains(r.stderr, "keyring: skipped") || !strings.Contains(r.stderr, "using no cache (--cache keyring never falls back to files)") {
		t.Errorf("--cache keyring -v: %q", r.stderr)
	}
	if n := hole.accepted.Load(); n != accepted {
		t.Errorf("--cache keyring connected to the hung bus %d times while remembered", n-accepted)
	}
}
