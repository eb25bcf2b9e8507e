package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

const (
	profileMFA     = "arn:aws:iam::" + identityAcct + ":mfa/alice"
	profileMFARole = "arn:aws:iam::" + toolsAcct + ":role/mfa-admin"
	execInfoTTY    = `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`
)

// mfaProfiles writes issue 12's shape into w's HOME: keys in
// ~/.aws/credentials, an MFA role profile on them, and a role after it;
// [default] is the same chain. The environment holds no keys.
func mfaProfiles(t *testing.T, w *world) {
	t.Helper()
	w.fake.AddRole(profileMFARole, fakeaws.RoleOptions{MFASerial: profileMFA, MFACode: "123456", MaxSessionDuration: 12 * time.Hour})
	home := w.env["HOME"]
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	config := `[profile base]
region = eu-west-1

[profile admin]
role_arn = ` + profileMFARole + `
source_profile = base
mfa_serial = ` + profileMFA + `
duration_seconds = 43200

[profile k8s]
role_arn = ` + roleWork + `
external_id = ext-123
source_profile = admin

[default]
role_arn = ` + roleWork + `
external_id = ext-123
source_profile = admin
`
	creds := "[base]\naws_access_key_id = " + w.user.AccessKeyID + "\naws_secret_access_key = " + w.user.SecretAccessKey + "\n"
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(w.env, "AWS_ACCESS_KEY_ID")
	delete(w.env, "AWS_SECRET_ACCESS_KEY")
}

// TestProfileMFA: a profile's mfa_serial hop behaves as a --role-arn
// mfa-serial= hop, whichever way the profile is chosen (issue 12, item 1).
func TestProfileMFA(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  []string
		args []string
	}{
		{"--profile", nil, []string{"--profile", "k8s"}},
		{"AWS_PROFILE", []string{"AWS_PROFILE", "k8s"}, nil},
		{"default profile", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			mfaProfiles(t, w)
			env := w.with(tt.env...)
			args := func(cluster string) []string {
				return append([]string{"token", "--cluster-name", cluster, "--cache", "file"}, tt.args...)
			}

			// Not interactive: at once, naming the hop and the fix, no STS call.
			r := runPlugin(t, env, "123456\n", args("prod")...)
			if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "hop 1/2 ("+profileMFARole+")") || !strings.Contains(r.stderr, "kubectl eksxa login") {
				t.Fatalf("non-interactive: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stderr, "AssumeRoleTokenProvider") {
				t.Errorf("the SDK tried the MFA role itself: %q", r.stderr)
			}
			if got := w.fake.Calls("AssumeRole", ""); got != 0 {
				t.Errorf("non-interactive MFA made %d AssumeRole calls, want 0", got)
			}

			// Interactive: the prompt on stderr, the code from stdin.
			r = runPlugin(t, w.with(append(tt.env, "KUBERNETES_EXEC_INFO", execInfoTTY)...), "123456\n", args("prod")...)
			if r.code != 0 || !strings.Contains(r.stderr, "MFA code for "+profileMFA) || !strings.Contains(r.stdout, `"token"`) {
				t.Fatalf("interactive: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
			}
			// More clusters, not interactive: the MFA session serves them all.
			for _, c := range []string{"staging", "dev", "ops"} {
				tok, r := tokenOf(t, env, args(c)[1:]...)
				if strings.Contains(r.stderr, "MFA") {
					t.Errorf("cluster %s asked for MFA again: %q", c, r.stderr)
				}
				id := verify(t, tok, c, "eu-west-1")
				if id.CanonicalARN != roleWork {
					t.Errorf("cluster %s sees %s, want %s", c, id.CanonicalARN, roleWork)
				}
			}
			if got := w.fake.Calls("AssumeRole", profileMFARole); got != 1 {
				t.Errorf("MFA role assumed %d times over 4 clusters, want 1", got)
			}
			if got := w.fake.Calls("AssumeRole", roleWork); got != 1 {
				t.Errorf("%s assumed %d times over 4 clusters, want 1", roleWork, got)
			}
		})
	}
}

// TestProfileMFALoginThenKubectl: `kubectl eksxa login --profile` answers
// MFA once; the real kubectl, whose exec entry names the profile, then
// works without a terminal.
func TestProfileMFALoginThenKubectl(t *testing.T) {
	c := newCluster(t)
	mfaProfiles(t, c.world)
	kc := filepath.Join(t.TempDir(), "config")
	kcfg := `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: ` + c.api.URL + `
    certificate-authority-data: ` + base64.StdEncoding.EncodeToString(c.api.CAData) + `
users:
- name: prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-eksxa
      args: [token, --cluster-name, prod, --region, eu-west-1, --profile, k8s, --cache, file]
      interactiveMode: IfAvailable
contexts:
- name: prod
  context: {cluster: prod, user: prod}
current-context: prod
`
	if err := os.WriteFile(kc, []byte(kcfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := c.with("KUBECONFIG", kc)
	// Before login: kubectl has no terminal, so the plugin fails at once
	// with the login hint.
	_, errOut, err := kubectl(t, env, "auth", "whoami")
	if err == nil || !strings.Contains(errOut, "kubectl eksxa login") {
		t.Fatalf("kubectl before login: err %v, stderr %q", err, errOut)
	}
	if got := c.fake.Calls("AssumeRole", ""); got != 0 {
		t.Errorf("kubectl before login made %d AssumeRole calls", got)
	}
	r := runPlugin(t, env, "123456\n", "login", "--cluster-name", "prod", "--region", "eu-west-1", "--profile", "k8s", "--cache", "file")
	if r.code != 0 || !strings.Contains(r.stderr, "MFA code for "+profileMFA) {
		t.Fatalf("login: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	for i := 0; i < 2; i++ {
		out, errOut, err := kubectl(t, env, "auth", "whoami")
		if err != nil || !strings.Contains(out, "admin:eksxa-alice") {
			t.Fatalf("kubectl after login (%d): %v %q %q", i, err, out, errOut)
		}
	}
	if got := c.fake.Calls("AssumeRole", profileMFARole); got != 1 {
		t.Errorf("MFA role assumed %d times, want 1", got)
	}
}
