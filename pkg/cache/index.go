package cache

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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
// lock. A missing index is empty. A damaged one (not JSON, another
// version, unreadable, over-permissive) is an *IndexError from List, and
// the next write rebuilds it from what Sources hold.
type Index struct {
	dir string
	// Wait bounds how long a writer waits for the index lock.
	Wait time.Duration
	// Sources list what the stores hold without the index, to rebuild a
	// damaged one: NewIndex sets the entry files in dir; callers add the
	// keyring where it can be searched.
	Sources []Describer
}

// IndexError says why the index could not be read. It never holds the
// index's content.
type IndexError struct {
	Path   string
	Reason string
}

func (e *IndexError) Error() string {
	return fmt.Sprintf("cache: the index %s could not be read: %s", e.Path, e.Reason)
}

// filesIn lists the entry files of dir.
type filesIn string

func (d filesIn) Describe() ([]IndexEntry, error) { return describeFiles(string(d)) }

// NewIndex returns the index in dir, with the entry files in dir as its
// source for rebuilding.
func NewIndex(dir string) *Index {
	return &Index{dir: dir, Wait: DefaultIndexWait, Sources: []Describer{filesIn(dir)}}
}

// List returns the rows, sorted by cluster, region, kind and key. A
// missing index is empty; a damaged one is an *IndexError (rows nil).
// Rows whose key is not a valid key are left out.
func (ix *Index) List() ([]IndexEntry, error) {
	path := filepath.Join(ix.dir, indexFile)
	b, err := readPrivateFile(path)
	if err == ErrNotFound { //nolint:errorlint // exactly missing: readPrivateFile wraps every other reason
		return nil, nil
	}
	if err != nil {
		return nil, &IndexError{Path: path, Reason: strings.TrimPrefix(err.Error(), ErrNotFound.Error()+": ")}
	}
	var j indexJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, &IndexError{Path: path, Reason: "not valid JSON (damaged or cut short)"}
	}
	if j.V != entryVersion {
		return nil, &IndexError{Path: path, Reason: fmt.Sprintf("format version %d, not %d", j.V, entryVersion)}
	}
	return sortRows(j.Entries), nil
}

func sortRows(in []IndexEntry) []IndexEntry {
	rows := in[:0]
	for _, e := range in {
		if validateKey(e.Key) == nil {
			rows = append(rows, e)
		}
	}
	slices.SortFunc(rows, func(a, b IndexEntry) int {
		return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key))
	})
	return rows
}

// Recover lists the rows the Sources describe, without the index: what a
// rebuilt index would hold. Entries cached before entries described
// themselves give rows with only a kind and an expiry. A source that
// cannot be listed is skipped; the error says which failed.
func (ix *Index) Recover() ([]IndexEntry, error) {
	var (
		rows []IndexEntry
		errs []error
	)
	seen := map[string]bool{}
	for _, src := range ix.Sources {
		got, err := src.Describe()
		if err != nil && !errors.Is(err, ErrCannotList) {
			errs = append(errs, err)
		}
		for _, r := range got {
			if k := r.Store + "/" + r.Key; !seen[k] {
				seen[k] = true
				rows = append(rows, r)
			}
		}
	}
	return sortRows(rows), errors.Join(errs...)
}

// update applies fn to the rows under the lock and writes the result. A
// damaged index is first rebuilt from the Sources.
func (ix *Index) update(ctx context.Context, fn func([]IndexEntry) []IndexEntry) error {
	unlock, err := Lock(ctx, ix.dir, indexLockKey, ix.Wait)
	if err != nil {
		return fmt.Errorf("cache: index: %w", err)
	}
	defer unlock()
	rows, err := ix.List()
	if err != nil {
		rows, _ = ix.Recover()
	}
	out := fn(rows)
	if out == nil {
		out = []IndexEntry{}
	}
	b, err := json.MarshalIndent(indexJSON{V: entryVersion, Entries: out}, "", "  ")
	if err != nil {
		return fmt.Errorf("cache: index: %w", err)
	}
	return writeFileAtomic(ix.dir, indexFile, append(b, '\n'))
}

// Rebuild replaces a damaged index with the rows the Sources describe;
// an index that reads fine is left alone.
func (ix *Index) Rebuild(ctx context.Context) error {
	return ix.update(ctx, func(rows []IndexEntry) []IndexEntry { return rows })
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
