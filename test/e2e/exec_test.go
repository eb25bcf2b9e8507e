package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// execWorld is a world with a base profile "id" in ~/.aws, selected by
// AWS_PROFILE, and the parent variables exec must not pass on.
func execWorld(t *testing.T) (*world, map[string]string) {
	t.Helper()
	w := newWorld(t)
	home := w.env["HOME"]
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile id]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(fmt.Sprintf("[id]\naws_access_key_id = %s\naws_secret_access_key = %s\n", w.user.AccessKeyID, w.user.SecretAccessKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := w.with("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "KUBERNETES_EXEC_INFO", "",
		"AWS_PROFILE", "id",
		"AWS_WEB_IDENTITY_TOKEN_FILE", filepath.Join(home, "no-such-token"),
		"AWS_ROLE_ARN", "arn:aws:iam::"+identityAcct+":role/irsa",
		"AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config"))
	return w, env
}

func TestExec(t *testing.T) {
	w, env := execWorld(t)
	hop := []string{"exec", "--cache", "file", "--role-arn", roleTools}

	t.Run("the child sees the session, not the parent's profile", func(t *testing.T) {
		script := `printf '%s\n' "${AWS_PROFILE-unset}" "${AWS_ROLE_ARN-unset}" "${AWS_WEB_IDENTITY_TOKEN_FILE-unset}" "$AWS_REGION" "$AWS_DEFAULT_REGION" "$AWS_CREDENTIAL_EXPIRATION" "${AWS_CONFIG_FILE:+kept}"; test -n "$AWS_SESSION_TOKEN" && test -n "$AWS_SECRET_ACCESS_KEY"`
		r := runPlugin(t, env, "", append(hop, "--", "sh", "-c", script)...)
		if r.code != 0 {
			t.Fatalf("exit %d stderr %q", r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 7 {
			t.Fatalf("child printed %q", r.stdout)
		}
		want := []string{"unset", "unset", "unset", "eu-west-1", "eu-west-1"}
		for i, v := range want {
			if lines[i] != v {
				t.Errorf("line %d: %q, want %q", i, lines[i], v)
			}
		}
		exp, err := time.Parse(time.RFC3339, lines[5])
		if err != nil || time.Until(exp) < 20*time.Minute {
			t.Errorf("AWS_CREDENTIAL_EXPIRATION %q: %v, want RFC 3339 at least 20m ahead", lines[5], err)
		}
		if lines[6] != "kept" {
			t.Errorf("AWS_CONFIG_FILE was not kept")
		}
		if r.stderr != "" {
			t.Errorf("stderr %q", r.stderr)
		}
	})

	t.Run("the real aws CLI in the child is the chain's final role", func(t *testing.T) {
		awsCLI(t)
		before := w.fake.Calls("AssumeRole", "")
		r := runPlugin(t, env, "", append(hop, "--", "aws", "sts", "get-caller-identity", "--query", "Arn", "--output", "text")...)
		if r.code != 0 || strings.TrimSpace(r.stdout) != "arn:aws:sts::"+toolsAcct+":assumed-role/jump/eksxa-alice" {
			t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
		if got := w.fake.Calls("AssumeRole", "") - before; got != 0 {
			t.Errorf("%d AssumeRole calls, want 0: the session is cached", got)
		}
	})

	t.Run("exit codes pass through", func(t *testing.T) {
		for _, code := range []int{0, 3, 130} {
			r := runPlugin(t, env, "", append(hop, "--", "sh", "-c", fmt.Sprintf("exit %d", code))...)
			if r.code != code || r.stdout != "" || r.stderr != "" {
				t.Errorf("exit %d: got %d stdout %q stderr %q", code, r.code, r.stdout, r.stderr)
			}
		}
	})

	t.Run("flags stop at the command", func(t *testing.T) {
		r := runPlugin(t, env, "", "exec", "--cache", "file", "--role-arn", roleTools, "sh", "-c", `test "$1" = -v`, "sh", "-v")
		if r.code != 0 {
			t.Errorf("exit %d stderr %q", r.code, r.stderr)
		}
	})

	t.Run("signals reach the command", func(t *testing.T) {
		for _, sig := range []struct {
			s    syscall.Signal
			name string
			code int
		}{{syscall.SIGINT, "INT", 130}, {syscall.SIGTERM, "TERM", 143}} {
			script := fmt.Sprintf(`trap 'echo got %s >&2; exit %d' %s; echo ready; while :; do sleep 0.05; done`, sig.name, sig.code, sig.name)
			cmd := exec.Command(binary, append(hop, "--", "sh", "-c", script)...)
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"))
			out, _ := cmd.StdoutPipe()
			var errb strings.Builder
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(out).ReadString('\n')
			if line != "ready\n" {
				cmd.Process.Kill()
				t.Fatalf("child said %q", line)
			}
			must(t, cmd.Process.Signal(sig.s))
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Logf("SIG%s: %v", sig.name, err)
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("SIG%s: the command did not stop", sig.name)
			}
			if got := cmd.ProcessState.ExitCode(); got != sig.code || !strings.Contains(errb.String(), "got "+sig.name) {
				t.Errorf("SIG%s: exit %d stderr %q, want %d from the command's trap", sig.name, got, errb.String(), sig.code)
			}
		}
	})

	t.Run("bad input", func(t *testing.T) {
		r := runPlugin(t, env, "", "exec", "--role-arn", roleTools)
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "exec needs a command") {
			t.Errorf("no command: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
		r = runPlugin(t, env, "", append(hop, "--", "no-such-command-eksxa")...)
		if r.code != 127 || r.stdout != "" || !strings.Contains(r.stderr, "no-such-command-eksxa") {
			t.Errorf("unknown command: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("nothing secret in exec's own output", func(t *testing.T) {
		secretFile := filepath.Join(t.TempDir(), "seen")
		script := `printf '%s\n%s\n' "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" > "$1"`
		r := runPlugin(t, env, "", "exec", "-v", "--cache", "file", "--role-arn", roleTools, "--role-arn", roleWork+",external-id=ext-123", "--", "sh", "-c", script, "sh", secretFile)
		if r.code != 0 {
			t.Fatalf("exit %d stderr %q", r.code, r.stderr)
		}
		b, _ := os.ReadFile(secretFile)
		seen := strings.Fields(string(b))
		if len(seen) != 2 || len(seen[1]) < 500 {
			t.Fatalf("the child did not get a session: %q", b)
		}
		for _, s := range seen {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("exec's output carries the session's secret or token")
			}
		}
		assertNoSecret(t, w, r.stdout+r.stderr)
		if !strings.Contains(r.stderr, "final session") {
			t.Errorf("-v says nothing: %q", r.stderr)
		}
	})
}
