package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// minMtime is 1980-01-01T00:00:00Z, the earliest time a zip entry can hold.
const minMtime = 315532800

// entry is one regular file in an archive: its name at the archive's top
// level, its mode (0755 or 0644) and its contents.
type entry struct {
	Name string
	Mode fs.FileMode
	Data []byte
}

// readEntries reads the files at paths into entries named by their base
// names, sorted by name. A file with any execute bit becomes 0755, any other
// 0644, so the packer's umask and checkout do not leak into the archive.
func readEntries(paths []string) ([]entry, error) {
	seen := map[string]string{}
	entries := make([]entry, 0, len(paths))
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("read %s: not a regular file", p)
		}
		name := filepath.Base(p)
		if prev, ok := seen[name]; ok {
			return nil, fmt.Errorf("%s and %s would both be %q in the archive", prev, p, name)
		}
		seen[name] = p
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		mode := fs.FileMode(0o644)
		if fi.Mode().Perm()&0o111 != 0 {
			mode = 0o755
		}
		entries = append(entries, entry{Name: name, Mode: mode, Data: data})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries, nil
}

// writeTarGz writes entries, in order, as a gzip-compressed ustar archive
// whose every header carries mtime, uid/gid 0 and no owner names. The gzip
// header has no file name and no time (as `gzip -n`).
func writeTarGz(w io.Writer, entries []entry, mtime time.Time) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     e.Name,
			Size:     int64(len(e.Data)),
			Mode:     int64(e.Mode.Perm()),
			ModTime:  mtime,
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("tar header %s: %w", e.Name, err)
		}
		if _, err := tw.Write(e.Data); err != nil {
			return fmt.Errorf("tar %s: %w", e.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// writeZip writes entries, in order, as a deflated zip archive whose every
// entry carries mtime (in UTC) and a Unix mode.
func writeZip(w io.Writer, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		hdr := &zip.FileHeader{
			Name:     e.Name,
			Method:   zip.Deflate,
			Modified: mtime.UTC(),
		}
		hdr.SetMode(e.Mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("zip header %s: %w", e.Name, err)
		}
		if _, err := fw.Write(e.Data); err != nil {
			return fmt.Errorf("zip %s: %w", e.Name, err)
		}
	}
	return zw.Close()
}
