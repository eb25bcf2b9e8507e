package cache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestIndex(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "eksxa")
	ix := NewIndex(dir)
	if rows, err := ix.List(); err != nil || len(rows) != 0 {
		t.Fatalf("List of a new index = %v, %v", rows, err)
	}
	tok := IndexEntry{Key: Key("token", "b"), Kind: KindToken, Store: "keyring", Cluster: "b", Region: "eu-west-1",
		Chain: []string{"arn:aws:iam::1:role/a"}, Identity: "arn:aws:sts::1:assumed-role/a/me", Expires: t0.Add(14 * time.Minute)}
	sess := IndexEntry{Key: Key("session", "a"), Kind: KindSession, Store: "file", Cluster: "a", Region: "us-east-1",
		Chain: []string{"arn:aws:iam::1:role/a", "arn:aws:iam::2:role/b"}, Expires: t0.Add(time.Hour)}
	old := IndexEntry{Key: Key("token", "a"), Kind: KindToken, Store: "file", Cluster: "a", Region: "us-east-1", Expires: t0.Add(-time.Minute)}
	for _, e := range []IndexEntry{tok, sess, old} {
		if err := ix.Upsert(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tok.Expires = t0.Add(20 * time.Minute) // refreshed: replaces the row
	if err := ix.Upsert(ctx, tok); err != nil {
		t.Fatal(err)
	}
	rows, err := ix.List()
	if err != nil {
		t.Fatal(err)
	}
	opt := cmp.Comparer(time.Time.Equal)
	if diff := cmp.Diff([]IndexEntry{sess, old, tok}, rows, opt); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if fi, err := os.Stat(filepath.Join(dir, "index.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("index file: %v, %v; want mode 0600", fi, err)
	}

	// Another store's expired rows stay: only their store can delete them.
	if pruned, err := ix.Prune(ctx, t0, "keyring"); err != nil || len(pruned) != 0 {
		t.Errorf("Prune of the keyring's rows = %v, %v; want none (old is a file entry)", pruned, err)
	}
	pruned, err := ix.Prune(ctx, t0, "file")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]IndexEntry{old}, pruned, opt); diff != "" {
		t.Errorf("Prune (-want +got):\n%s", diff)
	}
	if err := ix.Remove(ctx, sess.Key, "0000"); err != nil {
		t.Fatal(err)
	}
	rows, _ = ix.List()
	if diff := cmp.Diff([]IndexEntry{tok}, rows, opt); diff != "" {
		t.Errorf("after Prune and Remove (-want +got):\n%s", diff)
	}

	if err := ix.Upsert(ctx, IndexEntry{Key: "../x", Kind: KindToken}); err == nil {
		t.Error("Upsert with an invalid key succeeded")
	}
	if err := ix.Upsert(ctx, IndexEntry{Key: Key("x"), Kind: "password"}); err == nil {
		t.Error("Upsert with an unknown kind succeeded")
	}
}

func TestIndexUnreadableIsEmpty(t *testing.T) {
	skipPermsOnWindows(t)
	ctx := context.Background()
	for name, plant := range map[string]func(path string){
		"corrupt":         func(p string) { writeMode(t, p, `{"v":1,"entries":[{`, 0o600) },
		"foreign version": func(p string) { writeMode(t, p, `{"v":7,"entries":[{"key":"abc","kind":"token"}]}`, 0o600) },
		"world readable":  func(p string) { writeMode(t, p, `{"v":1,"entries":[{"key":"abc","kind":"token"}]}`, 0o644) },
		"bad keys": func(p string) {
			writeMode(t, p, `{"v":1,"entries":[{"key":"../../etc/passwd","kind":"token"}]}`, 0o600)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ix := NewIndex(dir)
			plant(filepath.Join(dir, "index.json"))
			if rows, err := ix.List(); err != nil || len(rows) != 0 {
				t.Fatalf("List = %v, %v; want empty", rows, err)
			}
			// A writer starts over from an unreadable index.
			e := IndexEntry{Key: Key("token", name), Kind: KindToken, Store: "file", Expires: t0}
			if err := ix.Upsert(ctx, e); err != nil {
				t.Fatal(err)
			}
			if rows, _ := ix.List(); len(rows) != 1 || rows[0].Key != e.Key {
				t.Errorf("List after Upsert = %v", rows)
			}
		})
	}
}

func TestIndexConcurrentUpserts(t *testing.T) {
	ctx := context.Background()
	ix := NewIndex(t.TempDir())
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := IndexEntry{Key: Key("token", fmt.Sprint(i)), Kind: KindToken, Store: "file", Cluster: fmt.Sprintf("c%02d", i), Expires: t0}
			if err := ix.Upsert(ctx, e); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	rows, _ := ix.List()
	if len(rows) != 12 {
		t.Errorf("%d rows after 12 concurrent upserts, want 12: a write was lost", len(rows))
	}
}

func TestQueryMatches(t *testing.T) {
	admin := "arn:aws:iam::2:role/eks-admin"
	ro := "arn:aws:iam::2:role/eks-ro,external-id=x"
	row := func(kind, cluster, region string, sel *Selection) IndexEntry {
		return IndexEntry{Key: Key(kind, cluster, region), Kind: kind, Cluster: cluster, Region: region, Selection: sel}
	}
	adminTok := row(KindToken, "demo", "eu-west-1", &Selection{Cluster: "demo", Profile: "id", Hops: []string{admin}})
	roTok := row(KindToken, "demo", "eu-west-1", &Selection{Cluster: "demo", Region: "eu-west-1", Hops: []string{ro}})
	roSess := row(KindSession, "", "", &Selection{Cluster: "demo", Region: "eu-west-1", Hops: []string{ro}})
	otherTok := row(KindToken, "prod", "eu-west-1", &Selection{Cluster: "prod", Hops: []string{admin}})
	legacyTok := row(KindToken, "demo", "us-east-1", nil)
	legacySess := row(KindSession, "", "", nil)
	all := []IndexEntry{adminTok, roTok, roSess, otherTok, legacyTok, legacySess}
	tests := []struct {
		name string
		q    Query
		want []IndexEntry
	}{
		{"only the cluster: every entry of it", Query{Cluster: "demo"}, []IndexEntry{adminTok, roTok, roSess, legacyTok}},
		{"the region it resolved to", Query{Cluster: "demo", Region: "eu-west-1"}, []IndexEntry{adminTok, roTok, roSess}},
		{"a profile", Query{Cluster: "demo", Profile: "id"}, []IndexEntry{adminTok}},
		{"the exact hops", Query{Cluster: "demo", Hops: []string{ro}}, []IndexEntry{roTok, roSess}},
		{"hops are a whole chain, not a prefix", Query{Cluster: "demo", Hops: []string{admin, ro}}, nil},
		{"a session name", Query{Cluster: "demo", SessionName: "bob"}, nil},
		{"another cluster", Query{Cluster: "staging"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []IndexEntry
			for _, r := range all {
				if tt.q.Matches(r) {
					got = append(got, r)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
