package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// completionWorld is a user who has run `token` for prod (so the cache
// index has it) and has a kubeconfig naming staging and AWS profile files;
// AWS endpoints then point at a black hole, so any network call during
// completion would be seen.
func completionWorld(t *testing.T) (map[string]string, *hole) {
	t.Helper()
	w := newWorld(t)
	tokenOf(t, w.with("EKSXA_CACHE", "file"), "--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", roleTools)
	home := w.env["HOME"]
	for rel, content := range map[string]string{
		".aws/config":      "[default]\nregion = eu-west-1\n[profile identity]\n[profile prod-admin]\nrole_arn = " + roleWork + "\nsource_profile = identity\n[sso-session corp]\n",
		".aws/credentials": "[ci]\naws_access_key_id = AKIAEXAMPLE\n",
		".kube/config": `apiVersion: v1
kind: Config
users:
- name: staging
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-eksxa
      args: [token, --cluster-name, staging, --region, us-west-2]
`,
	} {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h := blackHole(t, "tcp", "127.0.0.1:0")
	url := "http://" + h.Addr().String()
	env := w.with("AWS_ENDPOINT_URL_STS", url, "AWS_ENDPOINT_URL_EKS", url, "AWS_ENDPOINT_URL", url, "KUBERNETES_EXEC_INFO", "")
	// kubectl's plugin completion finds kubectl-eksxa and the shipped
	// kubectl_complete-eksxa on PATH, as a user's install puts them.
	bin := t.TempDir()
	if err := os.Symlink(binary, filepath.Join(bin, "kubectl-eksxa")); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join("..", "..", "kubectl_complete-eksxa"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "kubectl_complete-eksxa"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	env["PATH"] = bin + string(os.PathListSeparator) + os.Getenv("PATH")
	return env, h
}

// candidates is the completion output without the ":directive" line and
// without descriptions.
func candidates(out string) []string {
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" || strings.HasPrefix(l, ":") {
			continue
		}
		name, _, _ := strings.Cut(l, "\t")
		got = append(got, name)
	}
	return got
}

func TestCompletion(t *testing.T) {
	env, h := completionWorld(t)
	profiles := []string{"ci", "default", "identity", "prod-admin"}
	clusters := []string{"prod", "staging"}

	t.Run("__complete", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want []string
		}{
			{[]string{"token", "--profile", ""}, profiles},
			{[]string{"kubeconfig", "--cluster-name", ""}, clusters},
			{[]string{"doctor", "--cache", "k"}, []string{"keyring"}},
		} {
			r := runPlugin(t, env, "", append([]string{"__complete"}, tt.args...)...)
			if r.code != 0 || !slices.Equal(candidates(r.stdout), tt.want) {
				t.Errorf("__complete %q: exit %d, candidates %q, want %q; stderr %q", tt.args, r.code, candidates(r.stdout), tt.want, r.stderr)
			}
			if !strings.HasSuffix(r.stdout, "\n:4\n") {
				t.Errorf("__complete %q: directive is not :4 (no file completion): %q", tt.args, r.stdout)
			}
		}
		r := runPlugin(t, env, "", "__complete", "kubeconfig", "--cluster-name", "pr")
		if !strings.Contains(r.stdout, "prod\teu-west-1\n") {
			t.Errorf("the cluster's region is not its description: %q", r.stdout)
		}
	})

	// The bash script cobra generates, driven as bash drives it on <TAB>
	// (it needs the bash-completion package, as cobra documents).
	t.Run("bash", func(t *testing.T) {
		bashComplete := func(words ...string) []string {
			t.Helper()
			script := `source /usr/share/bash-completion/bash_completion
source <(kubectl-eksxa completion bash)
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
__start_kubectl-eksxa
printf '%s\n' "${COMPREPLY[@]}"`
			cmd := exec.Command("bash", append([]string{"-c", script, "bash"}, words...)...)
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("bash completion of %q: %v\n%s", words, err, errb.String())
			}
			return strings.Fields(out.String())
		}
		if got := bashComplete("kubectl-eksxa", "token", "--profile", ""); !slices.Equal(got, profiles) {
			t.Errorf("bash: kubectl-eksxa token --profile <TAB> = %q, want %q", got, profiles)
		}
		if got := bashComplete("kubectl-eksxa", "login", "--cluster-name", "st"); !slices.Equal(got, []string{"staging"}) {
			t.Errorf("bash: kubectl-eksxa login --cluster-name st<TAB> = %q, want [staging]", got)
		}
		if got := bashComplete("kubectl-eksxa", "lo"); !slices.Equal(got, []string{"login", "logout"}) {
			t.Errorf("bash: kubectl-eksxa lo<TAB> = %q, want [login logout]", got)
		}
	})

	// The real kubectl runs kubectl_complete-eksxa for `kubectl eksxa <TAB>`.
	t.Run("kubectl", func(t *testing.T) {
		out, errOut, err := kubectl(t, env, "__complete", "eksxa", "token", "--profile", "")
		if err != nil || !slices.Equal(candidates(out), profiles) {
			t.Errorf("kubectl __complete eksxa token --profile '': %v, candidates %q, want %q\n%s", err, candidates(out), profiles, errOut)
		}
		out, errOut, err = kubectl(t, env, "__complete", "eksxa", "doctor", "--cluster-name", "")
		if err != nil || !slices.Equal(candidates(out), clusters) {
			t.Errorf("kubectl __complete eksxa doctor --cluster-name '': %v, candidates %q, want %q\n%s", err, candidates(out), clusters, errOut)
		}
	})

	if n := h.accepted.Load(); n != 0 {
		t.Errorf("completion opened %d connections to the AWS endpoints, want none", n)
	}
}
