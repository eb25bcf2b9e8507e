// Command distpack packs kubectl-eksxa's release archives reproducibly and
// renders the krew manifest from the krew-release-bot template (.krew.yaml).
// hack/dist.sh calls it; it is not shipped.
//
// Usage:
//
//	distpack archive -o OUT.tar.gz|OUT.zip -mtime UNIX FILE...
//	distpack checksums -o checksums.txt FILE...
//	distpack manifest -template .krew.yaml -tag vX.Y.Z -checksums checksums.txt -o krew-manifest.yaml
//
// The same inputs always give the same bytes: entries sorted by name, one
// fixed modification time, uid/gid 0 with no user or group names, modes
// 0755 (executable) or 0644, and a gzip header without name or time.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// errUsage marks a command line distpack cannot act on (exit code 2).
var errUsage = errors.New("usage")

func run(args []string, stderr io.Writer) int {
	err := dispatch(args, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "distpack: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "distpack: %v\n", err)
		return 1
	}
}

func dispatch(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: distpack archive|checksums|manifest [flags]", errUsage)
	}
	switch args[0] {
	case "archive":
		return cmdArchive(args[1:], stderr)
	case "checksums":
		return cmdChecksums(args[1:], stderr)
	case "manifest":
		return cmdManifest(args[1:], stderr)
	default:
		return fmt.Errorf("%w: unknown command %q (want archive, checksums or manifest)", errUsage, args[0])
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("distpack "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func cmdArchive(args []string, stderr io.Writer) error {
	fs := newFlagSet("archive", stderr)
	out := fs.String("o", "", "archive to write; .tar.gz or .zip")
	mtime := fs.Int64("mtime", -1, "modification time of every entry, in Unix seconds (>= 1980-01-01)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return fmt.Errorf("%w: archive needs -o OUT and at least one file", errUsage)
	}
	if *mtime < minMtime {
		return fmt.Errorf("%w: -mtime %d is before 1980-01-01 (%d), which zip cannot store", errUsage, *mtime, minMtime)
	}
	entries, err := readEntries(fs.Args())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	mt := time.Unix(*mtime, 0).UTC()
	switch {
	case strings.HasSuffix(*out, ".tar.gz"):
		err = writeTarGz(&buf, entries, mt)
	case strings.HasSuffix(*out, ".zip"):
		err = writeZip(&buf, entries, mt)
	default:
		return fmt.Errorf("%w: -o %q: want a name ending in .tar.gz or .zip", errUsage, *out)
	}
	if err != nil {
		return fmt.Errorf("pack %s: %w", *out, err)
	}
	return writeFile(*out, buf.Bytes())
}

func cmdChecksums(args []string, stderr io.Writer) error {
	fs := newFlagSet("checksums", stderr)
	out := fs.String("o", "", "checksums file to write (sha256sum format)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return fmt.Errorf("%w: checksums needs -o OUT and at least one file", errUsage)
	}
	var buf bytes.Buffer
	if err := writeChecksums(&buf, fs.Args()); err != nil {
		return err
	}
	return writeFile(*out, buf.Bytes())
}

func cmdManifest(args []string, stderr io.Writer) error {
	fs := newFlagSet("manifest", stderr)
	tmplPath := fs.String("template", ".krew.yaml", "krew-release-bot template")
	tag := fs.String("tag", "", "release tag, e.g. v1.2.3")
	sumsPath := fs.String("checksums", "", "sha256sum-format file naming every archive the template refers to")
	out := fs.String("o", "", "manifest to write")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *tag == "" || *sumsPath == "" || *out == "" || fs.NArg() != 0 {
		return fmt.Errorf("%w: manifest needs -tag, -checksums and -o, and no arguments", errUsage)
	}
	tmpl, err := os.ReadFile(*tmplPath)
	if err != nil {
		return fmt.Errorf("read template: %w", err)
	}
	f, err := os.Open(*sumsPath)
	if err != nil {
		return fmt.Errorf("read checksums: %w", err)
	}
	sums, err := readChecksums(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("read checksums %s: %w", *sumsPath, err)
	}
	manifest, err := renderManifest(filepath.Base(*tmplPath), string(tmpl), *tag, sums)
	if err != nil {
		return err
	}
	return writeFile(*out, manifest)
}

// writeFile writes data to path through a temporary file in the same
// directory, so that a failed run leaves no half-written file behind.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".distpack-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
