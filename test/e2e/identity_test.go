package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

const (
	roleReadonly = "arn:aws:iam::" + toolsAcct + ":role/eks-readonly"
	roleAdmin    = roleWork // added again in these tests, without the external ID
)

// identityWorld is the setup: [profile k8s] with a role_arn, its
// base keys in ~/.aws/credentials, nothing in the environment.
func identityWorld(t *testing.T) (w *world, env map[string]string, writeConfig func(path, roleARN string)) {
	t.Helper()
	w = newWorldWith(t, fakeaws.Options{})
	routeSTS(t, w.fake)
	w.fake.AddRole(roleReadonly, fakeaws.RoleOptions{})
	home := w.env["HOME"]
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	creds := fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", w.user.AccessKeyID, w.user.SecretAccessKey)
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	writeConfig = func(path, roleARN string) {
		t.Helper()
		cfg := fmt.Sprintf("[profile base]\nregion = eu-west-1\n\n[profile k8s]\nrole_arn = %s\nsource_profile = base\n", roleARN)
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig(filepath.Join(home, ".aws", "config"), roleReadonly)
	env = w.with("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "")
	return w, env, writeConfig
}

// TestCacheFollowsTheProfile is the input: a token is cached for
// --profile k8s, then the profile's role_arn changes from eks-readonly to
// eks-admin. The next call must be a miss signed by the new role, not the
// cached read-only token.
func TestCacheFollowsTheProfile(t *testing.T) {
	w, env, writeConfig := identityWorld(t)
	w.fake.AddRole(roleAdmin, fakeaws.RoleOptions{}) // no external ID in this world
	args := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--profile", "k8s", "--cache", "file"}

	tok, _ := tokenOf(t, env, args...)
	if id := verify(t, tok, "prod", "eu-west-1"); id.CanonicalARN != roleReadonly {
		t.Fatalf("first token signed by %q, want %q", id.CanonicalARN, roleReadonly)
	}
	again, r := tokenOf(t, env, append(args, "-v")...)
	if again != tok || !strings.Contains(r.stderr, "hit") {
		t.Fatalf("the unchanged setup was not a cache hit: stderr %q", r.stderr)
	}

	writeConfig(filepath.Join(env["HOME"], ".aws", "config"), roleAdmin)
	tok2, r := tokenOf(t, env, append(args, "-v")...)
	if tok2 == tok || !strings.Contains(r.stderr, "token cache (file): miss") {
		t.Errorf("after role_arn changed, the call was not a miss: stderr %q", r.stderr)
	}
	if id := verify(t, tok2, "prod", "eu-west-1"); id.CanonicalARN != roleAdmin {
		t.Errorf("after role_arn changed, the cluster sees %q, want %q", id.CanonicalARN, roleAdmin)
	}
	for role, want := range map[string]int{roleReadonly: 1, roleAdmin: 1} {
		if got := w.fake.Calls("AssumeRole", role); got != want {
			t.Errorf("AssumeRole %s: %d calls, want %d", role, got, want)
		}
	}
}

// TestCacheFollowsTheEnvironment: each variable that selects credentials
// makes the next call a miss; an unrelated one does not.
func TestCacheFollowsTheEnvironment(t *testing.T) {
	w, env, writeConfig := identityWorld(t)
	w.fake.AddRole(roleAdmin, fakeaws.RoleOptions{})
	home := env["HOME"]
	otherConfig := filepath.Join(home, "eks-config")
	writeConfig(otherConfig, roleAdmin)
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(fmt.Sprintf(
		"[profile base]\nregion = eu-west-1\n\n[profile k8s]\nrole_arn = %s\nsource_profile = base\n\n[profile k8s-admin]\nrole_arn = %s\nsource_profile = base\n",
		roleReadonly, roleAdmin)), 0o600); err != nil {
		t.Fatal(err)
	}
	bob := w.fake.AddUser(identityAcct, "bob")
	args := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--cache", "file", "-v"}
	profileEnv := func(kv ...string) map[string]string {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		e["AWS_PROFILE"] = "k8s"
		for i := 0; i+1 < len(kv); i += 2 {
			e[kv[i]] = kv[i+1]
		}
		return e
	}
	tokenOf(t, profileEnv(), args...) // cached for AWS_PROFILE=k8s

	tests := []struct {
		name   string
		env    map[string]string
		miss   bool
		signer string // the role the cluster must see
	}{
		{"unchanged", profileEnv(), false, roleReadonly},
		{"an unrelated variable", profileEnv("AWS_MAX_ATTEMPTS", "4"), false, roleReadonly},
		{"AWS_PROFILE", profileEnv("AWS_PROFILE", "k8s-admin"), true, roleAdmin},
		{"AWS_CONFIG_FILE", profileEnv("AWS_CONFIG_FILE", otherConfig), true, roleAdmin},
		// No profile: the environment's keys are the identity.
		{"AWS_ACCESS_KEY_ID (alice)", profileEnv("AWS_PROFILE", "", "AWS_ACCESS_KEY_ID", w.user.AccessKeyID, "AWS_SECRET_ACCESS_KEY", w.user.SecretAccessKey), true, w.user.ARN},
		{"AWS_ACCESS_KEY_ID (bob)", profileEnv("AWS_PROFILE", "", "AWS_ACCESS_KEY_ID", bob.AccessKeyID, "AWS_SECRET_ACCESS_KEY", bob.SecretAccessKey), true, bob.ARN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				if v == "" {
					delete(tt.env, k)
				}
			}
			tok, r := tokenOf(t, tt.env, args...)
			if miss := strings.Contains(r.stderr, "token cache (file): miss"); miss != tt.miss {
				t.Errorf("miss = %v, want %v; stderr %q", miss, tt.miss, r.stderr)
			}
			if id := verify(t, tok, "prod", "eu-west-1"); id.CanonicalARN != tt.signer {
				t.Errorf("the cluster sees %q, want %q", id.CanonicalARN, tt.signer)
			}
		})
	}
}
