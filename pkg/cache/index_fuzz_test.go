package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzIndexDecode: whatever index.json holds, List does not panic, fails
// only with an *IndexError that does not quote the file, returns only rows
// with valid keys, and a later Upsert replaces the file with a good index.
func FuzzIndexDecode(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"entries":[{"key":"t-0123456789abcdef","kind":"token","cluster":"prod","region":"eu-west-1"}]}`,
		`{"v":1,"entries":[{"key":"../../etc/passwd"},{"key":""}]}`,
		`{"v":2,"entries":[]}`,
		`{"v":1,"entries":null}`,
		`{"v":1,"entries":[null,1,"x"]}`,
		`{}`, `[]`, ``, `{"v":1,"entries":[{"key":"a","expires":"yesterday"}]}`,
		"\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		dir := privateTempDir(t)
		if err := os.WriteFile(filepath.Join(dir, indexFile), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		ix := NewIndex(dir)
		rows, err := ix.List()
		var ie *IndexError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("List: %v, not an *IndexError", err)
		}
		if err != nil && len(data) >= 8 && strings.Contains(err.Error(), data) {
			t.Fatalf("List's error quotes the index: %v", err)
		}
		for _, r := range rows {
			if validateKey(r.Key) != nil {
				t.Fatalf("List returned a row with an invalid key %q", r.Key)
			}
		}
		e := IndexEntry{Key: "fuzz-key", Kind: "token", Cluster: "c", Region: "eu-west-1", Expires: time.Unix(0, 0).UTC()}
		if err := ix.Upsert(context.Background(), e); err != nil {
			t.Fatalf("Upsert over a spoiled index: %v", err)
		}
		rows, _ = ix.List()
		found := false
		for _, r := range rows {
			found = found || r.Key == e.Key
		}
		if !found {
			t.Fatalf("the upserted row is not listed: %v", rows)
		}
	})
}
