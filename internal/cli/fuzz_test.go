package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzRun feeds random command lines to Run. Each ends with flags that
// make any chain command fail before AWS (an empty --cluster-name and a bad
// --region), so only parsing and validation run: no network, no keyring.
// Run must not panic, must exit 0, 1 or 2, and must print nothing on
// stdout when it fails.
func FuzzRun(f *testing.F) {
	for _, s := range []string{
		"token --cluster-name prod --region eu-west-1",
		"token --cluster-name prod --role-arn arn:aws:iam::222222222222:role/a,external-id=x,duration=2h",
		"token --role-arn arn:aws:iam::1:role/a,,duration=1e400",
		"token --cache sometimes --session-name a/b",
		"login --profile p --role-arn",
		"logout --cluster-name x -v",
		"status -o yaml",
		"status -o json",
		"version extra",
		"tokne",
		"-- token",
		"token -- --cluster-name",
		"token --cluster-name=\x00 --region=us-east-1",
		"token --verbose=maybe",
		"",
	} {
		f.Add(s, "")
	}
	f.Add("token", `{"apiVersion":"client.authentication.k8s.io/v9"}`)
	f.Add("token --cluster-name a", `not json`)

	f.Fuzz(func(t *testing.T, line, execInfo string) {
		args := append(strings.Fields(line), "--cluster-name=", "--region=not a region")
		home := t.TempDir()
		vars := map[string]string{
			"HOME":                      home,
			"EKSXA_CACHE_DIR":           filepath.Join(home, "cache"),
			"EKSXA_CACHE":               "file",
			"AWS_EC2_METADATA_DISABLED": "true",
			"KUBERNETES_EXEC_INFO":      execInfo,
		}
		var out, errb bytes.Buffer
		code := Run(context.Background(), Env{
			Args:    args,
			Stdin:   strings.NewReader(""),
			Stdout:  &out,
			Stderr:  &errb,
			Getenv:  func(k string) string { return vars[k] },
			Now:     func() time.Time { return testNow },
			Version: "v0.0.0-fuzz",
		})
		switch code {
		case exitOK, exitFailure, exitUsage:
		default:
			t.Fatalf("Run(%q) exit %d", args, code)
		}
		if code != exitOK && out.Len() != 0 {
			t.Fatalf("Run(%q) exit %d with stdout %q", args, code, out.String())
		}
		if code != exitOK && errb.Len() == 0 {
			t.Fatalf("Run(%q) exit %d and said nothing", args, code)
		}
	})
}
