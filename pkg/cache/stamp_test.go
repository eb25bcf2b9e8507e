package cache

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestFileStampChangesWithTheFile: every way a user or a tool changes an
// AWS file changes its stamp; reading it does not.
func TestFileStampChangesWithTheFile(t *testing.T) {
	dir := privateTempDir(t)
	path := filepath.Join(dir, "config")
	const readonly = "[profile k8s]\nrole_arn = arn:aws:iam::222222222222:role/eks-readonly\n"
	const admin = "[profile k8s]\nrole_arn = arn:aws:iam::333333333333:role/eks-admin___\n" // same size
	if len(readonly) != len(admin) {
		t.Fatalf("test needs equal sizes: %d, %d", len(readonly), len(admin))
	}
	absent := FileStamp(path)
	if !strings.HasSuffix(absent, "\x00absent") {
		t.Errorf("absent file stamp %q", absent)
	}
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(readonly)
	created := FileStamp(path)
	if created == absent {
		t.Error("creating the file left the stamp as it was")
	}
	if _, err := os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if FileStamp(path) != created {
		t.Error("reading the file changed its stamp")
	}

	// Same size, in place, with the modification time set back as cp -p
	// or tar would: the change time still tells (Unix).
	fi, _ := os.Stat(path)
	write(admin)
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	inPlace := FileStamp(path)
	if runtime.GOOS != "windows" && inPlace == created {
		t.Error("a same-size edit with the modification time set back left the stamp as it was")
	}

	// An editor that writes a new file and renames it into place.
	tmp := filepath.Join(dir, "config.new")
	if err := os.WriteFile(tmp, []byte(readonly), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if renamed := FileStamp(path); renamed == inPlace || renamed == created {
		t.Error("a file renamed into place stamps as an earlier one")
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if FileStamp(path) != absent {
		t.Error("a removed file does not stamp as absent")
	}
	if FileStamp(filepath.Join(dir, "other")) == absent {
		t.Error("two absent files stamp alike: the path must be in the stamp")
	}
}

// A ~/.aws/config of a few dozen profiles, as an EKS user with several
// accounts has; and one of the big generated ones (granted, aws-sso-util
// write hundreds of profiles).
var stampSizes = []struct {
	name string
	size int
}{{"2KiB", 2 << 10}, {"256KiB", 256 << 10}}

// BenchmarkFileStamp is what each AWS file costs a warm call: one stat.
func BenchmarkFileStamp(b *testing.B) {
	for _, s := range stampSizes {
		b.Run(s.name, func(b *testing.B) {
			path := stampFile(b, s.size)
			b.ReportAllocs()
			for b.Loop() {
				FileStamp(path)
			}
		})
	}
}

// BenchmarkFileContentHash is the alternative FileStamp was chosen over:
// reading and hashing the file. It grows with the file, and reads it (and
// its page cache misses) on every warm call.
func BenchmarkFileContentHash(b *testing.B) {
	for _, s := range stampSizes {
		b.Run(s.name, func(b *testing.B) {
			path := stampFile(b, s.size)
			b.ReportAllocs()
			for b.Loop() {
				data, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				_ = sha256.Sum256(data)
			}
		})
	}
}

func stampFile(b *testing.B, size int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "config")
	var sb strings.Builder
	for i := 0; sb.Len() < size; i++ {
		sb.WriteString("[profile p" + time.Duration(i).String() + "]\nrole_arn = arn:aws:iam::222222222222:role/eks-admin\nsource_profile = base\n\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()[:size]), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}
