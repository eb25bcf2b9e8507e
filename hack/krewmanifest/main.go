// Command krewmanifest renders the krew-release-bot template (.krew.yaml) for
// a release tag the way the bot does, with each archive's SHA-256 taken from
// goreleaser's checksums.txt instead of downloaded. So the manifest that
// `make dist` writes is the one the bot will submit to krew-index for the
// same archives. It is not shipped.
//
// Usage:
//
//	krewmanifest -template .krew.yaml -tag vX.Y.Z -checksums dist/checksums.txt -o dist/krew-manifest.yaml
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("krewmanifest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tmplPath := fs.String("template", ".krew.yaml", "krew-release-bot template")
	tag := fs.String("tag", "", "release tag, e.g. v1.2.3")
	sumsPath := fs.String("checksums", "", "goreleaser's checksums.txt (sha256sum format), naming every archive the template refers to")
	out := fs.String("o", "", "manifest to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *tag == "" || *sumsPath == "" || *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "krewmanifest: -tag, -checksums and -o are required, and no arguments")
		return 2
	}
	if err := render(*tmplPath, *tag, *sumsPath, *out); err != nil {
		fmt.Fprintf(stderr, "krewmanifest: %v\n", err)
		return 1
	}
	return 0
}

func render(tmplPath, tag, sumsPath, out string) error {
	tmpl, err := os.ReadFile(tmplPath)
	if err != nil {
		return err
	}
	f, err := os.Open(sumsPath)
	if err != nil {
		return err
	}
	sums, err := readChecksums(f)
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", sumsPath, err)
	}
	manifest, err := renderManifest(filepath.Base(tmplPath), string(tmpl), tag, sums)
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, manifest, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

var sumLine = regexp.MustCompile(`^([0-9a-f]{64})  (\S+)$`)

// readChecksums reads "SHA256  NAME" lines (sha256sum's format, which
// goreleaser writes) into a map from NAME to SHA256.
func readChecksums(r io.Reader) (map[string]string, error) {
	sums := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		m := sumLine.FindStringSubmatch(sc.Text())
		if m == nil {
			return nil, fmt.Errorf("line %d: want \"SHA256  NAME\"", n)
		}
		if _, dup := sums[m[2]]; dup {
			return nil, fmt.Errorf("line %d: %q listed twice", n, m[2])
		}
		sums[m[2]] = m[1]
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(sums) == 0 {
		return nil, fmt.Errorf("no checksums")
	}
	return sums, nil
}

// renderManifest renders a krew-release-bot template for tag. Like the bot,
// addURIAndSha's URI is itself a template over {TagName, Version} and its
// result is the uri line and the sha256 line of a platform item. Every
// archive in sums (but checksums.txt's other files) must be referred to.
func renderManifest(name, text, tag string, sums map[string]string) ([]byte, error) {
	used := map[string]bool{}
	funcs := template.FuncMap{
		"addURIAndSha": func(uriTemplate, tag string) (string, error) {
			ut, err := template.New("uri").Option("missingkey=error").Parse(uriTemplate)
			if err != nil {
				return "", fmt.Errorf("uri template %q: %w", uriTemplate, err)
			}
			var uri strings.Builder
			if err := ut.Execute(&uri, struct{ TagName, Version string }{tag, versionFromTag(tag)}); err != nil {
				return "", fmt.Errorf("uri template %q: %w", uriTemplate, err)
			}
			base := path.Base(uri.String())
			sum, ok := sums[base]
			if !ok {
				return "", fmt.Errorf("no checksum for %s (uri %s)", base, uri.String())
			}
			used[base] = true
			return fmt.Sprintf("uri: %s\n    sha256: %s", uri.String(), sum), nil
		},
	}
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, struct{ TagName string }{tag}); err != nil {
		return nil, fmt.Errorf("render template: %w", err)
	}
	var unused []string
	for base := range sums {
		if !used[base] && (strings.HasSuffix(base, ".tar.gz") || strings.HasSuffix(base, ".zip")) {
			unused = append(unused, base)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		return nil, fmt.Errorf("template %s refers to no platform for %s", name, strings.Join(unused, ", "))
	}
	return out.Bytes(), nil
}

var versionInTag = regexp.MustCompile(`\d+(\.\d+)+`)

// versionFromTag is krew-release-bot's .Version: the dotted number in the
// tag ("v1.2.3" -> "1.2.3"), or the tag itself when there is none.
func versionFromTag(tag string) string {
	if v := versionInTag.FindString(tag); v != "" {
		return v
	}
	return tag
}
