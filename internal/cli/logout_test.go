package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
)

// TestLogoutMatchesTheIndex: logout finds entries through the flags
// recorded in the index, not through keys recomputed from today's files.
func TestLogoutMatchesTheIndex(t *testing.T) {
	isolateAWS(t)
	dir := filepath.Join(t.TempDir(), "cache")
	fs, err := cache.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix := cache.NewIndex(dir)
	admin := "arn:aws:iam::222222222222:role/eks-admin"
	rows := []cache.IndexEntry{
		{Key: "tok-admin", Kind: cache.KindToken, Store: cache.NameFile, Cluster: "demo", Region: "eu-west-1", Chain: []string{admin},
			Selection: &cache.Selection{Cluster: "demo", Region: "eu-west-1", Hops: []string{admin}}},
		{Key: "sess-admin", Kind: cache.KindSession, Store: cache.NameFile, Chain: []string{admin},
			Selection: &cache.Selection{Cluster: "demo", Region: "eu-west-1", Hops: []string{admin}}},
		{Key: "tok-prod", Kind: cache.KindToken, Store: cache.NameFile, Cluster: "prod", Region: "eu-west-1",
			Selection: &cache.Selection{Cluster: "prod"}},
	}
	for _, r := range rows {
		r.Expires = testNow.Add(time.Hour)
		if err := fs.Set(r.Key, "{}"); err != nil {
			t.Fatal(err)
		}
		if err := ix.Upsert(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{"EKSXA_CACHE_DIR": dir}

	code, out, errOut := run(t, vars, "logout", "--cluster-name", "demo", "--role-arn", "arn:aws:iam::222222222222:role/eks-ro")
	if code != 1 || out != "" || !strings.Contains(errOut, "nothing cached matches cluster demo, hops arn:aws:iam::222222222222:role/eks-ro") ||
		!strings.Contains(errOut, "token demo (eu-west-1) via "+admin) || !strings.Contains(errOut, "token prod (eu-west-1)") {
		t.Errorf("no match: exit %d stdout %q stderr %q", code, out, errOut)
	}
	code, out, errOut = run(t, vars, "logout", "--cluster-name", "demo")
	if code != 0 || out != "Forgot 2 cached entries for cluster demo (1 tokens, 1 sessions).\n" || errOut != "" {
		t.Errorf("logout: exit %d stdout %q stderr %q", code, out, errOut)
	}
	left, _ := ix.List()
	if len(left) != 1 || left[0].Key != "tok-prod" {
		t.Errorf("index after logout: %+v", left)
	}
	if _, err := fs.Get("tok-admin"); err == nil {
		t.Error("the token entry is still there")
	}
	if _, err := fs.Get("tok-prod"); err != nil {
		t.Error("another cluster's token went")
	}
	if code, _, errOut := run(t, vars, "logout", "--all", "--region", "eu-west-1"); code != exitUsage {
		t.Errorf("--all with a chain flag: exit %d %q", code, errOut)
	}
}
