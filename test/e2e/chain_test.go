package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	vtoken "sigs.k8s.io/aws-iam-authenticator/pkg/token"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

const (
	identityAcct = "111111111111"
	toolsAcct    = "222222222222"
	workAcct     = "333333333333"
	roleTools    = "arn:aws:iam::" + toolsAcct + ":role/jump"
	roleWork     = "arn:aws:iam::" + workAcct + ":role/eks-admin"
	roleDeep     = "arn:aws:iam::" + workAcct + ":role/deploy/eks-deployer"
)

// world is a fake AWS with three accounts and the plugin's environment.
type world struct {
	fake *fakeaws.Server
	user fakeaws.Credentials
	env  map[string]string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := newWorldWith(t, fakeaws.Options{})
	routeSTS(t, w.fake)
	return w
}

// newWorldWith is newWorld with the fake's options, and without routing the
// verifier's STS calls to it (which parallel tests must not do).
func newWorldWith(t *testing.T, opts fakeaws.Options) *world {
	t.Helper()
	fake := fakeaws.New(opts)
	t.Cleanup(fake.Close)
	user := fake.AddUser(identityAcct, "alice")
	fake.AddRole(roleTools, fakeaws.RoleOptions{})
	fake.AddRole(roleWork, fakeaws.RoleOptions{ExternalID: "ext-123"})
	fake.AddRole(roleDeep, fakeaws.RoleOptions{})
	env := awsEnv(t, user.AccessKeyID, user.SecretAccessKey)
	env["AWS_ENDPOINT_URL_STS"] = fake.URL
	env["KUBERNETES_EXEC_INFO"] = execInfoV1
	env["USER"] = "alice"
	return &world{fake: fake, user: user, env: env}
}

func (w *world) with(kv ...string) map[string]string {
	e := map[string]string{}
	for k, v := range w.env {
		e[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(e, kv[i])
		} else {
			e[kv[i]] = kv[i+1]
		}
	}
	return e
}

// tokenOf runs `token` and returns the token, failing the test on error.
func tokenOf(t *testing.T, env map[string]string, args ...string) (string, result) {
	t.Helper()
	r := runPlugin(t, env, "", append([]string{"token"}, args...)...)
	if r.code != 0 {
		t.Fatalf("token %v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	var cred struct {
		Status struct {
			Token string `json:"token"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &cred); err != nil {
		t.Fatalf("stdout is not an ExecCredential: %v: %q", err, r.stdout)
	}
	return cred.Status.Token, r
}

func verify(t *testing.T, tok, cluster, region string) *vtoken.Identity {
	t.Helper()
	id, err := vtoken.NewVerifier(cluster, "aws", region).Verify(tok)
	if err != nil {
		t.Fatalf("EKS verifier refused the token: %v", err)
	}
	return id
}

func TestChainHops(t *testing.T) {
	tests := []struct {
		name string
		hops []string
		want string // canonical ARN the cluster sees
	}{
		{"no hop", nil, "arn:aws:iam::" + identityAcct + ":user/alice"},
		{"one hop", []string{roleTools}, roleTools},
		{"two hops across accounts", []string{roleTools, roleWork + ",external-id=ext-123"}, roleWork},
		{"three hops, role with a path", []string{roleTools, roleWork + ",external-id=ext-123", roleDeep + ",session-name=deployer"}, "arn:aws:iam::" + workAcct + ":role/eks-deployer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			args := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--cache", "file"}
			for _, h := range tt.hops {
				args = append(args, "--role-arn", h)
			}
			tok, _ := tokenOf(t, w.env, args...)
			id := verify(t, tok, "prod", "eu-west-1")
			if id.CanonicalARN != tt.want {
				t.Errorf("cluster sees %q, want %q", id.CanonicalARN, tt.want)
			}
			for _, role := range []string{roleTools, roleWork, roleDeep} {
				want := 0
				for _, h := range tt.hops {
					if strings.HasPrefix(h, role) {
						want = 1
					}
				}
				if got := w.fake.Calls("AssumeRole", role); got != want {
					t.Errorf("AssumeRole %s: %d calls, want %d", role, got, want)
				}
			}
			// A warm call: the same token, no STS call at all.
			before := w.fake.Calls("AssumeRole", "") + w.fake.Calls("GetCallerIdentity", "")
			tok2, _ := tokenOf(t, w.env, args...)
			if tok2 != tok {
				t.Error("the second call did not return the cached token")
			}
			if after := w.fake.Calls("AssumeRole", "") + w.fake.Calls("GetCallerIdentity", ""); after != before {
				t.Errorf("the warm call made %d STS calls", after-before)
			}
		})
	}
}

func TestChainDefaultSessionName(t *testing.T) {
	w := newWorld(t)
	tok, _ := tokenOf(t, w.env, "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none", "--role-arn", roleTools)
	if id := verify(t, tok, "prod", "eu-west-1"); id.SessionName != "eksxa-alice" {
		t.Errorf("session name %q, want eksxa-alice (traceable in CloudTrail)", id.SessionName)
	}
}

func TestChainErrors(t *testing.T) {
	w := newWorld(t)
	w.fake.AddRole("arn:aws:iam::"+workAcct+":role/locked", fakeaws.RoleOptions{Deny: true})
	tests := []struct {
		name string
		hops []string
		want []string
	}{
		{"denied hop", []string{roleTools, "arn:aws:iam::" + workAcct + ":role/locked"},
			[]string{"hop 2/2 (arn:aws:iam::" + workAcct + ":role/locked): AccessDenied", "trust policy"}},
		{"missing external ID", []string{roleTools, roleWork},
			[]string{"hop 2/2 (" + roleWork + "): AccessDenied", "external-id"}},
		{"chained hop asks for two hours", []string{roleTools, roleWork + ",external-id=ext-123,duration=2h"},
			[]string{"hop 2/2 (" + roleWork + ")", "1-hour limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none"}
			for _, h := range tt.hops {
				args = append(args, "--role-arn", h)
			}
			r := runPlugin(t, w.env, "", args...)
			if r.code != 1 || r.stdout != "" {
				t.Errorf("exit %d stdout %q, want 1 and nothing", r.code, r.stdout)
			}
			for _, want := range tt.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q lacks %q", r.stderr, want)
				}
			}
			assertNoSecret(t, w, r.stderr)
		})
	}
}

// assertNoSecret fails if any secret the fake knows of is in s.
func assertNoSecret(t *testing.T, w *world, s string) {
	t.Helper()
	if strings.Contains(s, w.user.SecretAccessKey) {
		t.Errorf("output leaks the secret access key")
	}
	if strings.Contains(s, "k8s-aws-v1.") {
		t.Errorf("output leaks a token")
	}
}

func TestProfileChains(t *testing.T) {
	w := newWorld(t)
	home := w.env["HOME"]
	must(t, os.MkdirAll(filepath.Join(home, ".aws"), 0o700))
	config := fmt.Sprintf(`[profile id]
region = eu-west-1

[profile jump]
role_arn = %s
source_profile = id

[profile work]
role_arn = %s
source_profile = jump
external_id = ext-123
role_session_name = alice-work

[profile from-env]
role_arn = %s
credential_source = Environment
`, roleTools, roleWork, roleTools)
	creds := fmt.Sprintf("[id]\naws_access_key_id = %s\naws_secret_access_key = %s\n", w.user.AccessKeyID, w.user.SecretAccessKey)
	must(t, os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600))
	must(t, os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(creds), 0o600))
	noEnvKeys := w.with("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "")

	t.Run("source_profile chain, region from the profile", func(t *testing.T) {
		tok, _ := tokenOf(t, noEnvKeys, "--cluster-name", "prod", "--profile", "work", "--cache", "none")
		id := verify(t, tok, "prod", "us-east-1") // us-east-1 is the default: the work profile names no region
		if id.CanonicalARN != roleWork || id.SessionName != "alice-work" {
			t.Errorf("cluster sees %q session %q", id.CanonicalARN, id.SessionName)
		}
	})
	t.Run("profile plus --role-arn", func(t *testing.T) {
		tok, _ := tokenOf(t, noEnvKeys, "--cluster-name", "prod", "--profile", "jump", "--role-arn", roleDeep, "--region", "eu-west-1", "--cache", "none")
		if id := verify(t, tok, "prod", "eu-west-1"); id.CanonicalARN != "arn:aws:iam::"+workAcct+":role/eks-deployer" {
			t.Errorf("cluster sees %q", id.CanonicalARN)
		}
	})
	t.Run("AWS_PROFILE and the profile's region", func(t *testing.T) {
		tok, _ := tokenOf(t, w.with("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "AWS_PROFILE", "id"), "--cluster-name", "prod", "--cache", "none")
		if id := verify(t, tok, "prod", "eu-west-1"); id.CanonicalARN != w.user.ARN {
			t.Errorf("cluster sees %q", id.CanonicalARN)
		}
	})
	t.Run("credential_source=Environment", func(t *testing.T) {
		tok, _ := tokenOf(t, w.env, "--cluster-name", "prod", "--profile", "from-env", "--region", "eu-west-1", "--cache", "none")
		if id := verify(t, tok, "prod", "eu-west-1"); id.CanonicalARN != roleTools {
			t.Errorf("cluster sees %q", id.CanonicalARN)
		}
	})
	t.Run("credential_source=Environment follows the environment's keys", func(t *testing.T) {
		args := []string{"--cluster-name", "env-follow", "--profile", "from-env", "--region", "eu-west-1", "--cache", "file"}
		tokenOf(t, w.env, args...)
		before := w.fake.Calls("AssumeRole", roleTools)
		tokenOf(t, w.env, args...) // same keys: from the cache
		bob := w.fake.AddUser(identityAcct, "bob")
		tokenOf(t, w.with("AWS_ACCESS_KEY_ID", bob.AccessKeyID, "AWS_SECRET_ACCESS_KEY", bob.SecretAccessKey), args...)
		if got := w.fake.Calls("AssumeRole", roleTools) - before; got != 1 {
			t.Errorf("after switching the environment's keys, the hop was assumed %d times, want 1 (alice's session must not serve bob)", got)
		}
	})
	t.Run("each profile hop is cached", func(t *testing.T) {
		before := w.fake.Calls("AssumeRole", roleTools)
		for i := 0; i < 3; i++ {
			tokenOf(t, noEnvKeys, "--cluster-name", fmt.Sprintf("c%d", i), "--profile", "work", "--cache", "file")
		}
		// Three clusters, three tokens, but the two hops were assumed once.
		if got := w.fake.Calls("AssumeRole", roleTools) - before; got != 1 {
			t.Errorf("jump role assumed %d times for three clusters, want 1", got)
		}
	})
	t.Run("unknown profile", func(t *testing.T) {
		r := runPlugin(t, noEnvKeys, "", "token", "--cluster-name", "prod", "--profile", "nope", "--cache", "none")
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `"nope"`) {
			t.Errorf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
	})
}

func TestMFA(t *testing.T) {
	w := newWorld(t)
	const mfa = "arn:aws:iam::" + identityAcct + ":mfa/alice"
	role := "arn:aws:iam::" + toolsAcct + ":role/mfa-jump"
	w.fake.AddRole(role, fakeaws.RoleOptions{MFASerial: mfa, MFACode: "123456", MaxSessionDuration: 12 * time.Hour})
	args := []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "file",
		"--role-arn", role + ",mfa-serial=" + mfa + ",duration=12h", "--role-arn", roleDeep}

	// Not interactive: fails at once, names the hop, says what to do.
	r := runPlugin(t, w.env, "123456\n", args...)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "hop 1/2 ("+role+")") || !strings.Contains(r.stderr, "kubectl eksxa login") {
		t.Fatalf("non-interactive MFA: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := w.fake.Calls("AssumeRole", role); got != 0 {
		t.Errorf("non-interactive MFA called STS %d times", got)
	}

	// Interactive: the prompt goes to stderr, the code comes from stdin.
	interactive := w.with("KUBERNETES_EXEC_INFO", `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`)
	r = runPlugin(t, interactive, "123456\n", args...)
	if r.code != 0 || !strings.Contains(r.stderr, "MFA code for "+mfa) || strings.Contains(r.stdout, "MFA code") {
		t.Fatalf("interactive MFA: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	// A wrong code is refused by STS and reported.
	r = runPlugin(t, w.with("EKSXA_CACHE_DIR", filepath.Join(t.TempDir(), "cache"), "KUBERNETES_EXEC_INFO", interactive["KUBERNETES_EXEC_INFO"]), "000000\n", args...)
	if r.code != 1 || !strings.Contains(r.stderr, "hop 1/2") {
		t.Errorf("wrong MFA code: exit %d stderr %q", r.code, r.stderr)
	}
}

// TestConcurrentColdCache: 16 kubectl processes at once on a cold cache,
// against a slow STS, run the chain once between them.
func TestConcurrentColdCache(t *testing.T) {
	w := newWorld(t)
	w.fake.SetDelay(200 * time.Millisecond)
	args := []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "file",
		"--role-arn", roleTools, "--role-arn", roleWork + ",external-id=ext-123"}
	var wg sync.WaitGroup
	results := make([]result, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runPlugin(t, w.env, "", args...)
		}()
	}
	wg.Wait()
	tokens := map[string]bool{}
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("process %d: exit %d stderr %q", i, r.code, r.stderr)
			continue
		}
		var cred struct{ Status struct{ Token string } }
		must(t, json.Unmarshal([]byte(r.stdout), &cred))
		tokens[cred.Status.Token] = true
	}
	if len(tokens) != 1 {
		t.Errorf("16 processes got %d different tokens, want 1", len(tokens))
	}
	for _, role := range []string{roleTools, roleWork} {
		if got := w.fake.Calls("AssumeRole", role); got != 1 {
			t.Errorf("AssumeRole %s: %d calls from 16 processes, want 1", role, got)
		}
	}
}
