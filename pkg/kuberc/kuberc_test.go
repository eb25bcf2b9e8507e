package kuberc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lookPath finds kubectl-eksxa and other-plugin in /opt/bin, as a PATH of
// one folder would.
func lookPath(file string) (string, error) {
	switch file {
	case "kubectl-eksxa", "/opt/bin/kubectl-eksxa":
		return "/opt/bin/kubectl-eksxa", nil
	case "other-plugin", "/opt/bin/other-plugin":
		return "/opt/bin/other-plugin", nil
	}
	return "", errors.New("not found")
}

func TestLocate(t *testing.T) {
	for _, tt := range []struct{ kuberc, gate, home, want string }{
		{"", "", "/home/u", filepath.Join("/home/u", ".kube", "kuberc")},
		{"/etc/kuberc", "", "/home/u", "/etc/kuberc"},
		{"off", "", "/home/u", ""},
		{"", "false", "/home/u", ""},
		{"", "", "", ""},
	} {
		if got := Locate(tt.kuberc, tt.gate, tt.home); got != tt.want {
			t.Errorf("Locate(%q, %q, %q) = %q, want %q", tt.kuberc, tt.gate, tt.home, got, tt.want)
		}
	}
}

const header = "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n"

func TestBlocked(t *testing.T) {
	tests := []struct {
		name, kuberc, want string
	}{
		{"no policy", header, ""},
		{"AllowAll", header + "credentialPluginPolicy: AllowAll\n", ""},
		{"v1alpha1 has no policy", "apiVersion: kubectl.config.k8s.io/v1alpha1\nkind: Preference\ncredentialPluginPolicy: DenyAll\n", ""},
		{"DenyAll", header + "credentialPluginPolicy: DenyAll\n", "DenyAll"},
		{"unknown policy", header + "credentialPluginPolicy: Maybe\n", `"Maybe" is not one kubectl knows`},
		{"Allowlist without list", header + "credentialPluginPolicy: Allowlist\n", "there is no credentialPluginAllowlist"},
		{"empty list", header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: []\n", "is empty"},
		{"other plugin only", header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: other-plugin\n",
			"does not list kubectl-eksxa (/opt/bin/kubectl-eksxa)"},
		{"by name", header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: kubectl-eksxa\n", ""},
		{"by path", header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: /opt/bin/kubectl-eksxa\n", ""},
		{"kubectl 1.35's name key", header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- name: /opt/bin/kubectl-eksxa\n", ""},
		{"another copy elsewhere", header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: /usr/bin/kubectl-eksxa\n",
			"does not list kubectl-eksxa"},
		{"unclean entry", header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: /opt//bin/kubectl-eksxa\n",
			"not a clean path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.kuberc))
			if err != nil {
				t.Fatal(err)
			}
			got := p.Blocked("kubectl-eksxa", lookPath)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Blocked = %q, want %q", got, tt.want)
			}
		})
	}
	p, _ := Parse([]byte(header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: kubectl-eksxa\n"))
	if got := p.Blocked("kubectl-eksxa-not-installed", lookPath); !strings.Contains(got, "not on PATH") {
		t.Errorf("Blocked(missing command) = %q, want it to say the command is not on PATH", got)
	}
}

func TestEntry(t *testing.T) {
	p := Policy{EntryKey: "command"}
	if got := p.Entry("kubectl-eksxa", lookPath); got != "- command: /opt/bin/kubectl-eksxa" {
		t.Errorf("Entry = %q", got)
	}
	if got := p.Entry("not-installed", lookPath); got != "- command: not-installed" {
		t.Errorf("Entry(not on PATH) = %q", got)
	}
	if got := (Policy{EntryKey: "name"}).Entry(`C:\Program Files\kubectl-eksxa.exe`, lookPath); got != `- name: "C:\\Program Files\\kubectl-eksxa.exe"` {
		t.Errorf("Entry(windows path) = %q", got)
	}
}

func TestScalar(t *testing.T) {
	for in, want := range map[string]string{
		"/opt/bin/kubectl-eksxa": "/opt/bin/kubectl-eksxa",
		"kubectl-eksxa":          "kubectl-eksxa",
		"~/bin/kubectl-eksxa":    "~/bin/kubectl-eksxa",
		"null":                   `"null"`,
		"1.5":                    `"1.5"`,
		"-x":                     `"-x"`,
		"/a b/c":                 `"/a b/c"`,
		"/a,b":                   `"/a,b"`,
	} {
		if got := scalar(in); got != want {
			t.Errorf("scalar(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestAddEntry(t *testing.T) {
	const entry = "- command: /opt/bin/kubectl-eksxa"
	tests := []struct {
		name, in, want string
	}{
		{
			name: "block list, comments and odd spacing kept",
			in: header + `# who may run what
credentialPluginPolicy: Allowlist   # set by IT
credentialPluginAllowlist:
    # the cloud login
    -   command: other-plugin
    - command: /usr/local/bin/x   # trailing
defaults:
- command: apply
  options:
  - name: server-side
    default: "true"
`,
			want: header + `# who may run what
credentialPluginPolicy: Allowlist   # set by IT
credentialPluginAllowlist:
    # the cloud login
    - command: /opt/bin/kubectl-eksxa
    -   command: other-plugin
    - command: /usr/local/bin/x   # trailing
defaults:
- command: apply
  options:
  - name: server-side
    default: "true"
`,
		},
		{
			name: "flow list",
			in:   header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: [{command: other-plugin}]\n",
			want: header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: [{command: /opt/bin/kubectl-eksxa}, {command: other-plugin}]\n",
		},
		{
			name: "empty flow list",
			in:   header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: []\n",
			want: header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist: [{command: /opt/bin/kubectl-eksxa}]\n",
		},
		{
			name: "no list, no final newline",
			in:   header + "credentialPluginPolicy: Allowlist",
			want: header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- command: /opt/bin/kubectl-eksxa\n",
		},
		{
			name: "CRLF",
			in:   "apiVersion: kubectl.config.k8s.io/v1beta1\r\ncredentialPluginPolicy: Allowlist\r\ncredentialPluginAllowlist:\r\n  - command: other-plugin\r\n",
			want: "apiVersion: kubectl.config.k8s.io/v1beta1\r\ncredentialPluginPolicy: Allowlist\r\ncredentialPluginAllowlist:\r\n  - command: /opt/bin/kubectl-eksxa\r\n  - command: other-plugin\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AddEntry([]byte(tt.in), entry)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("AddEntry (-want +got):\n%s", diff)
			}
			p, err := Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			if why := p.Blocked("kubectl-eksxa", lookPath); why != "" {
				t.Errorf("after AddEntry, still blocked: %s", why)
			}
		})
	}
}

func TestAddEntryRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"DenyAll":  header + "credentialPluginPolicy: DenyAll\n",
		"AllowAll": header + "credentialPluginPolicy: AllowAll\n",
		"not YAML": "credentialPluginPolicy: [\n",
		"a list":   "- a\n",
		"map list": header + "credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n  command: x\n",
	} {
		t.Run(name, func(t *testing.T) {
			if out, err := AddEntry([]byte(in), "- command: kubectl-eksxa"); err == nil {
				t.Errorf("AddEntry = %q, want an error", out)
			}
		})
	}
	if _, err := AddEntry([]byte(header+"credentialPluginPolicy: DenyAll\n"), "- command: x"); !errors.Is(err, ErrDenyAll) {
		t.Errorf("DenyAll: %v, want ErrDenyAll", err)
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := Read(filepath.Join(dir, "none")); ok || err != nil {
		t.Errorf("Read(missing) = %v, %v; want no kuberc, no error", ok, err)
	}
	p := filepath.Join(dir, "kuberc")
	if err := os.WriteFile(p, []byte(header+"credentialPluginPolicy: Allowlist\ncredentialPluginAllowlist:\n- name: a\n- name: b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, ok, err := Read(p)
	if !ok || err != nil {
		t.Fatalf("Read = %v, %v", ok, err)
	}
	if diff := cmp.Diff(Policy{Type: PolicyAllowlist, Allowlist: []string{"a", "b"}, EntryKey: "name"}, got); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
}

func TestWriteKeepsModeAndLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real-kuberc")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "kuberc")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target = %q, want new", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640 kept", fi.Mode().Perm())
	}
	if err := Write(filepath.Join(dir, "missing"), []byte("x")); err == nil {
		t.Error("Write to a missing kuberc succeeded; it only edits existing ones")
	}
}
