package cache

import (
	"os/exec"
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

// TestOSKeyringSweep lists and deletes items by service attribute alone
// in the real Secret Service, under a service of its own so that it never
// touches another test's items.
func TestOSKeyringSweep(t *testing.T) {
	requireOSKeyring(t)
	if !SweepCounts {
		t.Skip("no attribute search on this platform")
	}
	service := Service + "-sweep-test"
	users := []string{uniqueKey(t), uniqueKey(t), uniqueKey(t) + ".1"}
	for _, u := range users {
		if err := keyring.Set(service, u, "v-"+u); err != nil {
			t.Fatal(err)
		}
	}
	if err := keyring.Set(Service+"-sweep-other", users[0], "keep"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keyring.DeleteAll(Service + "-sweep-other") })
	got, err := OSKeyring().(KeyringSweeper).ListUsers(service)
	if err != nil || len(got) != 3 {
		t.Fatalf("ListUsers = %v, %v; want the 3 items", got, err)
	}
	n, err := OSKeyring().(KeyringSweeper).DeleteAll(service)
	if err != nil || n != 3 {
		t.Fatalf("DeleteAll = %d, %v; want 3", n, err)
	}
	out, _ := exec.Command("secret-tool", "search", "--all", "service", service).CombinedOutput()
	if strings.Contains(string(out), "attribute.service") {
		t.Errorf("items left:\n%s", out)
	}
	if v, err := keyring.Get(Service+"-sweep-other", users[0]); err != nil || v != "keep" {
		t.Errorf("another service's item: %q, %v", v, err)
	}
}
