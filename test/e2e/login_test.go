package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// TestLoginRenewLogout: login answers MFA once; when the chained hop after
// it expires, kubectl's next call renews only that hop, without a prompt;
// status shows what is cached and no secret; logout forgets it.
func TestLoginRenewLogout(t *testing.T) {
	w := newWorld(t)
	const mfa = "arn:aws:iam::" + identityAcct + ":mfa/alice"
	jump := "arn:aws:iam::" + toolsAcct + ":role/mfa-jump"
	short := "arn:aws:iam::" + workAcct + ":role/short"
	w.fake.AddRole(jump, fakeaws.RoleOptions{MFASerial: mfa, MFACode: "654321", MaxSessionDuration: 12 * time.Hour})
	// STS hands out 63-second sessions for this role: within a few
	// seconds they are inside the one-minute margin and must be renewed.
	w.fake.AddRole(short, fakeaws.RoleOptions{MaxIssuedDuration: 63 * time.Second})
	chain := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--cache", "file",
		"--role-arn", jump + ",mfa-serial=" + mfa + ",duration=12h", "--role-arn", short}

	r := runPlugin(t, w.env, "654321\n", append([]string{"login"}, chain...)...)
	if r.code != 0 {
		t.Fatalf("login: exit %d stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"hop 1/2", "assumed-role/mfa-jump/eksxa-alice", "hop 2/2", "assumed-role/short/eksxa-alice", "you are", "token"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("login output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "MFA code for "+mfa) {
		t.Errorf("login did not ask for the MFA code on stderr: %q", r.stderr)
	}

	time.Sleep(4 * time.Second) // the short hop now has under a minute left
	tok, tr := tokenOf(t, w.env, chain...)
	if strings.Contains(tr.stderr, "MFA") {
		t.Errorf("kubectl's call asked for MFA again: %q", tr.stderr)
	}
	if got := w.fake.Calls("AssumeRole", jump); got != 1 {
		t.Errorf("MFA hop assumed %d times, want 1 (its 12h session is cached)", got)
	}
	if got := w.fake.Calls("AssumeRole", short); got != 2 {
		t.Errorf("short hop assumed %d times, want 2 (login, then renewed)", got)
	}
	var cred struct {
		Status struct {
			ExpirationTimestamp time.Time `json:"expirationTimestamp"`
		} `json:"status"`
	}
	must(t, json.Unmarshal([]byte(tr.stdout), &cred))
	if left := time.Until(cred.Status.ExpirationTimestamp); left > 63*time.Second {
		t.Errorf("token lives %v, past the 63s session that signed it", left)
	}
	verify(t, tok, "prod", "eu-west-1")

	// status: text and JSON, no secret anywhere.
	st := runPlugin(t, w.env, "", "status")
	if st.code != 0 || !strings.Contains(st.stdout, "prod") || !strings.Contains(st.stdout, jump) {
		t.Errorf("status: exit %d stdout %q stderr %q", st.code, st.stdout, st.stderr)
	}
	js := runPlugin(t, w.env, "", "status", "-o", "json")
	var rows []struct {
		Kind, Cluster string
		Chain         []string
	}
	if err := json.Unmarshal([]byte(js.stdout), &rows); err != nil || len(rows) != 3 {
		t.Errorf("status -o json: %v, %d rows, want 3 (token + 2 sessions):\n%s", err, len(rows), js.stdout)
	}
	assertNoSecret(t, w, st.stdout+st.stderr+js.stdout)
	assertNoCachedSecretInOutput(t, w, st.stdout+js.stdout)

	// logout: the chain's entries go, and kubectl's next call needs MFA.
	lo := runPlugin(t, w.env, "", append([]string{"logout"}, chain...)...)
	if lo.code != 0 || !strings.Contains(lo.stdout, "Forgot 3 cached entries") {
		t.Errorf("logout: exit %d stdout %q stderr %q", lo.code, lo.stdout, lo.stderr)
	}
	r = runPlugin(t, w.env, "", append([]string{"token"}, chain...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "kubectl eksxa login") {
		t.Errorf("after logout: exit %d stderr %q", r.code, r.stderr)
	}
	if st := runPlugin(t, w.env, "", "status"); !strings.Contains(st.stdout, "Nothing cached") {
		t.Errorf("status after logout: %q", st.stdout)
	}
}

// assertNoCachedSecretInOutput reads every cached session's secret from
// the file cache and checks none of them is in out.
func assertNoCachedSecretInOutput(t *testing.T, w *world, out string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(w.env["EKSXA_CACHE_DIR"], "*.entry"))
	if len(files) == 0 {
		t.Fatal("no cache entries to check against")
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var e struct {
			SecretAccessKey, SessionToken, Token string
		}
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{e.SecretAccessKey, e.SessionToken, e.Token} {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("a cached secret from %s is in the output", filepath.Base(f))
			}
		}
	}
}

func TestLogoutAll(t *testing.T) {
	w := newWorld(t)
	for _, c := range []string{"a", "b"} {
		tokenOf(t, w.env, "--cluster-name", c, "--region", "eu-west-1", "--cache", "file", "--role-arn", roleTools)
	}
	r := runPlugin(t, w.env, "", "logout", "--all")
	if r.code != 0 || !strings.Contains(r.stdout, "Forgot 3 cached entries") {
		t.Errorf("logout --all: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(w.env["EKSXA_CACHE_DIR"], "*.entry")); len(files) != 0 {
		t.Errorf("entries left after logout --all: %v", files)
	}
	if r := runPlugin(t, w.env, "", "logout", "--all", "--cluster-name", "a"); r.code != 2 {
		t.Errorf("logout --all with a chain flag: exit %d, want 2", r.code)
	}
}

// TestLoginReportsReuse: a second login with the same flags reuses the
// cached session and says so, and says the token is cached; with
// --cache none it assumes again and says the token is not cached.
func TestLoginReportsReuse(t *testing.T) {
	w := newWorld(t)
	args := append([]string{"login"}, hopArgs("file", roleTools)[1:]...)
	for i, want := range []string{"assumed, until", "reused from the cache, until"} {
		r := runPlugin(t, w.env, "", args...)
		if r.code != 0 {
			t.Fatalf("login %d: exit %d stderr %q", i+1, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, want) || !tokenLineSays(r.stdout, "cached, until") {
			t.Errorf("login %d: report lacks %q or a cached token:\n%s", i+1, want, r.stdout)
		}
	}
	if got := w.fake.Calls("AssumeRole", roleTools); got != 1 {
		t.Errorf("AssumeRole called %d times, want 1 (the second login reuses the session)", got)
	}
	r := runPlugin(t, w.env, "", append(args, "--cache", "none")...)
	if r.code != 0 || !strings.Contains(r.stdout, "assumed, until") || !tokenLineSays(r.stdout, "not cached (--cache none)") {
		t.Errorf("login --cache none: exit %d report:\n%s", r.code, r.stdout)
	}
	if got := w.fake.Calls("AssumeRole", roleTools); got != 2 {
		t.Errorf("AssumeRole called %d times, want 2 (--cache none reads no cache)", got)
	}
}

// tokenLineSays reports whether out has a "token" line saying want.
func tokenLineSays(out, want string) bool {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "token" && strings.HasPrefix(strings.Join(f[1:], " "), want) {
			return true
		}
	}
	return false
}
