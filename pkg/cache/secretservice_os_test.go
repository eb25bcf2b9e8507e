package cache

import (
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestOSKeyringQuickGet checks the three-call Secret Service read against
// what go-keyring writes and reads (real gnome-keyring; see
// keyring_os_test.go).
func TestOSKeyringQuickGet(t *testing.T) {
	requireOSKeyring(t)
	if !quickGetAvailable {
		t.Skip("no Secret Service read on this platform")
	}
	user := uniqueKey(t)
	t.Cleanup(func() { _ = keyring.Delete(Service, user) })

	if v, ok := quickGet(Service, user); ok {
		t.Fatalf("quickGet of a missing item = %q, true; want ok false (go-keyring decides)", v)
	}
	value := `{"v":1,"kind":"token","token":"k8s-aws-v1.` + strings.Repeat("x", 1500) + `"} é`
	if err := keyring.Set(Service, user, value); err != nil {
		t.Fatal(err)
	}
	got, ok := quickGet(Service, user)
	if !ok || got != value {
		t.Fatalf("quickGet = %d bytes, %v; want the %d bytes go-keyring stored", len(got), ok, len(value))
	}
	if v, err := OSKeyring().Get(Service, user); err != nil || v != value {
		t.Errorf("OSKeyring().Get = %d bytes, %v", len(v), err)
	}
	// Same service, other user; other service, same user: not this item.
	if _, ok := quickGet(Service, user+"x"); ok {
		t.Error("quickGet found an item under another user name")
	}
	if _, ok := quickGet(Service+"-other", user); ok {
		t.Error("quickGet found an item under another service")
	}
	if err := keyring.Set(Service, user, "second"); err != nil {
		t.Fatal(err)
	}
	if got, _ := quickGet(Service, user); got != "second" {
		t.Errorf("after an overwrite quickGet = %q, want second", got)
	}
}
