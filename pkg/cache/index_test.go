package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestIndex(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(privateTempDir(t), "eksxa")
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

// TestIndexDamagedIsSaidAndRebuilt: a damaged index is an *IndexError
// that says why (never its content), and the next write rebuilds it from
// the entries in the folder, which describe themselves.
func TestIndexDamagedIsSaidAndRebuilt(t *testing.T) {
	skipPermsOnWindows(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name, content string
		mode          os.FileMode
		reason        string // "" for an index that reads fine
	}{
		{"corrupt", `{"v":1,"entries":[{`, 0o600, "not valid JSON"},
		{"foreign version", `{"v":7,"entries":[{"key":"abc","kind":"token"}]}`, 0o600, "format version 7"},
		{"world readable", `{"v":1,"entries":[{"key":"abc","kind":"token"}]}`, 0o644, "accessible to group or others"},
		{"bad keys", `{"v":1,"entries":[{"key":"../../etc/passwd","kind":"token"}]}`, 0o600, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := privateTempDir(t)
			fs, err := NewFileStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			sel := &Selection{Cluster: "prod", Region: "eu-west-1", Hops: []string{"arn:aws:iam::222222222222:role/x"}}
			described, _ := EncodeToken(Token{Token: "k8s-aws-v1.secret", Expires: t0, About: &About{Cluster: "prod", Region: "eu-west-1", Selection: sel}})
			old, _ := EncodeSession(Session{AccessKeyID: "ASIA", SecretAccessKey: "s", Expires: t0}) // cached before entries described themselves
			if err := fs.Set(Key("described"), described); err != nil {
				t.Fatal(err)
			}
			if err := fs.Set(Key("old"), old); err != nil {
				t.Fatal(err)
			}
			if err := fs.Set(Key("junk"), "{not an entry"); err != nil {
				t.Fatal(err)
			}
			ix := NewIndex(dir)
			writeMode(t, filepath.Join(dir, "index.json"), tt.content, tt.mode)
			rows, err := ix.List()
			var ie *IndexError
			switch {
			case tt.reason == "" && (err != nil || len(rows) != 0):
				t.Fatalf("List = %v, %v; want no rows, no error", rows, err)
			case tt.reason != "" && (!errors.As(err, &ie) || !strings.Contains(err.Error(), tt.reason) || rows != nil):
				t.Fatalf("List = %v, %v; want an *IndexError saying %q", rows, err, tt.reason)
			case err != nil && strings.Contains(err.Error(), tt.content):
				t.Fatalf("the error quotes the index: %v", err)
			}
			if tt.reason == "" {
				return
			}
			want := []IndexEntry{
				{Key: Key("described"), Kind: KindToken, Store: NameFile, Cluster: "prod", Region: "eu-west-1", Expires: t0, Selection: sel},
				{Key: Key("old"), Kind: KindSession, Store: NameFile, Expires: t0},
			}
			sortRows(want)
			got, err := ix.Recover()
			if err != nil {
				t.Fatal(err)
			}
			opt := cmpopts.EquateEmpty()
			if diff := cmp.Diff(want, got, opt); diff != "" {
				t.Errorf("Recover (-want +got):\n%s", diff)
			}
			// A writer rebuilds the index from the entries, then adds its row.
			e := IndexEntry{Key: Key("token", tt.name), Kind: KindToken, Store: "file", Expires: t0}
			if err := ix.Upsert(ctx, e); err != nil {
				t.Fatal(err)
			}
			got, err = ix.List()
			if diff := cmp.Diff(sortRows(append(want, e)), got, opt); err != nil || diff != "" {
				t.Errorf("List after Upsert: %v (-want +got):\n%s", err, diff)
			}
			if q := (Query{Cluster: "prod", Region: "eu-west-1"}); !q.Matches(got[slices.IndexFunc(got, func(r IndexEntry) bool { return r.Key == Key("described") })]) {
				t.Error("a rebuilt row does not match logout's query for its cluster")
			}
		})
	}
}

func TestIndexConcurrentUpserts(t *testing.T) {
	ctx := context.Background()
	ix := NewIndex(privateTempDir(t))
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
