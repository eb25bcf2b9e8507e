package e2e

// QA reproductions: each test here failed against main at 98cd286 when it
// was written. Each names the SPEC line or the public report it follows.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// qaWorld is a fake AWS (without routing the verifier to it) and an
// environment with a private HOME but no keys in the environment: the base
// comes from the files the test writes.
func qaWorld(t *testing.T) (*fakeaws.Server, fakeaws.Credentials, map[string]string) {
	t.Helper()
	fake := fakeaws.New(fakeaws.Options{})
	t.Cleanup(fake.Close)
	user := fake.AddUser(identityAcct, "alice")
	fake.AddRole(roleTools, fakeaws.RoleOptions{})
	home := t.TempDir()
	env := map[string]string{
		"HOME":                      home,
		"USER":                      "alice",
		"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ENDPOINT_URL_STS":      fake.URL,
		"AWS_ENDPOINT_URL_EKS":      fake.URL,
		"EKSXA_CACHE":               "file",
		"EKSXA_CACHE_DIR":           filepath.Join(home, "cache"),
		"KUBERNETES_EXEC_INFO":      execInfoV1,
	}
	return fake, user, env
}

func qaWriteFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// TestQACredentialProcessOutputNeverEchoed: a credential_process that
// prints a banner line before its JSON (granted and aws-vault print update
// notices; fwdcloudsec/granted#133 shows such setups) or a bad Expiration
// must not have its output, which holds the secret key, repeated in the
// error. SPEC "Errors": no secret is ever printed.
func TestQACredentialProcessOutputNeverEchoed(t *testing.T) {
	_, user, env := qaWorld(t)
	home := env["HOME"]
	for name, out := range map[string]string{
		"banner":  "A new version is available\n" + fmt.Sprintf(`{"Version":1,"AccessKeyId":%q,"SecretAccessKey":%q}`, user.AccessKeyID, user.SecretAccessKey),
		"badtime": fmt.Sprintf(`{"Version":1,"AccessKeyId":%q,"SecretAccessKey":%q,"Expiration":"tomorrow"}`, user.AccessKeyID, user.SecretAccessKey),
	} {
		t.Run(name, func(t *testing.T) {
			script := filepath.Join(home, name+".sh")
			qaWriteFile(t, script, "#!/bin/sh\ncat <<'EOF'\n"+out+"\nEOF\n", 0o700)
			qaWriteFile(t, filepath.Join(home, ".aws", "config"), "[profile cp]\ncredential_process = "+script+"\n", 0o600)
			r := runPlugin(t, env, "", "token", "--cluster-name", "prod", "--region", "eu-west-1", "--profile", "cp")
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			if r.stdout != "" {
				t.Errorf("stdout on failure: %q", r.stdout)
			}
			if strings.Contains(r.stderr, user.SecretAccessKey) {
				t.Errorf("the secret access key is in stderr: %q", strings.ReplaceAll(r.stderr, user.SecretAccessKey, "<SECRET>"))
			}
		})
	}
}

// TestQATrustDenialKeepsEarlierMFASession: hop 2's trust policy refuses
// hop 1's MFA session. That is not a revoked hop-1 session, so the MFA
// session (12h) must stay cached and the next attempt must report hop 2's
// AccessDenied, not ask for the MFA code again. SPEC "The cache": an MFA
// hop's session outlives the hops after it, MFA is asked once per session;
// "a cached session that STS refuses (revoked, expired early)" is dropped.
func TestQATrustDenialKeepsEarlierMFASession(t *testing.T) {
	fake, user, env := qaWorld(t)
	const mfa = "arn:aws:iam::" + identityAcct + ":mfa/alice"
	mfaRole := "arn:aws:iam::" + toolsAcct + ":role/mfa-admin"
	denied := "arn:aws:iam::" + workAcct + ":role/denied"
	fake.AddRole(mfaRole, fakeaws.RoleOptions{MFASerial: mfa, MFACode: "123456", MaxSessionDuration: 12 * time.Hour})
	fake.AddRole(denied, fakeaws.RoleOptions{Deny: true})
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = user.AccessKeyID, user.SecretAccessKey
	chain := []string{"--cluster-name", "prod", "--region", "eu-west-1",
		"--role-arn", mfaRole + ",mfa-serial=" + mfa + ",duration=12h", "--role-arn", denied}

	r := runPlugin(t, env, "123456\n", append([]string{"login"}, chain...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "hop 2/2") || !strings.Contains(r.stderr, "AccessDenied") {
		t.Fatalf("first login: exit %d stderr %q, want hop 2/2 AccessDenied", r.code, r.stderr)
	}
	// kubectl's next call: not interactive. It must name the real cause.
	r = runPlugin(t, env, "", append([]string{"token"}, chain...)...)
	if !strings.Contains(r.stderr, "AccessDenied") || strings.Contains(r.stderr, "MFA code is needed") {
		t.Errorf("token after a trust denial: exit %d stderr %q; want hop 2's AccessDenied, not an MFA prompt request", r.code, r.stderr)
	}
	if got := fake.Calls("AssumeRole", mfaRole); got != 1 {
		t.Errorf("MFA hop assumed %d times, want 1: its valid 12h session was dropped for hop 2's trust denial", got)
	}
}

// TestQALoginCacheNoneSaysWhatHappened: `login --cache none` assumes every
// hop and caches nothing; its report must not say hops were skipped
// because a session is cached, nor that the token is cached.
func TestQALoginCacheNoneSaysWhatHappened(t *testing.T) {
	_, user, env := qaWorld(t)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = user.AccessKeyID, user.SecretAccessKey
	r := runPlugin(t, env, "", "login", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none", "--role-arn", roleTools)
	if r.code != 0 {
		t.Fatalf("login: exit %d stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "is cached") || strings.Contains(r.stdout, "token    cached") || !strings.Contains(r.stdout, "assumed") {
		t.Errorf("login --cache none reports cached state that does not exist:\n%s", r.stdout)
	}
}

// TestQAAwsDefaultProfileSelectsProfile: the aws CLI (botocore) selects the
// profile from AWS_DEFAULT_PROFILE when AWS_PROFILE is unset
// (aws/aws-cli#4163: "when I set the ENVVAR of AWS_DEFAULT_PROFILE to the
// profile I want, the command works fine"). README: shared config is read
// with botocore's rules.
func TestQAAwsDefaultProfileSelectsProfile(t *testing.T) {
	fake, user, env := qaWorld(t)
	home := env["HOME"]
	qaWriteFile(t, filepath.Join(home, ".aws", "credentials"),
		fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", user.AccessKeyID, user.SecretAccessKey), 0o600)
	qaWriteFile(t, filepath.Join(home, ".aws", "config"), "[profile jump]\nrole_arn = "+roleTools+"\nsource_profile = base\n", 0o600)
	env["AWS_DEFAULT_PROFILE"] = "jump"
	r := runPlugin(t, env, "", "token", "--cluster-name", "prod", "--region", "eu-west-1")
	if r.code != 0 {
		t.Fatalf("AWS_DEFAULT_PROFILE=jump: exit %d stderr %q (aws sts get-caller-identity resolves it)", r.code, r.stderr)
	}
	if got := fake.Calls("AssumeRole", roleTools); got != 1 {
		t.Errorf("AssumeRole of the profile's role: %d calls, want 1", got)
	}
}

// TestQAPartialEnvKeysAreAnError: AWS_ACCESS_KEY_ID without
// AWS_SECRET_ACCESS_KEY is botocore's "Partial credentials found in env,
// missing: AWS_SECRET_ACCESS_KEY"; silently signing as the [default]
// profile's identity instead hands kubectl another principal.
func TestQAPartialEnvKeysAreAnError(t *testing.T) {
	fake, user, env := qaWorld(t)
	home := env["HOME"]
	qaWriteFile(t, filepath.Join(home, ".aws", "credentials"),
		fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", user.AccessKeyID, user.SecretAccessKey), 0o600)
	qaWriteFile(t, filepath.Join(home, ".aws", "config"), "[default]\nrole_arn = "+roleTools+"\nsource_profile = base\n", 0o600)
	env["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"
	r := runPlugin(t, env, "", "token", "--cluster-name", "prod", "--region", "eu-west-1")
	if r.code != 1 || !strings.Contains(r.stderr, "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("half an env key pair: exit %d stderr %q; want exit 1 naming AWS_SECRET_ACCESS_KEY", r.code, r.stderr)
	}
	if got := fake.Calls("AssumeRole", roleTools); got != 0 {
		t.Errorf("signed as [default]'s role instead (%d AssumeRole calls)", got)
	}
}

// TestQANoHomeIgnoresWorkingDirectory: with HOME unset (cron, systemd,
// `env -i`), the plugin must not take ./.aws/config and ./.aws/credentials
// from whatever directory kubectl runs in: a checked-out repository could
// carry a credential_process. botocore expands ~ from the account database.
// SPEC "Paths": nothing is created or read relative to the working directory.
func TestQANoHomeIgnoresWorkingDirectory(t *testing.T) {
	fake, user, env := qaWorld(t)
	cwd := t.TempDir()
	qaWriteFile(t, filepath.Join(cwd, ".aws", "credentials"),
		fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", user.AccessKeyID, user.SecretAccessKey), 0o600)
	qaWriteFile(t, filepath.Join(cwd, ".aws", "config"), "[default]\nrole_arn = "+roleTools+"\nsource_profile = base\n", 0o600)
	delete(env, "HOME")
	delete(env, "EKSXA_CACHE_DIR")
	env["EKSXA_CACHE"] = "none"
	cmd := exec.Command(binary, "token", "--cluster-name", "prod", "--region", "eu-west-1")
	cmd.Dir = cwd
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	_ = cmd.Run()
	if got := fake.Calls("AssumeRole", roleTools); got != 0 {
		t.Errorf("with HOME unset the plugin used ./.aws from the working directory (%d AssumeRole calls); stderr %q", got, errb.String())
	}
}

// TestQAKubeconfigNamesIdentityWithoutHops: with base credentials and no
// hop, kubeconfig's report says "kubectl-eksxa as " and nothing after it.
func TestQAKubeconfigNamesIdentityWithoutHops(t *testing.T) {
	fake, user, env := qaWorld(t)
	fake.AddCluster(fakeaws.Cluster{Name: "mine", Region: "us-east-1", Account: identityAcct, Endpoint: "https://mine.eks.invalid"})
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = user.AccessKeyID, user.SecretAccessKey
	r := runPlugin(t, env, "", "kubeconfig", "--cluster-name", "mine", "--region", "us-east-1", "--alias", "mine",
		"--kubeconfig", filepath.Join(env["HOME"], "kc"))
	if r.code != 0 {
		t.Fatalf("kubeconfig: exit %d stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "as )") || !strings.Contains(r.stdout, user.ARN) {
		t.Errorf("kubeconfig report does not name who kubectl will be (%s): %q", user.ARN, r.stdout)
	}
}

// TestQAExpiredProcessCredentialsNotHandedOut: a credential_process whose
// Expiration is in the past (a stale aws-vault/granted cache) yields an
// ExecCredential that expired years ago, with exit 0. botocore refuses
// such credentials; SPEC "The token": a token is never handed out with
// less than a minute to live.
func TestQAExpiredProcessCredentialsNotHandedOut(t *testing.T) {
	_, user, env := qaWorld(t)
	home := env["HOME"]
	script := filepath.Join(home, "cp.sh")
	qaWriteFile(t, script, "#!/bin/sh\ncat <<'EOF'\n"+fmt.Sprintf(`{"Version":1,"AccessKeyId":%q,"SecretAccessKey":%q,"SessionToken":"FwoGZXIvYXdzEXAMPLE","Expiration":"2020-01-01T00:00:00Z"}`, user.AccessKeyID, user.SecretAccessKey)+"\nEOF\n", 0o700)
	qaWriteFile(t, filepath.Join(home, ".aws", "config"), "[profile cp]\ncredential_process = "+script+"\n", 0o600)
	r := runPlugin(t, env, "", "token", "--cluster-name", "prod", "--region", "eu-west-1", "--profile", "cp")
	if r.code == 0 {
		var cred struct {
			Status struct {
				ExpirationTimestamp time.Time `json:"expirationTimestamp"`
			} `json:"status"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &cred); err == nil && time.Until(cred.Status.ExpirationTimestamp) < time.Minute {
			t.Errorf("exit 0 with an ExecCredential expiring %s (already past); want exit 1 naming the expired credential_process", cred.Status.ExpirationTimestamp)
		}
	}
}

// TestQALogoutWithCorruptIndex: after index.json is damaged (truncated),
// `logout --cluster-name prod` says nothing is cached and exits 1, while
// the next token call is still served from the cache. SPEC: logout with
// the same flags forgets everything cached for those flags; a corrupt
// entry is a miss, never a failure.
func TestQALogoutWithCorruptIndex(t *testing.T) {
	_, user, env := qaWorld(t)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = user.AccessKeyID, user.SecretAccessKey
	chain := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", roleTools}
	tokenOf(t, env, chain...)
	if err := os.WriteFile(filepath.Join(env["EKSXA_CACHE_DIR"], "index.json"), []byte(`{"v":1,"entries":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runPlugin(t, env, "", "logout", "--cluster-name", "prod")
	if r.code != 0 {
		t.Errorf("logout --cluster-name prod: exit %d stderr %q", r.code, r.stderr)
	}
	_, tr := tokenOf(t, env, append(chain, "-v")...)
	if strings.Contains(tr.stderr, "hit") {
		t.Errorf("after logout the token is still served from the cache: %q", tr.stderr)
	}
}

// TestQACredentialExpirationEnvCapsToken: `aws-vault exec`, granted and
// the SPEC's own `exec` put AWS_CREDENTIAL_EXPIRATION beside the session
// keys. SPEC "The token": expirationTimestamp is never later than the
// expiry of the credentials that signed it.
func TestQACredentialExpirationEnvCapsToken(t *testing.T) {
	fake, user, env := qaWorld(t)
	sess := assumeRole(t, fake, user, roleTools, "vault")
	expires := time.Now().Add(3 * time.Minute).UTC().Truncate(time.Second)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"] = sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken
	env["AWS_CREDENTIAL_EXPIRATION"] = expires.Format(time.RFC3339)
	r := runPlugin(t, env, "", "token", "--cluster-name", "prod", "--region", "eu-west-1")
	if r.code != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	var cred struct {
		Status struct {
			ExpirationTimestamp time.Time `json:"expirationTimestamp"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &cred); err != nil {
		t.Fatal(err)
	}
	if cred.Status.ExpirationTimestamp.After(expires) {
		t.Errorf("token expires %s, after the signing credentials (AWS_CREDENTIAL_EXPIRATION=%s)", cred.Status.ExpirationTimestamp, env["AWS_CREDENTIAL_EXPIRATION"])
	}
}

// TestQACacheDirExistingModeKept: EKSXA_CACHE_DIR pointed at an existing
// shared folder (a sticky 1777 scratch folder; /tmp itself when run as root
// in a container; or $HOME via EKSXA_CACHE_DIR=~) is silently chmod'ed to
// 0700, breaking everyone else who uses it. A folder the plugin did not
// create should be refused with a warning (or used with private files),
// not have its mode changed.
func TestQACacheDirExistingModeKept(t *testing.T) {
	_, user, env := qaWorld(t)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = user.AccessKeyID, user.SecretAccessKey
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	env["EKSXA_CACHE_DIR"] = shared
	tokenOf(t, env, "--cluster-name", "prod", "--region", "eu-west-1")
	fi, err := os.Stat(shared)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode() & (os.ModePerm | os.ModeSticky); got != 0o777|os.ModeSticky {
		t.Errorf("an existing shared folder's mode changed from drwxrwxrwt to %v", fi.Mode())
	}
}

// TestQATokenDoesNotWaitForAnotherLoginsMFAPrompt: while `login` waits at
// its MFA prompt in one terminal, every kubectl call for that chain in
// another (k9s, scripts) blocks on the per-key lock for the 30 s lock
// timeout, then fails with the MFA hint it could have given at once. SPEC
// "The token": otherwise a hop that needs MFA fails at once.
func TestQATokenDoesNotWaitForAnotherLoginsMFAPrompt(t *testing.T) {
	fake, user, env := qaWorld(t)
	const mfa = "arn:aws:iam::" + identityAcct + ":mfa/alice"
	mfaRole := "arn:aws:iam::" + toolsAcct + ":role/mfa-admin"
	fake.AddRole(mfaRole, fakeaws.RoleOptions{MFASerial: mfa, MFACode: "123456", MaxSessionDuration: 12 * time.Hour})
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = user.AccessKeyID, user.SecretAccessKey
	chain := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", mfaRole + ",mfa-serial=" + mfa + ",duration=12h"}

	login := exec.Command(binary, append([]string{"login"}, chain...)...)
	login.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		login.Env = append(login.Env, k+"="+v)
	}
	stdin, err := login.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := login.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = login.Wait() }() // cleanup: the test checked what it saw
	buf := make([]byte, 256)
	var seen string
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(seen, "MFA code") && time.Now().Before(deadline) {
		n, err := stderr.Read(buf)
		seen += string(buf[:n])
		if err != nil {
			break
		}
	}
	if !strings.Contains(seen, "MFA code") {
		t.Fatalf("login did not prompt: %q", seen)
	}
	r := runPlugin(t, env, "", append([]string{"token"}, chain...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "kubectl eksxa login") {
		t.Errorf("token: exit %d stderr %q", r.code, r.stderr)
	}
	if r.took > 5*time.Second {
		t.Errorf("a non-interactive token call waited %v for another process's MFA prompt", r.took.Round(time.Second))
	}
}
