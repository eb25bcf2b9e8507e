package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// TestRevokedChain is the input: a two-hop chain with both sessions
// cached, then STS stops honouring every session (revoked, or restarted).
// A token for another cluster must not be signed by the dead final session;
// login must end with sessions STS accepts; each refused hop is assumed
// exactly once more, and no raw STS refusal reaches the user.
func TestRevokedChain(t *testing.T) {
	w := newWorld(t)
	hops := []string{roleTools, roleWork + ",external-id=ext-123"}
	chainArgs := func(cluster string, extra ...string) []string {
		args := hopArgs("file", hops...)[1:]
		args[1] = cluster
		return append(args, extra...)
	}
	calls := func() map[string]int {
		return map[string]int{roleTools: w.fake.Calls("AssumeRole", roleTools), roleWork: w.fake.Calls("AssumeRole", roleWork)}
	}
	assertCalls := func(t *testing.T, what string, want int) {
		t.Helper()
		for role, got := range calls() {
			if got != want {
				t.Errorf("%s: AssumeRole %s called %d times in all, want %d", what, role, got, want)
			}
		}
	}
	tokenOf(t, w.env, chainArgs("prod")...)
	assertCalls(t, "cold cache", 1)

	// A warm token for another cluster, from cached sessions: STS is asked
	// once whether the final session still holds, and nothing is assumed.
	gciBefore := w.fake.Calls("GetCallerIdentity", "")
	tok, _ := tokenOf(t, w.env, chainArgs("staging")...)
	verify(t, tok, "staging", "eu-west-1")
	assertCalls(t, "token from cached sessions", 1)
	if got := w.fake.Calls("GetCallerIdentity", "") - gciBefore; got != 2 { // the check, then the verifier
		t.Errorf("GetCallerIdentity calls = %d, want 2 (the check of the cached final session, then the verifier)", got)
	}

	if n := w.fake.RevokeSessions(); n != 2 {
		t.Fatalf("revoked %d sessions, want 2", n)
	}
	r := runPlugin(t, w.env, "", append([]string{"token"}, chainArgs("other-cluster", "-v")...)...)
	if r.code != 0 {
		t.Fatalf("token after revocation: exit %d stderr %q", r.code, r.stderr)
	}
	var tokOut struct{ Status struct{ Token string } }
	mustJSON(t, r.stdout, &tokOut)
	if id := verify(t, tokOut.Status.Token, "other-cluster", "eu-west-1"); id.CanonicalARN != roleWork {
		t.Errorf("cluster sees %q", id.CanonicalARN)
	}
	assertCalls(t, "token after revocation", 2)
	for _, want := range []string{"hop 2/2 (" + roleWork + "): STS refused the cached session", "STS refused the cached session of hop 1"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-v does not say %q: %q", want, r.stderr)
		}
	}

	w.fake.RevokeSessions()
	r = runPlugin(t, w.env, "", append([]string{"login"}, chainArgs("prod")...)...)
	if r.code != 0 {
		t.Fatalf("login after revocation: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	assertCalls(t, "login after revocation", 3)
	for _, want := range []string{"hop 1/2", "hop 2/2", "assumed", "you are", "assumed-role/eks-admin/"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("login output lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, want := range []string{"cached session of hop 2/2 (" + roleWork + ")", "cached session of hop 1/2 (" + roleTools + ")", "dropped it"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("login does not say %q: %q", want, r.stderr)
		}
	}
	for _, raw := range []string{"InvalidClientTokenId", "security token included in the request is invalid", "api error"} {
		if strings.Contains(r.stdout+r.stderr, raw) {
			t.Errorf("login shows the raw refusal %q: stdout %q stderr %q", raw, r.stdout, r.stderr)
		}
	}
	// login replaced prod's token: the cluster accepts it.
	tok, _ = tokenOf(t, w.env, chainArgs("prod")...)
	verify(t, tok, "prod", "eu-west-1")
	assertCalls(t, "token after login", 3)
	assertNoSecret(t, w, r.stdout+r.stderr)
	assertNoCachedSecretInOutput(t, w, r.stdout+r.stderr)
}

// TestRevokedBaseCredentials: when the base keys themselves are refused,
// login says so in the user's terms, not STS's.
func TestRevokedBaseCredentials(t *testing.T) {
	w := newWorld(t)
	w.fake.Revoke(w.user.AccessKeyID)
	r := runPlugin(t, w.env, "", "login", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "file")
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "STS refuses the base credentials") || !strings.Contains(r.stderr, "refresh them") {
		t.Errorf("stderr %q does not name the base credentials and the fix", r.stderr)
	}
	if strings.Contains(r.stderr, "api error") {
		t.Errorf("raw SDK text in %q", r.stderr)
	}
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not JSON: %v: %q", err, s)
	}
}

// TestFinalCheckBounded: an STS that does not answer the check of a cached
// final session costs a cold call broker.FinalCheckTimeout (5s) at most; the
// token is then signed as it was before the check existed.
func TestFinalCheckBounded(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, fakeaws.Options{})
	args := hopArgs("file", roleTools)
	tokenOf(t, w.env, args[1:]...)
	w.fake.SetDelay(8 * time.Second) // past the bound; Close waits for it
	args[2] = "staging"              // a token cache miss, the session cached
	r := runPlugin(t, w.env, "", append(args, "-v")...)
	if r.code != 0 || !strings.Contains(r.stdout, "k8s-aws-v1.") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "could not check the cached session") {
		t.Errorf("-v does not say the check failed: %q", r.stderr)
	}
	if r.took < 4*time.Second || r.took > 7*time.Second {
		t.Errorf("took %s, want about 5s (the check's bound)", r.took)
	}
	if got := w.fake.Calls("AssumeRole", roleTools); got != 1 {
		t.Errorf("AssumeRole called %d times, want 1", got)
	}
}
