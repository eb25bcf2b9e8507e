package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandEditedEntriesAreMisses: cache entries rewritten by hand into
// something this plugin never writes (a token without the k8s-aws-v1.
// prefix, or one claiming to live until 2099; a role session claiming to
// live until 2099) are misses: the call makes a token EKS accepts and
// replaces them.
func TestHandEditedEntriesAreMisses(t *testing.T) {
	w := newWorld(t)
	args := hopArgs("file", roleTools)[1:]
	tokenOf(t, w.env, args...)
	kinds := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(w.env["EKSXA_CACHE_DIR"], "*.entry"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"token", "session"} {
			if strings.Contains(string(b), `"kind":"`+k+`"`) {
				kinds[k] = f
			}
		}
	}
	if len(kinds) != 2 {
		t.Fatalf("want a token and a session entry, found %v", kinds)
	}
	forged := map[string]string{
		"token":   `{"v":1,"kind":"token","token":"k8s-aws-v1.garbage","expires":"2099-01-01T00:00:00Z"}`,
		"session": `{"v":1,"kind":"session","accessKeyId":"ASIAFORGED","secretAccessKey":"x","sessionToken":"y","expires":"2099-01-01T00:00:00Z","arn":"arn:aws:sts::222222222222:assumed-role/tools/forged"}`,
	}
	for _, k := range []string{"token", "session"} {
		if err := os.WriteFile(kinds[k], []byte(forged[k]), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tok, r := tokenOf(t, w.env, append(args, "-v")...)
	if tok == "k8s-aws-v1.garbage" || strings.Contains(r.stderr, "hit") {
		t.Fatalf("the hand-written token was served: %q", r.stderr)
	}
	for _, want := range []string{"later than a token signed now could", "later than STS's longest role session"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-v does not say %q: %q", want, r.stderr)
		}
	}
	verify(t, tok, "prod", "eu-west-1")
	if got := w.fake.Calls("AssumeRole", roleTools); got != 2 {
		t.Errorf("AssumeRole called %d times, want 2 (the forged session is not used)", got)
	}
	if again, r := tokenOf(t, w.env, append(args, "-v")...); again != tok || !strings.Contains(r.stderr, "hit") {
		t.Errorf("the forged entry was not replaced by the new token: %q", r.stderr)
	}
}
