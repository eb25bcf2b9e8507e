package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedIndex: with index.json cut short, status says the index could
// not be read and why, and still lists what is cached (the entries
// describe themselves, never with a secret); logout by the flags' subset
// forgets them; the index is rebuilt.
func TestDamagedIndex(t *testing.T) {
	w := newWorld(t)
	args := hopArgs("file", roleTools)[1:]
	tok, _ := tokenOf(t, w.env, args...)
	index := filepath.Join(w.env["EKSXA_CACHE_DIR"], "index.json")
	if err := os.WriteFile(index, []byte(`{"v":1,"entries":[{"key":`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runPlugin(t, w.env, "", "status", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stderr, "index "+index+" could not be read: not valid JSON") {
		t.Fatalf("status: exit %d stderr %q", r.code, r.stderr)
	}
	var rows []struct{ Kind, Cluster, Region string }
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("status -o json: %v: %q", err, r.stdout)
	}
	if len(rows) != 2 || rows[0].Cluster != "prod" || rows[0].Region != "eu-west-1" {
		t.Errorf("status rows without the index = %+v, want prod's session and token", rows)
	}
	if strings.Contains(r.stdout+r.stderr, tok) || strings.Contains(r.stdout+r.stderr, `{"key":`) {
		t.Error("status printed the token or the index's content")
	}

	r = runPlugin(t, w.env, "", "logout", "--cluster-name", "prod", "--region", "eu-west-1")
	if r.code != 0 || !strings.Contains(r.stdout, "Forgot 2 cached entries for cluster prod (1 tokens, 1 sessions)") {
		t.Fatalf("logout: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(w.env["EKSXA_CACHE_DIR"], "*.entry")); len(files) != 0 {
		t.Errorf("%d entries left after logout", len(files))
	}
	b, err := os.ReadFile(index)
	var ix struct {
		V       int               `json:"v"`
		Entries []json.RawMessage `json:"entries"`
	}
	if err != nil || json.Unmarshal(b, &ix) != nil || ix.V != 1 || len(ix.Entries) != 0 {
		t.Errorf("index not rebuilt: %v %q", err, b)
	}
	if r := runPlugin(t, w.env, "", "status"); r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "Nothing cached") {
		t.Errorf("status after logout: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestLogoutWithoutIndexForgetsTheFlagsKeys: an entry that does not
// describe itself (cached before entries did) and that no index lists is
// still forgotten by logout with the flags that cached it: logout
// recomputes their keys.
func TestLogoutWithoutIndexForgetsTheFlagsKeys(t *testing.T) {
	w := newWorld(t)
	args := hopArgs("file", roleTools)[1:]
	tokenOf(t, w.env, args...)
	dir := w.env["EKSXA_CACHE_DIR"]
	files, _ := filepath.Glob(filepath.Join(dir, "*.entry"))
	for _, f := range files { // strip "about", as an older entry has none
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["about"]; !ok {
			t.Fatalf("%s has no about", filepath.Base(f))
		}
		delete(m, "about")
		b, _ = json.Marshal(m)
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(dir, "index.json")); err != nil {
		t.Fatal(err)
	}
	if r := runPlugin(t, w.env, "", "logout", "--cluster-name", "prod"); r.code != 1 {
		t.Errorf("logout with other flags than the entry's: exit %d, want 1 (nothing it can match)", r.code)
	}
	r := runPlugin(t, w.env, "", append([]string{"logout"}, args...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "Forgot 2 cached entries") {
		t.Fatalf("logout with the same flags: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, tr := tokenOf(t, w.env, append(args, "-v")...); strings.Contains(tr.stderr, "hit") || !strings.Contains(tr.stderr, "assum") {
		t.Errorf("after logout the token or session was still cached: %q", tr.stderr)
	}
}
