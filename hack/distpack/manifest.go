package main

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

// renderManifest renders a krew-release-bot template (.krew.yaml) for tag the
// way the bot does, except that addURIAndSha takes each archive's SHA-256
// from sums (keyed by the URI's base name) instead of downloading it. So the
// result is the manifest the bot will submit to krew-index for the same
// archives. Every archive in sums must be referred to by the template.
func renderManifest(name, text, tag string, sums map[string]string) ([]byte, error) {
	used := map[string]bool{}
	funcs := template.FuncMap{
		// addURIAndSha mirrors krew-release-bot: the URI is itself a template
		// over {TagName, Version}, and the result is the uri line followed by
		// the sha256 line, indented for a platform item.
		"addURIAndSha": func(uriTemplate, tag string) (string, error) {
			ut, err := template.New("uri").Option("missingkey=error").Parse(uriTemplate)
			if err != nil {
				return "", fmt.Errorf("uri template %q: %w", uriTemplate, err)
			}
			var uri strings.Builder
			data := struct{ TagName, Version string }{tag, versionFromTag(tag)}
			if err := ut.Execute(&uri, data); err != nil {
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
		if !used[base] {
			unused = append(unused, base)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
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
