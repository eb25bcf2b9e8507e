package cache

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Benchmarks of the cache path (go test -bench . ./pkg/cache). A
// benchmark, never a timed assertion: see docs/benchmarks.md. BenchmarkKey
// is in key_test.go, the FileStore alone in file_test.go.

var benchToken = Token{Token: "k8s-aws-v1." + strings.Repeat("A", 1800), Expires: time.Date(2026, 1, 2, 3, 18, 5, 0, time.UTC)}

func BenchmarkDecodeToken(b *testing.B) {
	v, err := EncodeToken(benchToken)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeToken(v); err != nil {
			b.Fatal(err)
		}
	}
}

func benchStores(b *testing.B) map[string]Store {
	fs, err := NewFileStore(filepath.Join(b.TempDir(), "eksxa"))
	if err != nil {
		b.Fatal(err)
	}
	windows := NewMemKeyring()
	windows.SetMaxSize(2560)
	return map[string]Store{
		"file":                     fs,
		"keyring-mem":              NewKeyringStore(NewMemKeyring(), KeyringOptions{}),
		"keyring-mem-chunked-2560": NewKeyringStore(windows, KeyringOptions{MaxValueSize: 2560}),
	}
}

func BenchmarkStoreGet(b *testing.B) {
	v, err := EncodeToken(Token{Token: benchToken.Token + strings.Repeat("B", 2000), Expires: benchToken.Expires})
	if err != nil {
		b.Fatal(err)
	}
	key := Key(KindToken, "bench")
	for name, s := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			if err := s.Set(key, v); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Get(key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStoreSet(b *testing.B) {
	v, err := EncodeToken(benchToken)
	if err != nil {
		b.Fatal(err)
	}
	key := Key(KindToken, "bench")
	for name, s := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Set(key, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
