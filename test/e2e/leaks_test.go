package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// TestNoSecretInAnyOutput drives success and error paths, with -v, from
// base credentials that are themselves a role session (so there is a base
// session token to leak too), and greps every stderr, and stdout when it
// is not an ExecCredential, for any secret: the base keys' secret and
// session token, every cached session's secret and token, and tokens.
func TestNoSecretInAnyOutput(t *testing.T) {
	w := newWorld(t)
	base, ok := w.fake.AddSession("arn:aws:iam::"+identityAcct+":role/ci", "ci", time.Hour)
	if !ok {
		t.Fatal("AddSession refused the role ARN")
	}
	env := w.with("AWS_ACCESS_KEY_ID", base.AccessKeyID, "AWS_SECRET_ACCESS_KEY", base.SecretAccessKey, "AWS_SESSION_TOKEN", base.SessionToken)
	const mfa = "arn:aws:iam::" + identityAcct + ":mfa/alice"
	locked := "arn:aws:iam::" + workAcct + ":role/locked"
	w.fake.AddRole(locked, fakeaws.RoleOptions{Deny: true})
	good := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--cache", "file", "-v", "--role-arn", roleTools, "--role-arn", roleWork + ",external-id=ext-123"}

	secrets := map[string]string{
		"base secret access key": base.SecretAccessKey,
		"base session token":     base.SessionToken,
		"user secret access key": w.user.SecretAccessKey,
	}
	// collect adds every secret the file cache holds now: the sessions and
	// tokens the calls made.
	known := map[string]bool{}
	collect := func() {
		files, _ := filepath.Glob(filepath.Join(w.env["EKSXA_CACHE_DIR"], "*.entry"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			var e struct{ SecretAccessKey, SessionToken, Token string }
			if err := json.Unmarshal(b, &e); err != nil {
				t.Errorf("cache entry %s is not JSON: %v", filepath.Base(f), err)
			}
			for k, v := range map[string]string{"cached secret": e.SecretAccessKey, "cached session token": e.SessionToken, "cached token": e.Token} {
				if v != "" && !known[v] {
					known[v] = true
					secrets[fmt.Sprintf("%s #%d (%s)", k, len(secrets), filepath.Base(f))] = v
				}
			}
		}
	}
	var outputs []string
	run := func(name string, env map[string]string, stdin string, args ...string) result {
		r := runPlugin(t, env, stdin, args...)
		collect()
		outputs = append(outputs, name+" stderr: "+r.stderr)
		if r.code != 0 || !strings.Contains(r.stdout, `"kind":"ExecCredential"`) {
			outputs = append(outputs, name+" stdout: "+r.stdout)
		}
		return r
	}
	steps := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
	}{
		{"cold success", env, append([]string{"token"}, good...), 0},
		{"warm success", env, append([]string{"token"}, good...), 0},
		{"login", env, append([]string{"login"}, good...), 0},
		{"status", env, []string{"status", "-o", "json"}, 0},
		{"denied hop", env, []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "file", "-v", "--role-arn", roleTools, "--role-arn", locked}, 1},
		{"missing external ID", env, []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none", "-v", "--role-arn", roleWork}, 1},
		{"MFA without a terminal", env, []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none", "-v", "--role-arn", roleTools + ",mfa-serial=" + mfa}, 1},
		{"bad hop spec", env, []string{"token", "--cluster-name", "prod", "-v", "--role-arn", roleTools + ",duration=forever"}, 2},
		{"bad flag", env, []string{"token", "--cluster-name", "prod", "-v", "--secret", base.SecretAccessKey[:4]}, 2},
		{"bad exec info", w.with("KUBERNETES_EXEC_INFO", `{"apiVersion":"v9"}`, "AWS_SECRET_ACCESS_KEY", base.SecretAccessKey, "AWS_SESSION_TOKEN", base.SessionToken), []string{"token", "--cluster-name", "prod", "-v"}, 1},
		{"wrong secret key", w.with("AWS_ACCESS_KEY_ID", base.AccessKeyID, "AWS_SECRET_ACCESS_KEY", strings.Repeat("x", 40), "AWS_SESSION_TOKEN", base.SessionToken), []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none", "-v", "--role-arn", roleTools}, 1},
		{"logout", env, append([]string{"logout"}, good...), 0},
	}
	for _, s := range steps {
		r := run(s.name, s.env, "", s.args...)
		if r.code != s.wantCode {
			t.Errorf("%s: exit %d, want %d; stderr %q", s.name, r.code, s.wantCode, r.stderr)
		}
	}
	// STS throttles past the retry budget, then revokes the base keys.
	w.fake.Fail("AssumeRole", 10, 400, "Throttling")
	run("throttled", env, "", append([]string{"token", "--cluster-name", "throttled"}, good[2:]...)...)
	w.fake.Revoke(base.AccessKeyID)
	run("revoked base", env, "", append([]string{"token", "--cluster-name", "revoked"}, good[2:]...)...)

	for _, out := range outputs {
		for what, s := range secrets {
			if len(s) >= 16 && strings.Contains(out, s) {
				t.Errorf("%s leaks the %s", strings.SplitN(out, ":", 2)[0], what)
			}
		}
		if strings.Contains(out, "k8s-aws-v1.") {
			t.Errorf("%s leaks a token", strings.SplitN(out, ":", 2)[0])
		}
		for _, half := range []string{base.SessionToken[:32], base.SessionToken[len(base.SessionToken)-32:]} {
			if strings.Contains(out, half) {
				t.Errorf("%s leaks part of the base session token", strings.SplitN(out, ":", 2)[0])
			}
		}
	}
	// The base's two, the user's, two hops' two each and the token (login's
	// is the same when signed in the same second). The denied hop keeps
	// hop 1's session: an AccessDenied is not a refused signer.
	if len(secrets) < 3+4+1 {
		t.Errorf("only %d secrets collected; the sweep checks too little", len(secrets))
	}
	if len(outputs) < len(steps)+2 {
		t.Fatalf("only %d outputs checked", len(outputs))
	}
}
