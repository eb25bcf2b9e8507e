package cache

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Describer is a store that can list what it holds without the index,
// each entry described by its own non-secret fields (DescribeEntry): the
// file store always, the keyring where it can be searched (the Secret
// Service). Index uses them to rebuild a lost or damaged index.
type Describer interface {
	Describe() ([]IndexEntry, error)
}

var (
	_ Describer = (*FileStore)(nil)
	_ Describer = (*KeyringStore)(nil)
)

// Describe lists the entry files in the store's folder as index rows.
// Files that are not private, not ours or not entries are left out.
func (s *FileStore) Describe() ([]IndexEntry, error) { return describeFiles(s.dir) }

func describeFiles(dir string) ([]IndexEntry, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*"+entrySuffix))
	if err != nil {
		return nil, fmt.Errorf("cache: list entries: %w", err)
	}
	var rows []IndexEntry
	for _, name := range names {
		key := strings.TrimSuffix(filepath.Base(name), entrySuffix)
		if validateKey(key) != nil {
			continue
		}
		b, err := readPrivateFile(name)
		if err != nil {
			continue
		}
		if row, ok := DescribeEntry(key, NameFile, string(b)); ok {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// Describe lists the keyring's kubectl-eksxa items as index rows (chunk
// items are read through their first item). ErrCannotList where the
// keyring cannot be searched.
func (s *KeyringStore) Describe() ([]IndexEntry, error) {
	users, err := s.ListUsers()
	if err != nil {
		return nil, err
	}
	var (
		rows []IndexEntry
		errs []error
	)
	for _, u := range users {
		if strings.Contains(u, ".") || validateKey(u) != nil {
			continue // a chunk item, read with its first one
		}
		v, err := s.Get(u)
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				errs = append(errs, err)
			}
			continue
		}
		if row, ok := DescribeEntry(u, NameKeyring, v); ok {
			rows = append(rows, row)
		}
	}
	return rows, errors.Join(errs...)
}
