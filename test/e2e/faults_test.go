package e2e

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// hopArgs is a token call through one hop, uncached unless a test says so.
func hopArgs(cache string, hops ...string) []string {
	args := []string{"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", cache}
	for _, h := range hops {
		args = append(args, "--role-arn", h)
	}
	return args
}

// TestSTSFaults injects STS failures and checks each call's outcome, how
// many attempts reached STS, and how long the call took.
func TestSTSFaults(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		code       string
		n          int
		wantExit   int
		wantCalls  int
		wantStderr []string
		within     time.Duration
	}{
		{"throttled twice, then served", 400, "Throttling", 2, 0, 3, nil, 15 * time.Second},
		{"500 twice, then served", 500, "InternalFailure", 2, 0, 3, nil, 15 * time.Second},
		{"503 once, then served", 503, "ServiceUnavailable", 1, 0, 2, nil, 15 * time.Second},
		{"throttled past the retry budget", 400, "Throttling", 10, 1, 3,
			[]string{"hop 1/1 (" + roleTools + "): Throttling"}, 15 * time.Second},
		{"500 past the retry budget", 500, "InternalFailure", 10, 1, 3,
			[]string{"hop 1/1 (" + roleTools + "): InternalFailure"}, 15 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.fake.Fail("AssumeRole", tt.n, tt.status, tt.code)
			r := runPlugin(t, w.env, "", hopArgs("none", roleTools)...)
			if r.code != tt.wantExit {
				t.Fatalf("exit %d, want %d; stderr %q", r.code, tt.wantExit, r.stderr)
			}
			if got := w.fake.Calls("AssumeRole", roleTools); got != tt.wantCalls {
				t.Errorf("STS saw %d AssumeRole attempts, want %d", got, tt.wantCalls)
			}
			if r.took > tt.within {
				t.Errorf("took %s, want under %s", r.took, tt.within)
			}
			if tt.wantExit == 0 {
				var cred struct{ Status struct{ Token string } }
				if err := json.Unmarshal([]byte(r.stdout), &cred); err != nil {
					t.Fatalf("stdout is not an ExecCredential: %q", r.stdout)
				}
				if id := verify(t, cred.Status.Token, "prod", "eu-west-1"); id.CanonicalARN != roleTools {
					t.Errorf("cluster sees %q", id.CanonicalARN)
				}
			} else if r.stdout != "" {
				t.Errorf("stdout %q on failure", r.stdout)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q lacks %q", r.stderr, want)
				}
			}
			assertNoSecret(t, w, r.stderr)
		})
	}
}

// TestSTSHangs: an STS that accepts the connection and never answers fails
// the call, naming the hop, within the 30-second call bound.
func TestSTSHangs(t *testing.T) {
	t.Parallel()
	l := blackHole(t, "tcp", "127.0.0.1:0")
	w := newWorldWith(t, fakeaws.Options{})
	r := runPlugin(t, w.with("AWS_ENDPOINT_URL_STS", "http://"+l.Addr().String()), "", hopArgs("none", roleTools, roleWork+",external-id=ext-123")...)
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("exit %d stdout %q, want 1 and nothing; stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"hop 1/2 (" + roleTools + ")", "no answer from STS within 30s", "check the network path to STS"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if r.took > 40*time.Second || r.took < 20*time.Second {
		t.Errorf("took %s, want about 30s (the call bound)", r.took)
	}
	if l.accepted.Load() == 0 {
		t.Error("the plugin never connected")
	}
}

// TestSTSRefuses: nothing listens where STS should be: the call fails in
// seconds, naming the hop.
func TestSTSRefuses(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	w := newWorldWith(t, fakeaws.Options{})
	r := runPlugin(t, w.with("AWS_ENDPOINT_URL_STS", "http://"+addr), "", hopArgs("none", roleTools)...)
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("exit %d stdout %q; stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"hop 1/1 (" + roleTools + ")", "connection refused", "STS could not be reached"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if r.took > 10*time.Second {
		t.Errorf("took %s, want a few seconds", r.took)
	}
}

// TestClockSkew: STS's clock is 20 minutes away from ours; the error says
// by how much.
func TestClockSkew(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		offset time.Duration // STS's clock minus ours
		want   string
	}{
		{"ours behind", 20 * time.Minute, "your clock is 20 minutes off (behind AWS's)"},
		{"ours ahead", -20 * time.Minute, "your clock is 20 minutes off (ahead of AWS's)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorldWith(t, fakeaws.Options{Now: func() time.Time { return time.Now().Add(tt.offset) }})
			r := runPlugin(t, w.env, "", hopArgs("none", roleTools)...)
			if r.code != 1 || r.stdout != "" {
				t.Fatalf("exit %d stdout %q; stderr %q", r.code, r.stdout, r.stderr)
			}
			for _, want := range []string{"hop 1/1 (" + roleTools + ")", tt.want} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q lacks %q", r.stderr, want)
				}
			}
			if r.took > 10*time.Second {
				t.Errorf("took %s", r.took)
			}
		})
	}
}

// cachedSessions reads the session entries of a file cache, by role ARN.
func cachedSessions(t *testing.T, dir string) map[string]struct{ file, accessKeyID string } {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.entry"))
	out := map[string]struct{ file, accessKeyID string }{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Kind        string `json:"kind"`
			AccessKeyID string `json:"accessKeyId"`
			ARN         string `json:"arn"`
		}
		if json.Unmarshal(b, &e) == nil && e.AccessKeyID != "" {
			// arn:aws:sts::ACCT:assumed-role/NAME/SESSION -> the role's name
			out[e.ARN] = struct{ file, accessKeyID string }{f, e.AccessKeyID}
		}
	}
	return out
}

// TestRevokedCachedSession: STS refuses hop 1's cached session when it
// signs hop 2; the call drops it, redoes hop 1 from the base credentials,
// and still succeeds.
func TestRevokedCachedSession(t *testing.T) {
	w := newWorld(t)
	hops := []string{roleTools, roleWork + ",external-id=ext-123"}
	cacheDir := w.env["EKSXA_CACHE_DIR"]
	tokenOf(t, w.env, hopArgs("file", hops...)[1:]...)
	sessions := cachedSessions(t, cacheDir)
	var jump, work struct{ file, accessKeyID string }
	for arn, s := range sessions {
		switch {
		case strings.Contains(arn, ":assumed-role/jump/"):
			jump = s
		case strings.Contains(arn, ":assumed-role/eks-admin/"):
			work = s
		}
	}
	if jump.file == "" || work.file == "" {
		t.Fatalf("cached sessions %v, want both hops", sessions)
	}
	// Hop 2's session is gone (as if expired), hop 1's is revoked at STS.
	os.Remove(work.file)
	w.fake.Revoke(jump.accessKeyID)

	args := hopArgs("file", hops...)
	args[2] = "other-cluster" // a token cache miss
	r := runPlugin(t, w.env, "", append(args, "-v")...)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var cred struct{ Status struct{ Token string } }
	must(t, json.Unmarshal([]byte(r.stdout), &cred))
	if id := verify(t, cred.Status.Token, "other-cluster", "eu-west-1"); id.CanonicalARN != roleWork {
		t.Errorf("cluster sees %q", id.CanonicalARN)
	}
	if !strings.Contains(r.stderr, "STS refused the cached session of hop 1") {
		t.Errorf("-v does not tell of the redo: %q", r.stderr)
	}
	// The refused try is not counted: the fake counts authenticated calls.
	for role, want := range map[string]int{roleTools: 2, roleWork: 2} {
		if got := w.fake.Calls("AssumeRole", role); got != want {
			t.Errorf("AssumeRole %s: %d calls, want %d", role, got, want)
		}
	}
	if s := cachedSessions(t, cacheDir); len(s) != 2 {
		t.Errorf("after the redo the cache holds %d sessions, want 2", len(s))
	}
	assertNoSecret(t, w, r.stderr)
	assertNoCachedSecretInOutput(t, w, r.stderr)
}
