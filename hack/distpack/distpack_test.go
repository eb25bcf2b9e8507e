package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeTree writes a binary and a text file into dir with the given modes
// and file times, as two different checkouts or build machines would.
func writeTree(t *testing.T, dir string, binMode, textMode fs.FileMode, mtime time.Time) []string {
	t.Helper()
	bin := filepath.Join(dir, "kubectl-eksxa")
	lic := filepath.Join(dir, "LICENSE")
	readme := filepath.Join(dir, "README.md")
	for p, c := range map[string]string{bin: "\x7fELF binary", lic: "Apache-2.0\n", readme: "# readme\n"} {
		mode := textMode
		if p == bin {
			mode = binMode
		}
		if err := os.WriteFile(p, []byte(c), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	// Unsorted on purpose: the archive must sort.
	return []string{readme, bin, lic}
}

type gotEntry struct {
	Name    string
	Mode    fs.FileMode
	ModTime time.Time
	Uid     int
	Gid     int
	Owner   string
	Data    string
}

func readTarGz(t *testing.T, b []byte) []gotEntry {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, time %v; want neither", zr.Name, zr.ModTime)
	}
	var got []gotEntry
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, gotEntry{h.Name, fs.FileMode(h.Mode), h.ModTime.UTC(), h.Uid, h.Gid, h.Uname + h.Gname, string(data)})
	}
	return got
}

func readZip(t *testing.T, b []byte) []gotEntry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var got []gotEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, gotEntry{f.Name, f.Mode().Perm(), f.Modified.UTC(), 0, 0, "", string(data)})
	}
	return got
}

func TestArchivesAreReproducible(t *testing.T) {
	epoch := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		write func(io.Writer, []entry, time.Time) error
		read  func(*testing.T, []byte) []gotEntry
		bin   string
	}{
		{"tar.gz", writeTarGz, readTarGz, "kubectl-eksxa"},
		{"zip", writeZip, readZip, "kubectl-eksxa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Two trees that differ in everything but content.
			a := writeTree(t, t.TempDir(), 0o700, 0o600, time.Now())
			b := writeTree(t, t.TempDir(), 0o775, 0o664, time.Unix(1e9, 0))
			var bufs [2]bytes.Buffer
			for i, paths := range [][]string{a, b} {
				entries, err := readEntries(paths)
				if err != nil {
					t.Fatal(err)
				}
				if err := tt.write(&bufs[i], entries, epoch); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(bufs[0].Bytes(), bufs[1].Bytes()) {
				t.Fatalf("archives of the same contents differ (%d and %d bytes)", bufs[0].Len(), bufs[1].Len())
			}
			want := []gotEntry{
				{"LICENSE", 0o644, epoch, 0, 0, "", "Apache-2.0\n"},
				{"README.md", 0o644, epoch, 0, 0, "", "# readme\n"},
				{tt.bin, 0o755, epoch, 0, 0, "", "\x7fELF binary"},
			}
			if diff := cmp.Diff(want, tt.read(t, bufs[0].Bytes())); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadEntriesErrors(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "LICENSE"), filepath.Join(sub, "LICENSE")} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"same base name twice", []string{filepath.Join(dir, "LICENSE"), filepath.Join(sub, "LICENSE")}, `both be "LICENSE"`},
		{"missing file", []string{filepath.Join(dir, "README.md")}, "no such file"},
		{"directory", []string{sub}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readEntries(tt.paths)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("readEntries(%v) = %v, want an error containing %q", tt.paths, err, tt.want)
			}
		})
	}
}

func TestChecksums(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"b.zip": "hello\n", "a.tar.gz": ""}
	var paths []string
	for name, c := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var buf bytes.Buffer
	if err := writeChecksums(&buf, paths); err != nil {
		t.Fatal(err)
	}
	// Known SHA-256 values of "" and "hello\n", as sha256sum prints them.
	want := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.tar.gz\n" +
		"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  b.zip\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Fatalf("checksums (-want +got):\n%s", diff)
	}
	got, err := readChecksums(strings.NewReader(want + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	wantMap := map[string]string{
		"a.tar.gz": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"b.zip":    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
	}
	if diff := cmp.Diff(wantMap, got); diff != "" {
		t.Errorf("readChecksums (-want +got):\n%s", diff)
	}
}

func TestReadChecksumsErrors(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	tests := []struct {
		name, in, want string
	}{
		{"short sum", "abc  x.zip\n", "line 1"},
		{"upper case", strings.ToUpper(sum) + "  x.zip\n", "line 1"},
		{"no name", sum + "\n", "line 1"},
		{"twice", sum + "  x.zip\n" + sum + " *dir/x.zip\n", `line 2: "x.zip" listed twice`},
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
			sums: map[string]string{"p_1.2.3_linux.tar.gz": sumA},
			want: "spec:\n  version: v1.2.3\n  platforms:\n  - bin: p\n" +
				"    uri: https://example.invalid/download/v1.2.3/p_1.2.3_linux.tar.gz\n" +
				"    sha256: " + sumA + "\n",
		},
		{
			name:    "archive without checksum",
			tmpl:    testTemplate,
			sums:    map[string]string{},
			wantErr: "no checksum for p_1.2.3_linux.tar.gz",
		},
		{
			name:    "archive the template does not name",
			tmpl:    testTemplate,
			sums:    map[string]string{"p_1.2.3_linux.tar.gz": sumA, "p_1.2.3_windows.zip": sumA},
			wantErr: "refers to no platform for p_1.2.3_windows.zip",
		},
		{
			name:    "field the bot would not give",
			tmpl:    "version: {{ .Tag }}\n",
			sums:    map[string]string{},
			wantErr: "render template",
		},
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

// The project's .krew.yaml names all six release archives, each once.
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

func TestRunUsage(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "LICENSE")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"sign"}, 2},
		{"archive without -o", []string{"archive", "-mtime", "315532800", f}, 2},
		{"mtime before 1980", []string{"archive", "-o", filepath.Join(dir, "a.zip"), "-mtime", "0", f}, 2},
		{"unknown format", []string{"archive", "-o", filepath.Join(dir, "a.tar.xz"), "-mtime", "315532800", f}, 2},
		{"missing input", []string{"archive", "-o", filepath.Join(dir, "a.zip"), "-mtime", "315532800", filepath.Join(dir, "nope")}, 1},
		{"archive", []string{"archive", "-o", filepath.Join(dir, "a.zip"), "-mtime", "315532800", f}, 0},
		{"manifest without -tag", []string{"manifest", "-checksums", f, "-o", filepath.Join(dir, "m.yaml")}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := run(tt.args, &stderr); got != tt.want {
				t.Fatalf("run(%q) = %d, want %d; stderr: %s", tt.args, got, tt.want, stderr.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "a.zip")); err != nil {
		t.Errorf("archive command wrote no a.zip: %v", err)
	}
}
