package cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The tests in this file use the real OS keyring. They run only with
// EKSXA_KEYRING_TEST=1, under hack/with-keyring.sh (gnome-keyring on a
// private D-Bus session bus):
//
//	EKSXA_KEYRING_TEST=1 hack/with-keyring.sh go test -run Keyring ./pkg/cache/

func requireOSKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("EKSXA_KEYRING_TEST") != "1" {
		t.Skip("set EKSXA_KEYRING_TEST=1 and run under hack/with-keyring.sh to test the real Secret Service")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service checks use secret-tool (Linux)")
	}
	if !SessionBusAvailable(runtime.GOOS, os.Getenv) {
		t.Fatal("EKSXA_KEYRING_TEST=1 but no D-Bus session bus: run under hack/with-keyring.sh")
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool not found: apt-get install libsecret-tools")
	}
}

// secretToolLookup asks the Secret Service directly, as a user would, for
// the item go-keyring stores under attributes service and username.
func secretToolLookup(t *testing.T, user string) (string, bool) {
	t.Helper()
	cmd := exec.Command("secret-tool", "lookup", "service", Service, "username", user)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && stderr.Len() == 0 {
			return "", false // not found: exit 1, no message
		}
		t.Fatalf("secret-tool lookup %s: %v: %s", user, err, stderr.String())
	}
	return out.String(), true
}

func uniqueKey(t *testing.T) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return Key("test", t.Name(), hex.EncodeToString(b[:]))
}

func TestOSKeyringRoundTrip(t *testing.T) {
	requireOSKeyring(t)
	s := NewKeyringStore(OSKeyring(), KeyringOptions{Timeout: 10 * time.Second})
	key := uniqueKey(t)
	t.Cleanup(func() { _ = s.Delete(key) })

	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a new key: err = %v, want ErrNotFound", err)
	}
	v := `{"v":1,"kind":"token","token":"k8s-aws-v1.SECRET-` + key[:8] + `"}`
	for _, val := range []string{"first", v} { // second Set replaces the item
		if err := s.Set(key, val); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Get(key); err != nil || got != v {
		t.Fatalf("Get = %q, %v; want %q", got, err, v)
	}
	if got, ok := secretToolLookup(t, key); !ok || got != v {
		t.Errorf("secret-tool lookup service %s username %s = %q, %v; want %q", Service, key, got, ok, v)
	}
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, ok := secretToolLookup(t, key); ok {
		t.Error("item still in the Secret Service after Delete")
	}
	if _, err := s.Get(key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(key); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
}

func TestOSKeyringChunkedValue(t *testing.T) {
	requireOSKeyring(t)
	const limit = 2560 // Windows Credential Manager's, to exercise chunks here
	s := NewKeyringStore(OSKeyring(), KeyringOptions{Timeout: 10 * time.Second, MaxValueSize: limit})
	key := uniqueKey(t)
	t.Cleanup(func() { _ = s.Delete(key) })
	v := value(7000)
	if err := s.Set(key, v); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(key); err != nil || got != v {
		t.Fatalf("Get = %d bytes, %v; want the %d bytes set", len(got), err, len(v))
	}
	head, ok := secretToolLookup(t, key)
	if !ok || !strings.HasPrefix(head, chunkMagic+"03 ") || len(head) > limit {
		t.Errorf("head item: %d bytes, found %v, prefix %q; want a 3-chunk header within %d bytes", len(head), ok, head[:min(len(head), 20)], limit)
	}
	var joined strings.Builder
	joined.WriteString(head[chunkHeaderLen:])
	for _, u := range []string{key + ".1", key + ".2"} {
		part, ok := secretToolLookup(t, u)
		if !ok || len(part) > limit {
			t.Fatalf("chunk %s: %d bytes, found %v", u, len(part), ok)
		}
		joined.WriteString(part)
	}
	if joined.String() != v {
		t.Error("the chunks in the Secret Service do not join to the value")
	}
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{key, key + ".1", key + ".2"} {
		if _, ok := secretToolLookup(t, u); ok {
			t.Errorf("item %s left after Delete", u)
		}
	}
}

func TestOSKeyringAutoKeepsSecretsOutOfFiles(t *testing.T) {
	requireOSKeyring(t)
	dir := filepath.Join(privateTempDir(t), "eksxa")
	var notice bytes.Buffer
	s, err := SelectWith("auto", OSKeyring(), dir, &notice, KeyringOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "keyring" {
		t.Fatalf("auto chose the %s store with a Secret Service on the bus", s.Name())
	}
	ctx := context.Background()
	key := uniqueKey(t)
	t.Cleanup(func() { _ = s.Delete(key) })
	sess := Session{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "SECRETKEY-" + key[:16],
		SessionToken: "SESSIONTOKEN-" + strings.Repeat(key, 16), Expires: t0, ARN: "arn:aws:sts::1:assumed-role/a/me"}
	v, err := EncodeSession(sess)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := Lock(ctx, dir, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(key, v); err != nil {
		t.Fatal(err)
	}
	if err := NewIndex(dir).Upsert(ctx, IndexEntry{Key: key, Kind: KindSession, Store: s.Name(),
		Cluster: "c", Region: "us-east-1", Chain: []string{"arn:aws:iam::1:role/a"}, Identity: sess.ARN, Expires: t0}); err != nil {
		t.Fatal(err)
	}
	unlock()
	got, err := s.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := DecodeSession(got); err != nil || back.SecretAccessKey != sess.SecretAccessKey {
		t.Fatalf("DecodeSession: %v", err)
	}
	if notice.Len() != 0 {
		t.Errorf("notice written with the keyring in use: %q", notice.String())
	}

	files := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, secret := range []string{sess.SecretAccessKey, sess.SessionToken, "SECRETKEY", "SESSIONTOKEN"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds a secret", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Error("no files under the cache dir: the index was not written, the scan proved nothing")
	}
}
