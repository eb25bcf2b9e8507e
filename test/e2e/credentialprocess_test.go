package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// awsCLI returns the aws CLI's path, failing in CI (whose machine image has
// it) and skipping elsewhere when it is missing.
func awsCLI(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the aws CLI is not on PATH; CI's machine image has it")
		}
		t.Skip("the aws CLI is not installed")
	}
	return p
}

// runAWS runs the real aws CLI with exactly env (plus PATH).
func runAWS(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runCommand(t, "", env, "", awsCLI(t), args...)
}

// processWorld is a world whose ~/.aws holds the base profile "id" (static
// keys in the credentials file) and credential_process profiles that run
// the binary: tf (two hops), mfa (an MFA hop) and loop (its own base).
func processWorld(t *testing.T) (*world, map[string]string, string) {
	t.Helper()
	w := newWorldWith(t, fakeaws.Options{})
	home := w.env["HOME"]
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	cp := binary + " credential-process --cache file --profile id"
	cfg := fmt.Sprintf(`[profile id]
region = eu-west-1

[profile tf]
credential_process = %[1]s --role-arn %[2]s --role-arn %[3]s,external-id=ext-123
region = eu-west-1

[profile mfa]
credential_process = %[1]s --role-arn %[4]s,mfa-serial=%[5]s

[profile loop]
credential_process = %[6]s credential-process --cache file --profile loop --role-arn %[2]s
`, cp, roleTools, roleWork, mfaRole, mfaSerial, binary)
	creds := fmt.Sprintf("[id]\naws_access_key_id = %s\naws_secret_access_key = %s\n", w.user.AccessKeyID, w.user.SecretAccessKey)
	cfgFile := filepath.Join(home, ".aws", "config")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	w.fake.AddRole(mfaRole, fakeaws.RoleOptions{MFASerial: mfaSerial, MFACode: "123456"})
	// What the aws CLI sees: no keys of its own, the fake STS.
	env := w.with("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "KUBERNETES_EXEC_INFO", "",
		"AWS_DEFAULT_REGION", "eu-west-1")
	return w, env, cfgFile
}

const (
	mfaSerial = "arn:aws:iam::" + identityAcct + ":mfa/alice"
	mfaRole   = "arn:aws:iam::" + toolsAcct + ":role/mfa-jump"
)

// TestCredentialProcessAWSCLI: the real aws CLI runs credential-process and
// calls the fake STS with the chain's final session; the second call comes
// from the cache; a hop that needs MFA fails at once with the login hint.
func TestCredentialProcessAWSCLI(t *testing.T) {
	w, env, _ := processWorld(t)
	r := runAWS(t, env, "sts", "get-caller-identity", "--profile", "tf", "--output", "json")
	if r.code != 0 {
		t.Fatalf("aws sts get-caller-identity: exit %d stderr %q", r.code, r.stderr)
	}
	want := "arn:aws:sts::" + workAcct + ":assumed-role/eks-admin/eksxa-alice"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("identity %q, want %s", r.stdout, want)
	}
	if got := w.fake.Calls("AssumeRole", roleWork); got != 1 {
		t.Errorf("AssumeRole %s: %d calls, want 1", roleWork, got)
	}
	before := w.fake.Calls("AssumeRole", "")
	r = runAWS(t, env, "sts", "get-caller-identity", "--profile", "tf", "--output", "json")
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Fatalf("second call: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := w.fake.Calls("AssumeRole", "") - before; got != 0 {
		t.Errorf("the second call made %d AssumeRole calls, want 0 (cached)", got)
	}
	assertNoSecret(t, w, r.stderr)

	t.Run("MFA needed: exit at once with the login hint", func(t *testing.T) {
		r := runAWS(t, env, "sts", "get-caller-identity", "--profile", "mfa")
		if r.code == 0 {
			t.Fatalf("aws succeeded without an MFA code: %q", r.stdout)
		}
		for _, want := range []string{"hop 1/1 (" + mfaRole + ")", "kubectl eksxa login --profile id --role-arn " + mfaRole + ",mfa-serial=" + mfaSerial + " --cache file"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("aws's error lacks %q:\n%s", want, r.stderr)
			}
		}
		if r.took > 5*time.Second {
			t.Errorf("took %v: credential-process must not wait for input", r.took)
		}
		if got := w.fake.Calls("AssumeRole", mfaRole); got != 0 {
			t.Errorf("AssumeRole %s: %d calls, want none", mfaRole, got)
		}
		// The process alone, as the tools run it: stdin open, no terminal.
		pr := runPlugin(t, env, "123456\n", "credential-process", "--cache", "file", "--profile", "id", "--role-arn", mfaRole+",mfa-serial="+mfaSerial)
		if pr.code != 1 || pr.stdout != "" || !strings.Contains(pr.stderr, "run: kubectl eksxa login") || pr.took > 2*time.Second {
			t.Errorf("credential-process: exit %d in %v, stdout %q stderr %q; want 1 at once, nothing on stdout, the hint", pr.code, pr.took, pr.stdout, pr.stderr)
		}
		// After login with the hint's flags, the aws CLI works. Login runs
		// from a shell that exports AWS_PROFILE=mfa (Terraform's way): with
		// --profile given it selects nothing, so the keys still match.
		byEnv := map[string]string{"AWS_PROFILE": "mfa"}
		for k, v := range env {
			byEnv[k] = v
		}
		lr := runPlugin(t, byEnv, "123456\n", "login", "--cache", "file", "--profile", "id", "--role-arn", mfaRole+",mfa-serial="+mfaSerial)
		if lr.code != 0 {
			t.Fatalf("login: exit %d stderr %q", lr.code, lr.stderr)
		}
		r = runAWS(t, env, "sts", "get-caller-identity", "--profile", "mfa")
		if r.code != 0 || !strings.Contains(r.stdout, "assumed-role/mfa-jump/") {
			t.Errorf("after login: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
		// As Terraform runs it: the profile chosen by AWS_PROFILE.
		r = runAWS(t, byEnv, "sts", "get-caller-identity")
		if r.code != 0 || !strings.Contains(r.stdout, "assumed-role/mfa-jump/") {
			t.Errorf("AWS_PROFILE=mfa after login: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
		if got := w.fake.Calls("AssumeRole", mfaRole); got != 1 {
			t.Errorf("AssumeRole %s: %d calls, want 1 (login's)", mfaRole, got)
		}
	})
	t.Run("a profile that is its own base stops at once", func(t *testing.T) {
		r := runAWS(t, env, "sts", "get-caller-identity", "--profile", "loop")
		if r.code == 0 || !strings.Contains(r.stderr, "credential-process is running itself") {
			t.Errorf("exit %d stderr %q", r.code, r.stderr)
		}
	})
}

// TestCredentialProcessGoSDK: aws-sdk-go-v2's LoadDefaultConfig (what
// Terraform's AWS provider uses) runs credential-process for profile tf.
func TestCredentialProcessGoSDK(t *testing.T) {
	w, env, cfgFile := processWorld(t)
	for k, v := range env {
		t.Setenv(k, v) // the SDK runs the process with this process's environment
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		t.Setenv(k, "") // restored after the test
		if err := os.Unsetenv(k); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	call := func() string {
		t.Helper()
		cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile("tf"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity through credential-process: %v", err)
		}
		creds, _ := cfg.Credentials.Retrieve(context.Background())
		if left := time.Until(creds.Expires); !creds.CanExpire || left < 20*time.Minute {
			t.Errorf("the SDK got credentials that expire in %v (can expire: %v), want at least 20m", left, creds.CanExpire)
		}
		return aws.ToString(out.Arn)
	}
	want := "arn:aws:sts::" + workAcct + ":assumed-role/eks-admin/eksxa-alice"
	if got := call(); got != want {
		t.Errorf("identity %s, want %s", got, want)
	}
	before := w.fake.Calls("AssumeRole", "")
	if got := call(); got != want {
		t.Errorf("second identity %s", got)
	}
	if got := w.fake.Calls("AssumeRole", "") - before; got != 0 {
		t.Errorf("the second process made %d AssumeRole calls, want 0", got)
	}
}
