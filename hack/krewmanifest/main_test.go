package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadChecksums(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	got, err := readChecksums(strings.NewReader(a + "  x.zip\n" + b + "  y.tar.gz\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"x.zip": a, "y.tar.gz": b}, got); diff != "" {
		t.Errorf("readChecksums (-want +got):\n%s", diff)
	}
}

func TestReadChecksumsErrors(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	tests := []struct{ name, in, want string }{
		{"short sum", "abc  x.zip\n", "line 1"},
		{"upper case", strings.ToUpper(sum) + "  x.zip\n", "line 1"},
		{"no name", sum + "\n", "line 1"},
		{"twice", sum + "  x.zip\n" + sum + "  x.zip\n", `line 2: "x.zip" listed twice`},
		{"empty", "", "no checksums"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readChecksums(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("readChecksums(%q) = %v, want an error containing %q", tt.in, err, tt.want)
			}
		})
	}
}

const testTemplate = `{{- /* comment */ -}}
spec:
  version: {{ .TagName }}
  platforms:
  - bin: p
    {{ addURIAndSha "https://example.invalid/download/{{ .TagName }}/p_{{ .Version }}_linux.tar.gz" .TagName }}
`

func TestRenderManifest(t *testing.T) {
	sumA := strings.Repeat("a", 64)
	tests := []struct {
		name    string
		tmpl    string
		sums    map[string]string
		want    string
		wantErr string
	}{
		{
			name: "renders like krew-release-bot",
			tmpl: testTemplate,
			// goreleaser's checksums.txt may list files other than archives.
			sums: map[string]string{"p_1.2.3_linux.tar.gz": sumA, "p.sbom.json": sumA},
			want: "spec:\n  version: v1.2.3\n  platforms:\n  - bin: p\n" +
				"    uri: https://example.invalid/download/v1.2.3/p_1.2.3_linux.tar.gz\n" +
				"    sha256: " + sumA + "\n",
		},
		{"archive without checksum", testTemplate, map[string]string{}, "", "no checksum for p_1.2.3_linux.tar.gz"},
		{
			"archive the template does not name", testTemplate,
			map[string]string{"p_1.2.3_linux.tar.gz": sumA, "p_1.2.3_windows.zip": sumA}, "",
			"refers to no platform for p_1.2.3_windows.zip",
		},
		{"field the bot would not give", "version: {{ .Tag }}\n", map[string]string{}, "", "render template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderManifest("t.yaml", tt.tmpl, "v1.2.3", tt.sums)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("renderManifest = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("manifest (-want +got):\n%s", diff)
			}
		})
	}
}

// The project's .krew.yaml names all six release archives, each once, with
// the name goreleaser gives them (.goreleaser.yaml's name_template).
func TestKrewTemplateNamesEveryArchive(t *testing.T) {
	tmpl, err := os.ReadFile("../../.krew.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for i, a := range []string{
		"kubectl-eksxa_linux_amd64.tar.gz", "kubectl-eksxa_linux_arm64.tar.gz",
		"kubectl-eksxa_darwin_amd64.tar.gz", "kubectl-eksxa_darwin_arm64.tar.gz",
		"kubectl-eksxa_windows_amd64.zip", "kubectl-eksxa_windows_arm64.zip",
	} {
		sums[a] = strings.Repeat(string(rune('a'+i)), 64)
	}
	got, err := renderManifest(".krew.yaml", string(tmpl), "v0.9.1", sums)
	if err != nil {
		t.Fatal(err)
	}
	for a, sum := range sums {
		want := "    uri: https://github.com/eksxa/kubectl-eksxa/releases/download/v0.9.1/" + a + "\n    sha256: " + sum + "\n"
		if n := strings.Count(string(got), want); n != 1 {
			t.Errorf("rendered .krew.yaml has %d copies of %q, want 1", n, want)
		}
	}
	if !strings.HasPrefix(string(got), "apiVersion: krew.googlecontainertools.github.com/v1alpha2\n") {
		t.Errorf("rendered .krew.yaml does not start with the apiVersion line:\n%s", got)
	}
}

func TestVersionFromTag(t *testing.T) {
	for tag, want := range map[string]string{"v1.2.3": "1.2.3", "1.2": "1.2", "v1.2.3-rc.1": "1.2.3", "latest": "latest"} {
		if got := versionFromTag(tag); got != want {
			t.Errorf("versionFromTag(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	sums := filepath.Join(dir, "checksums.txt")
	tmpl := filepath.Join(dir, "t.yaml")
	out := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(sums, []byte(strings.Repeat("c", 64)+"  p_1.2.3_linux.tar.gz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmpl, []byte(testTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no flags", nil, 2},
		{"no -tag", []string{"-template", tmpl, "-checksums", sums, "-o", out}, 2},
		{"extra argument", []string{"-template", tmpl, "-tag", "v1.2.3", "-checksums", sums, "-o", out, "x"}, 2},
		{"missing checksums", []string{"-template", tmpl, "-tag", "v1.2.3", "-checksums", sums + ".nope", "-o", out}, 1},
		{"renders", []string{"-template", tmpl, "-tag", "v1.2.3", "-checksums", sums, "-o", out}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := run(tt.args, &stderr); got != tt.want {
				t.Fatalf("run(%q) = %d, want %d; stderr: %s", tt.args, got, tt.want, stderr.String())
			}
		})
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "sha256: "+strings.Repeat("c", 64)) {
		t.Errorf("rendered manifest lacks the checksum:\n%s", got)
	}
}
