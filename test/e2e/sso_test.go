package e2e

import (
	"bufio"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

const ssoStartURL = "https://corp.awsapps.com/start"

// ssoWorld is a fake AWS with IAM Identity Center: profile ssoprofile
// signs in through sso-session corp to a permission set in the identity
// account, and the chain adds one --role-arn hop.
type ssoWorld struct {
	fake     *fakeaws.Server
	env      map[string]string
	home     string
	ssoRole  string
	cacheDir string
}

func newSSOWorld(t *testing.T) *ssoWorld {
	t.Helper()
	fake := fakeaws.New(fakeaws.Options{})
	t.Cleanup(fake.Close)
	fake.AddRole(roleTools, fakeaws.RoleOptions{})
	w := &ssoWorld{fake: fake, ssoRole: fake.AddSSORole(identityAcct, "Admin")}
	w.home = t.TempDir()
	if err := os.MkdirAll(filepath.Join(w.home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(w.home, ".aws", "config"), []byte(fmt.Sprintf(`[profile ssoprofile]
sso_session = corp
sso_account_id = %s
sso_role_name = Admin
region = eu-west-1

[sso-session corp]
sso_start_url = %s
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`, identityAcct, ssoStartURL)), 0o600))
	w.cacheDir = filepath.Join(w.home, ".aws", "sso", "cache")
	w.env = map[string]string{
		"HOME":                      w.home,
		"AWS_EC2_METADATA_DISABLED": "true",
		"EKSXA_CACHE_DIR":           filepath.Join(w.home, "cache"),
		"AWS_ENDPOINT_URL_STS":      fake.URL,
		"AWS_ENDPOINT_URL_SSO":      fake.URL,
		"AWS_ENDPOINT_URL_SSO_OIDC": fake.URL,
		"KUBERNETES_EXEC_INFO":      execInfoV1,
		"USER":                      "alice",
	}
	return w
}

// tokenFile is the AWS CLI's cache file for sso-session corp:
// ~/.aws/sso/cache/<sha1("corp")>.json.
func (w *ssoWorld) tokenFile() string {
	sum := sha1.Sum([]byte("corp"))
	return filepath.Join(w.cacheDir, hex.EncodeToString(sum[:])+".json")
}

func (w *ssoWorld) oidcCalls() int {
	return w.fake.Calls("RegisterClient", "") + w.fake.Calls("StartDeviceAuthorization", "") + w.fake.Calls("CreateToken", "")
}

// startLogin starts `login` and returns it with its stderr, read up to the
// code it shows.
func (w *ssoWorld) startLogin(t *testing.T, env map[string]string, args ...string) (*exec.Cmd, string, *strings.Builder, *strings.Builder, chan struct{}) {
	t.Helper()
	return w.start(t, env, append([]string{"login"}, args...)...)
}

// start runs the binary with args and returns it once it shows a sign-in
// code, with that code and its output so far.
func (w *ssoWorld) start(t *testing.T, env map[string]string, args ...string) (*exec.Cmd, string, *strings.Builder, *strings.Builder, chan struct{}) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout = &stdout
	pipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	codeRE := regexp.MustCompile(`confirm the code ([A-Z2-7]{4}-[A-Z2-7]{4})`)
	found := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := bufio.NewReader(pipe)
		for {
			line, err := r.ReadString('\n')
			stderr.WriteString(line)
			if m := codeRE.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
			if err != nil {
				_, _ = io.Copy(io.Discard, r) // drain, so the child never blocks on a full pipe
				return
			}
		}
	}()
	select {
	case code := <-found:
		return cmd, code, &stdout, &stderr, done
	case <-done:
		_ = cmd.Wait() // it has exited without a code; the caller's checks say why
		t.Fatalf("login showed no code; stderr %q stdout %q", stderr.String(), stdout.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("login showed no code in 20s; stderr %q", stderr.String())
	}
	return nil, "", nil, nil, nil
}

// TestSSOSignIn: an expired IAM Identity Center sign-in plus one hop. login
// shows a code, the test approves it, the AWS CLI's cache file is written
// and the aws CLI works with it; the next token makes no OIDC call; an
// expired access token is refreshed without a prompt; without a usable
// sign-in a non-interactive token fails at once naming login.
func TestSSOSignIn(t *testing.T) {
	w := newSSOWorld(t)
	chainArgs := []string{"--region", "eu-west-1", "--profile", "ssoprofile", "--role-arn", roleTools}
	// An expired sign-in whose refresh the service refuses (an unknown
	// client), as left by an earlier `aws sso login`.
	if err := os.MkdirAll(w.cacheDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.tokenFile(), []byte(`{"startUrl":"`+ssoStartURL+`","region":"eu-west-1","accessToken":"old","expiresAt":"2020-01-01T00:00:00Z","refreshToken":"old-refresh","clientId":"gone","clientSecret":"gone","registrationExpiresAt":"2099-01-01T00:00:00Z"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	// The browser is a script that records what it was asked to open.
	opened := filepath.Join(t.TempDir(), "opened")
	browser := filepath.Join(t.TempDir(), "browser")
	if err := os.WriteFile(browser, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+opened+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := w.env
	loginEnv := map[string]string{"BROWSER": browser}
	for k, v := range env {
		loginEnv[k] = v
	}
	cmd, code, stdout, stderr, done := w.startLogin(t, loginEnv, append([]string{"--cluster-name", "prod", "--cache", "file"}, chainArgs...)...)
	time.Sleep(1500 * time.Millisecond) // a poll or two while pending
	if !w.fake.ApproveDevice(code) {
		t.Fatalf("no pending authorization for code %s", code)
	}
	if err := cmd.Wait(); err != nil {
		<-done
		t.Fatalf("login: %v; stderr %q", err, stderr.String())
	}
	<-done
	t.Logf("login stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	t.Logf("calls: register %d start %d device_code %d refresh %d", w.fake.Calls("RegisterClient", ""), w.fake.Calls("StartDeviceAuthorization", ""), w.fake.Calls("CreateToken", "device_code"), w.fake.Calls("CreateToken", "refresh_token"))
	if !strings.Contains(stdout.String(), "assumed-role/jump/eksxa-alice") {
		t.Errorf("login output %q", stdout.String())
	}
	if b, _ := os.ReadFile(opened); !strings.Contains(string(b), "user_code="+code) {
		t.Errorf("the browser was asked to open %q", b)
	}
	if w.fake.Calls("CreateToken", "device_code") < 2 {
		t.Errorf("CreateToken polled %d times, want pending polls then the token", w.fake.Calls("CreateToken", "device_code"))
	}
	if got := w.fake.Calls("GetRoleCredentials", w.ssoRole); got != 1 {
		t.Errorf("GetRoleCredentials %d times, want 1", got)
	}

	// The cache file has the AWS CLI's shape.
	fi, err := os.Stat(w.tokenFile())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(w.tokenFile())
	var file map[string]string
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"startUrl", "region", "accessToken", "expiresAt", "refreshToken", "clientId", "clientSecret", "registrationExpiresAt"} {
		if file[k] == "" {
			t.Errorf("cache file lacks %s: %v", k, keysOf(file))
		}
	}
	if exp, err := time.Parse("2006-01-02T15:04:05Z", file["expiresAt"]); err != nil || time.Until(exp) < 7*time.Hour {
		t.Errorf("expiresAt %q: %v", file["expiresAt"], err)
	}
	if file["startUrl"] != ssoStartURL || file["region"] != "eu-west-1" {
		t.Errorf("startUrl %q region %q", file["startUrl"], file["region"])
	}
	if entries, _ := os.ReadDir(w.cacheDir); len(entries) != 1 {
		t.Errorf("%d files in the SSO cache, want 1", len(entries))
	}
	assertNoSSOSecret(t, file, stdout.String()+stderr.String())

	t.Run("the aws CLI uses the sign-in", func(t *testing.T) {
		awsCLI(t)
		before := w.fake.Calls("GetRoleCredentials", w.ssoRole)
		r := runAWS(t, w.env, "sts", "get-caller-identity", "--profile", "ssoprofile", "--query", "Arn", "--output", "text")
		if r.code != 0 || !strings.Contains(r.stdout, "assumed-role/AWSReservedSSO_Admin_") {
			t.Fatalf("aws: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
		if got := w.fake.Calls("GetRoleCredentials", w.ssoRole) - before; got != 1 {
			t.Errorf("the aws CLI called GetRoleCredentials %d times, want 1", got)
		}
	})

	t.Run("the next token makes no OIDC call", func(t *testing.T) {
		before := w.oidcCalls()
		r := runPlugin(t, env, "", append([]string{"token", "--cluster-name", "other", "--cache", "none"}, chainArgs...)...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("token: exit %d stderr %q", r.code, r.stderr)
		}
		if got := w.oidcCalls() - before; got != 0 {
			t.Errorf("%d OIDC calls, want 0", got)
		}
	})

	t.Run("an expired access token is refreshed without a prompt", func(t *testing.T) {
		w.fake.ExpireSSOAccessTokens()
		var f map[string]string
		b, _ := os.ReadFile(w.tokenFile())
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		f["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05Z")
		b, _ = json.Marshal(f)
		if err := os.WriteFile(w.tokenFile(), b, 0o600); err != nil {
			t.Fatal(err)
		}
		before := w.fake.Calls("StartDeviceAuthorization", "")
		r := runPlugin(t, env, "", append([]string{"token", "--cluster-name", "other", "--cache", "none"}, chainArgs...)...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("token: exit %d stderr %q", r.code, r.stderr)
		}
		if got := w.fake.Calls("CreateToken", "refresh_token"); got != 2 { // login's refused one, this one
			t.Errorf("refresh_token grants %d, want 2", got)
		}
		if got := w.fake.Calls("StartDeviceAuthorization", "") - before; got != 0 {
			t.Errorf("%d device authorizations, want 0", got)
		}
		var nf map[string]string
		b, _ = os.ReadFile(w.tokenFile())
		if err := json.Unmarshal(b, &nf); err != nil {
			t.Fatal(err)
		}
		if nf["accessToken"] == f["accessToken"] || nf["clientId"] != f["clientId"] {
			t.Errorf("the file was not updated with the refreshed token")
		}
	})

	t.Run("a cached hop needs no sign-in", func(t *testing.T) {
		// login cached the hop's session (--cache file): while it lives, the
		// base is not asked for, so neither the sign-in nor the portal is.
		os.Remove(w.tokenFile())
		before, oidc := w.fake.Calls("GetRoleCredentials", ""), w.oidcCalls()
		r := runPlugin(t, env, "", append([]string{"credential-process", "--cache", "file"}, chainArgs...)...)
		if r.code != 0 || !strings.Contains(r.stdout, `"Version":1`) || r.stderr != "" {
			t.Fatalf("credential-process: exit %d stdout %d bytes stderr %q", r.code, len(r.stdout), r.stderr)
		}
		if got := w.fake.Calls("GetRoleCredentials", "") - before; got != 0 || w.oidcCalls() != oidc {
			t.Errorf("%d portal and %d OIDC calls, want none", got, w.oidcCalls()-oidc)
		}
	})

	t.Run("non-interactive without a usable sign-in fails at once", func(t *testing.T) {
		os.Remove(w.tokenFile())
		before := w.oidcCalls()
		r := runPlugin(t, env, "", append([]string{"token", "--cluster-name", "other", "--cache", "none"}, chainArgs...)...)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "kubectl eksxa login") || !strings.Contains(r.stderr, `"ssoprofile"`) {
			t.Errorf("token: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
		if r.took > 5*time.Second || w.oidcCalls() != before {
			t.Errorf("took %v and %d OIDC calls; want at once and none", r.took, w.oidcCalls()-before)
		}
		// The hint leaves out --cache none: login would cache nothing.
		r = runPlugin(t, env, "", append([]string{"credential-process", "--cache", "none"}, chainArgs...)...)
		if r.code != 1 || r.stdout != "" || !strings.HasSuffix(r.stderr, "run: kubectl eksxa login --region eu-west-1 --profile ssoprofile --role-arn "+roleTools+"\n") {
			t.Errorf("credential-process: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("an interactive token signs in", func(t *testing.T) {
		os.Remove(w.tokenFile())
		env := map[string]string{}
		for k, v := range w.env {
			env[k] = v
		}
		env["KUBERNETES_EXEC_INFO"] = `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`
		cmd, code, stdout, stderr, done := w.start(t, env, append([]string{"token", "--cluster-name", "other", "--cache", "none"}, chainArgs...)...)
		if !w.fake.ApproveDevice(code) {
			t.Fatalf("no pending authorization for %s", code)
		}
		if err := cmd.Wait(); err != nil {
			<-done
			t.Fatalf("token: %v; stderr %q", err, stderr.String())
		}
		<-done
		if !strings.Contains(stdout.String(), `"token":"k8s-aws-v1.`) {
			t.Errorf("stdout %q, want the ExecCredential only", stdout.String())
		}
		if _, err := os.Stat(w.tokenFile()); err != nil {
			t.Errorf("no cache file: %v", err)
		}
	})

	t.Run("Ctrl-C while waiting leaves no file", func(t *testing.T) {
		os.Remove(w.tokenFile())
		cmd, _, _, stderr, done := w.startLogin(t, env, append([]string{"--no-browser", "--cache", "none"}, chainArgs...)...)
		time.Sleep(1200 * time.Millisecond)
		must(t, cmd.Process.Signal(syscall.SIGINT))
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		select {
		case err := <-waited:
			t.Logf("login after SIGINT: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("login did not stop on SIGINT")
		}
		<-done
		if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), "cancelled") {
			t.Errorf("exit %d stderr %q", cmd.ProcessState.ExitCode(), stderr.String())
		}
		if strings.Contains(stderr.String(), "a browser window was opened") {
			t.Errorf("--no-browser opened a browser")
		}
		if entries, _ := os.ReadDir(w.cacheDir); len(entries) != 0 {
			t.Errorf("%d files left in the SSO cache", len(entries))
		}
	})
}

func keysOf(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// assertNoSSOSecret fails if the token file's secrets appear in s.
func assertNoSSOSecret(t *testing.T, file map[string]string, s string) {
	t.Helper()
	for _, k := range []string{"accessToken", "refreshToken", "clientSecret"} {
		if file[k] != "" && strings.Contains(s, file[k]) {
			t.Errorf("output carries the %s", k)
		}
	}
}

// TestSSOLegacyProfile: a profile with sso_start_url and no sso_session
// (the older form) signs in the same way; its cache file is named by the
// SHA-1 of the start URL, and the aws CLI reads it.
func TestSSOLegacyProfile(t *testing.T) {
	w := newSSOWorld(t)
	const legacyURL = "https://legacy.awsapps.com/start"
	f, _ := os.OpenFile(filepath.Join(w.home, ".aws", "config"), os.O_APPEND|os.O_WRONLY, 0o600)
	fmt.Fprintf(f, "\n[profile legacy]\nsso_start_url = %s\nsso_region = eu-west-1\nsso_account_id = %s\nsso_role_name = Admin\nregion = eu-west-1\n", legacyURL, identityAcct)
	f.Close()
	cmd, code, stdout, stderr, done := w.startLogin(t, w.env, "--no-browser", "--cache", "none", "--profile", "legacy")
	w.fake.ApproveDevice(code)
	if err := cmd.Wait(); err != nil {
		<-done
		t.Fatalf("login: %v; stderr %q", err, stderr.String())
	}
	<-done
	if !strings.Contains(stdout.String(), "assumed-role/AWSReservedSSO_Admin_") {
		t.Errorf("login output %q", stdout.String())
	}
	sum := sha1.Sum([]byte(legacyURL))
	b, err := os.ReadFile(filepath.Join(w.cacheDir, hex.EncodeToString(sum[:])+".json"))
	if err != nil {
		t.Fatalf("no cache file named by the start URL: %v", err)
	}
	var file map[string]string
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if file["accessToken"] == "" || file["startUrl"] != legacyURL || file["refreshToken"] != "" {
		// No scopes were registered for the legacy form: no refresh token.
		t.Errorf("cache file fields: %v", keysOf(file))
	}
	awsCLI(t)
	r := runAWS(t, w.env, "sts", "get-caller-identity", "--profile", "legacy", "--query", "Arn", "--output", "text")
	if r.code != 0 || !strings.Contains(r.stdout, "assumed-role/AWSReservedSSO_Admin_") {
		t.Errorf("aws: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}
