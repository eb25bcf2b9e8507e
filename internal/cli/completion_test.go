package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
)

// completionHome is a home with two AWS profile files, a cache index with
// two clusters and a kubeconfig with a third, as a user's would be.
func completionHome(t *testing.T) map[string]string {
	t.Helper()
	home := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(".aws/config", "[default]\nregion = eu-west-1\n[profile identity]\n[profile prod-admin]\nrole_arn = arn:aws:iam::333333333333:role/admin\nsource_profile = identity\n[sso-session corp]\n")
	write(".aws/credentials", "[ci]\naws_access_key_id = AKIAEXAMPLE\n")
	write(".kube/config", `apiVersion: v1
kind: Config
users:
- name: staging
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-eksxa
      args: [token, --cluster-name, staging, --region, us-west-2]
`)
	dir := filepath.Join(home, ".kube", "cache", "eksxa")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ix := cache.NewIndex(dir)
	for i, e := range []cache.IndexEntry{
		{Kind: cache.KindToken, Cluster: "prod", Region: "eu-west-1"},
		{Kind: cache.KindToken, Cluster: "prod", Region: "eu-central-1"},
		{Kind: cache.KindToken, Cluster: "payments", Region: "us-east-1"},
		{Kind: cache.KindSession}, // a hop's session: no cluster
	} {
		e.Key = cache.Key(e.Kind, "completion", string(rune('a'+i)))
		e.Store = "file"
		e.Expires = testNow.Add(time.Hour)
		if err := ix.Upsert(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{"HOME": home}
}

// complete runs cobra's __complete (what every completion script calls) and
// returns the candidates and the directive line.
func complete(t *testing.T, vars map[string]string, args ...string) ([]string, string) {
	t.Helper()
	code, out, errOut := run(t, vars, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d, stderr %q", args, code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func TestCompletion(t *testing.T) {
	vars := completionHome(t)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"profiles", []string{"token", "--profile", ""}, []string{"ci", "default", "identity", "prod-admin"}},
		{"profiles by prefix", []string{"kubeconfig", "--profile", "pro"}, []string{"prod-admin"}},
		{"profiles as --flag=", []string{"login", "--profile=i"}, []string{"identity"}},
		{"clusters from cache and kubeconfig", []string{"doctor", "--cluster-name", ""},
			[]string{"payments\tus-east-1", "prod\teu-central-1, eu-west-1", "staging\tus-west-2"}},
		{"clusters by prefix", []string{"logout", "--cluster-name", "st"}, []string{"staging\tus-west-2"}},
		{"cache modes", []string{"token", "--cache", ""}, []string{"auto", "keyring", "file", "none"}},
		{"status output", []string{"status", "-o", ""}, []string{"text", "json"}},
		{"doctor output", []string{"doctor", "--output", ""}, []string{"text", "json"}},
		{"nodes output (a command written later gets it too)", []string{"nodes", "-o", ""}, []string{"table", "json"}},
		{"exec's profiles", []string{"exec", "--profile", "i"}, []string{"identity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, directive := complete(t, vars, tt.args...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("__complete %q (-want +got):\n%s", tt.args, diff)
			}
			if directive != ":4" { // ShellCompDirectiveNoFileComp
				t.Errorf("directive = %s, want :4 (no file completion)", directive)
			}
		})
	}
}

// With KUBECONFIG, AWS_CONFIG_FILE and EKSXA_CACHE_DIR, completion reads
// those instead, as the commands do.
func TestCompletionFollowsEnvironment(t *testing.T) {
	vars := completionHome(t)
	other := t.TempDir()
	cfg := filepath.Join(other, "aws-config")
	if err := os.WriteFile(cfg, []byte("[profile elsewhere]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars["AWS_CONFIG_FILE"] = cfg
	vars["AWS_SHARED_CREDENTIALS_FILE"] = filepath.Join(other, "none")
	vars["KUBECONFIG"] = filepath.Join(other, "none") + string(os.PathListSeparator) + filepath.Join(vars["HOME"], ".kube", "config")
	vars["EKSXA_CACHE_DIR"] = filepath.Join(other, "cache")
	if got, _ := complete(t, vars, "token", "--profile", ""); !cmp.Equal(got, []string{"elsewhere"}) {
		t.Errorf("profiles = %q, want [elsewhere]", got)
	}
	if got, _ := complete(t, vars, "token", "--cluster-name", ""); !cmp.Equal(got, []string{"staging\tus-west-2"}) {
		t.Errorf("clusters = %q, want only the kubeconfig's staging", got)
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash":       "__start_kubectl-eksxa",
		"zsh":        "#compdef kubectl-eksxa",
		"fish":       "complete -c kubectl-eksxa",
		"powershell": "Register-ArgumentCompleter",
	} {
		code, out, errOut := run(t, nil, "completion", shell)
		if code != 0 || !strings.Contains(out, want) || errOut != "" {
			t.Errorf("completion %s: exit %d, stderr %q, script has %q: %v", shell, code, errOut, want, strings.Contains(out, want))
		}
	}
	if code, out, _ := run(t, nil, "completion", "tcsh"); code != exitUsage || out != "" {
		t.Errorf("completion tcsh: exit %d stdout %q, want 2 and nothing", code, out)
	}
}

func TestOutputFormats(t *testing.T) {
	for usage, want := range map[string][]string{
		"Output format: text or json.":          {"text", "json"},
		"Output format: table, json or yaml.":   {"table", "json", "yaml"},
		"Where to write the output.":            nil,
		"output format: json (default: table).": {"json"},
	} {
		if got := outputFormats(usage); !cmp.Equal(got, want) {
			t.Errorf("outputFormats(%q) = %q, want %q", usage, got, want)
		}
	}
}
