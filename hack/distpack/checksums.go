package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// writeChecksums writes one "SHA256  NAME" line per file, as sha256sum does,
// with NAME the file's base name, sorted by name, so that
// `sha256sum -c checksums.txt` works in the directory holding the files.
func writeChecksums(w io.Writer, paths []string) error {
	type line struct{ name, sum string }
	lines := make([]line, 0, len(paths))
	for _, p := range paths {
		sum, err := fileSHA256(p)
		if err != nil {
			return err
		}
		lines = append(lines, line{filepath.Base(p), sum})
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].name < lines[j].name })
	for i := 1; i < len(lines); i++ {
		if lines[i].name == lines[i-1].name {
			return fmt.Errorf("two files named %q", lines[i].name)
		}
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%s  %s\n", l.sum, l.name); err != nil {
			return err
		}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("checksum %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("checksum %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readChecksums reads sha256sum output ("SUM  NAME" or "SUM *NAME") into a
// map from NAME's base name to SUM.
func readChecksums(r io.Reader) (map[string]string, error) {
	sums := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		sum, name, ok := strings.Cut(text, " ")
		name = strings.TrimPrefix(strings.TrimPrefix(name, " "), "*")
		if !ok || !sha256Hex.MatchString(sum) || name == "" {
			return nil, fmt.Errorf("line %d: want \"SHA256  NAME\" with a lowercase hex SHA-256, got %q", n, text)
		}
		base := filepath.Base(name)
		if _, dup := sums[base]; dup {
			return nil, fmt.Errorf("line %d: %q listed twice", n, base)
		}
		sums[base] = sum
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return sums, nil
}
