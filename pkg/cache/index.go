package cache

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"time"
)

// indexFile is the index's file name in the cache directory.
const indexFile = "index.json"

// indexLockKey names the index's lock file; Key never returns it.
const indexLockKey = "index"

// DefaultIndexWait is how long index writers wait for each other.
const DefaultIndexWait = 5 * time.Second

// IndexEntry describes one cached entry without its secret, for status and
// logout --all: the keyring cannot list its items, so this is how they are
// found.
type IndexEntry struct {
	Key      string    `json:"key"`
	Kind     string    `json:"kind"`  // KindToken or KindSession
	Store    string    `json:"store"` // the Store.Name that holds it
	Cluster  string    `json:"cluster,omitempty"`
	Region   string    `json:"region,omitempty"`
	Chain    []string  `json:"chain,omitempty"` // role ARNs, in order
	Identity string    `json:"identity,omitempty"`
	Expires  time.Time `json:"expires"`
	// Selection is how the user selected the chain that cached the entry
	// (nil in rows written before it was recorded): logout matches its
	// flags against it, whatever the AWS files said then.
	Selection *Selection `json:"selection,omitempty"`
}

// Selection is the flag-level choice of a chain, as the user gave it
// (flags, with AWS_REGION and AWS_PROFILE folded in as the token command
// folds them), without anything read from AWS configuration files.
type Selection struct {
	Cluster string `json:"cluster"`
	// Region is the region as given; "" when the profile or the default
	// decided (the row's Region is the one used).
	Region  string `json:"region,omitempty"`
	Profile string `json:"profile,omitempty"`
	// Hops are the --role-arn hops in canonical SPEC form, in order.
	Hops        []string `json:"hops,omitempty"`
	SessionName string   `json:"sessionName,omitempty"`
}

// Query selects index rows the way logout's flags do: Cluster is
// required; every other field that is set must match too.
type Query struct {
	Cluster     string
	Region      string
	Profile     string
	Hops        []string // nil: any chain
	SessionName string
}

// Matches reports whether row e was cached for a chain that q selects.
// Region matches the row's selection or the region it resolved to. A row
// without a Selection (written by an older version) matches on its
// cluster and region alone, and only a query that sets nothing else.
func (q Query) Matches(e IndexEntry) bool {
	s := e.Selection
	if s == nil {
		if q.Profile != "" || q.Hops != nil || q.SessionName != "" || e.Kind != KindToken {
			return false
		}
		s = &Selection{Cluster: e.Cluster}
	}
	switch {
	case q.Cluster != s.Cluster:
		return false
	case q.Region != "" && q.Region != s.Region && q.Region != e.Region:
		return false
	case q.Profile != "" && q.Profile != s.Profile:
		return false
	case q.Hops != nil && !slices.Equal(q.Hops, s.Hops):
		return false
	case q.SessionName != "" && q.SessionName != s.SessionName:
		return false
	}
	return true
}

type indexJSON struct {
	V       int          `json:"v"`
	Entries []IndexEntry `json:"entries"`
}

// Index is a JSON file, <dir>/index.json, listing IndexEntry rows. Writers
// take <dir>/index.lock and replace the file atomically; readers need no
// lock. A missing, corrupt, foreign or over-permissive index reads as empty.
type Index struct {
	dir string
	// Wait bounds how long a writer waits for the index lock.
	Wait time.Duration
}

// NewIndex returns the index in dir.
func NewIndex(dir string) *Index { return &Index{dir: dir, Wait: DefaultIndexWait} }

// List returns the rows, sorted by cluster, region, kind and key. An
// unreadable index is empty, not an error.
func (ix *Index) List() ([]IndexEntry, error) {
	b, err := readPrivateFile(filepath.Join(ix.dir, indexFile))
	if err != nil {
		return nil, nil //nolint:nilerr // an unreadable index is empty, by contract
	}
	var j indexJSON
	if json.Unmarshal(b, &j) != nil || j.V != entryVersion {
		return nil, nil //nolint:nilerr // a corrupt or foreign index is empty, by contract
	}
	rows := j.Entries[:0]
	for _, e := range j.Entries {
		if validateKey(e.Key) == nil {
			rows = append(rows, e)
		}
	}
	slices.SortFunc(rows, func(a, b IndexEntry) int {
		return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key))
	})
	return rows, nil
}

// update applies fn to the rows under the lock and writes the result.
func (ix *Index) update(ctx context.Context, fn func([]IndexEntry) []IndexEntry) error {
	unlock, err := Lock(ctx, ix.dir, indexLockKey, ix.Wait)
	if err != nil {
		return fmt.Errorf("cache: index: %w", err)
	}
	defer unlock()
	rows, _ := ix.List()
	b, err := json.MarshalIndent(indexJSON{V: entryVersion, Entries: fn(rows)}, "", "  ")
	if err != nil {
		return fmt.Errorf("cache: index: %w", err)
	}
	return writeFileAtomic(ix.dir, indexFile, append(b, '\n'))
}

// Upsert adds e, replacing the row with the same Key.
func (ix *Index) Upsert(ctx context.Context, e IndexEntry) error {
	if err := validateKey(e.Key); err != nil {
		return err
	}
	if e.Kind != KindToken && e.Kind != KindSession {
		return fmt.Errorf("cache: index: unknown kind %q", e.Kind)
	}
	return ix.update(ctx, func(rows []IndexEntry) []IndexEntry {
		rows = slices.DeleteFunc(rows, func(r IndexEntry) bool { return r.Key == e.Key })
		return append(rows, e)
	})
}

// Remove deletes the rows with these keys; absent keys are ignored.
func (ix *Index) Remove(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return ix.update(ctx, func(rows []IndexEntry) []IndexEntry {
		return slices.DeleteFunc(rows, func(r IndexEntry) bool { return slices.Contains(keys, r.Key) })
	})
}

// Prune removes the rows of store (every store when "") that expired by
// now, and returns them so that the caller can delete their entries.
func (ix *Index) Prune(ctx context.Context, now time.Time, store string) ([]IndexEntry, error) {
	var pruned []IndexEntry
	err := ix.update(ctx, func(rows []IndexEntry) []IndexEntry {
		pruned = nil
		return slices.DeleteFunc(rows, func(r IndexEntry) bool {
			if r.Expires.After(now) || (store != "" && r.Store != store) {
				return false
			}
			pruned = append(pruned, r)
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	return pruned, nil
}

// Dir is the directory holding the index.
func (ix *Index) Dir() string { return ix.dir }
