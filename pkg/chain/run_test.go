package chain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

type harness struct {
	sts    *fakeSTS
	clock  *fakeClock
	cache  *memCache
	runner *Runner

	mu      sync.Mutex
	logs    []string
	prompts []string
	codes   []string // answers the prompt gives, in order
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{clock: newClock(), cache: newMemCache()}
	h.sts = newFakeSTS(t, h.clock)
	h.runner = &Runner{
		NewClient:          h.sts.client(),
		Now:                h.clock.Now,
		Cache:              h.cache,
		DefaultSessionName: "eksxa-alice",
		Log: func(format string, args ...any) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.logs = append(h.logs, fmt.Sprintf(format, args...))
		},
	}
	t.Cleanup(func() {
		for _, l := range h.logs {
			assertNoSecret(t, "log line", l)
		}
	})
	return h
}

// interactive makes the runner prompt, answering with codes in turn.
func (h *harness) interactive(codes ...string) {
	h.codes = codes
	h.runner.Prompt = func(p string) (string, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.prompts = append(h.prompts, p)
		if len(h.codes) == 0 {
			return "", errors.New("no more codes")
		}
		c := h.codes[0]
		h.codes = h.codes[1:]
		return c, nil
	}
}

func (h *harness) run(t *testing.T, hops ...Hop) (Session, error) {
	t.Helper()
	s, err := h.runner.Run(context.Background(), baseCreds, hops)
	if err != nil {
		assertNoSecret(t, "error", err.Error())
	}
	return s, err
}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, secretMarker) || strings.Contains(s, tokenMarker) {
		t.Errorf("%s carries a secret: %s", what, s)
	}
}

func signers(calls []stsCall) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.RoleARN+" <- "+c.Signer)
	}
	return out
}

func TestRunChains(t *testing.T) {
	hopA := Hop{RoleARN: arnA, ExternalID: "ext-a", Duration: 2 * time.Hour, SourceIdentity: "alice"}
	hopB := Hop{RoleARN: arnB, SessionName: "custom-b"}
	hopC := Hop{RoleARN: arnC}
	tests := []struct {
		name string
		hops []Hop
	}{
		{"one hop", []Hop{hopA}},
		{"two hops", []Hop{hopA, hopB}},
		{"three hops", []Hop{hopA, hopB, hopC}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			got, err := h.run(t, tt.hops...)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			calls := h.sts.Calls()
			if len(calls) != len(tt.hops) {
				t.Fatalf("STS calls = %d, want one per hop (%d): %v", len(calls), len(tt.hops), signers(calls))
			}
			// Each hop is signed by the session the hop before it got.
			wantSigner := baseAKID
			for i, c := range calls {
				if c.RoleARN != tt.hops[i].RoleARN || c.Signer != wantSigner {
					t.Errorf("call %d: %s signed by %s, want %s signed by %s", i, c.RoleARN, c.Signer, tt.hops[i].RoleARN, wantSigner)
				}
				wantSigner = h.cache.akid(i)
			}
			if got.Credentials.AccessKeyID != wantSigner {
				t.Errorf("final session %s, want the last hop's %s", got.Credentials.AccessKeyID, wantSigner)
			}
			last := tt.hops[len(tt.hops)-1]
			wantARN := "arn:aws:sts::" + strings.Split(last.RoleARN, ":")[4] + ":assumed-role/" + last.RoleARN[strings.LastIndex(last.RoleARN, "/")+1:] + "/" + calls[len(calls)-1].SessionName
			if got.ARN != wantARN {
				t.Errorf("final ARN %q, want %q", got.ARN, wantARN)
			}
			if got.Credentials.AccountID != strings.Split(last.RoleARN, ":")[4] || !got.Credentials.CanExpire {
				t.Errorf("final credentials: account %q can-expire %v", got.Credentials.AccountID, got.Credentials.CanExpire)
			}
			// Hop settings reach STS.
			first := calls[0]
			if diff := cmp.Diff(stsCall{Signer: baseAKID, RoleARN: arnA, SessionName: "eksxa-alice", ExternalID: "ext-a", SourceIdentity: "alice", Duration: 7200}, first); diff != "" {
				t.Errorf("first call (-want +got):\n%s", diff)
			}
			if len(calls) > 1 && (calls[1].SessionName != "custom-b" || calls[1].Duration != 3600 || calls[1].ExternalID != "") {
				t.Errorf("second call %+v, want session custom-b, duration 3600, no external ID", calls[1])
			}
			if h.cache.puts != len(tt.hops) {
				t.Errorf("cache puts = %d, want %d", h.cache.puts, len(tt.hops))
			}
		})
	}
}

func TestRunNoHops(t *testing.T) {
	h := newHarness(t)
	got, err := h.run(t)
	if err != nil {
		t.Fatal(err)
	}
	if got.Credentials != baseCreds || len(h.sts.Calls()) != 0 {
		t.Errorf("Run with no hops = %v after %d calls, want the base credentials and no call", got, len(h.sts.Calls()))
	}
}

func TestRunReusesCachedSessions(t *testing.T) {
	h := newHarness(t)
	hops := []Hop{{RoleARN: arnA}, {RoleARN: arnB}, {RoleARN: arnC}}
	first, err := h.run(t, hops...)
	if err != nil {
		t.Fatal(err)
	}
	// Warm: no STS call while the last session has more than a minute left.
	for _, step := range []time.Duration{0, 30 * time.Minute, 28*time.Minute + 59*time.Second} {
		h.clock.Add(step)
		got, err := h.run(t, hops...)
		if err != nil {
			t.Fatal(err)
		}
		if got.Credentials.AccessKeyID != first.Credentials.AccessKeyID || got.ARN != first.ARN {
			t.Errorf("after %v: got session %s, want the cached %s", step, got.Credentials.AccessKeyID, first.Credentials.AccessKeyID)
		}
	}
	if n := len(h.sts.Calls()); n != 3 {
		t.Fatalf("STS calls = %d, want 3 (warm runs make none)", n)
	}
	// A minute or less left: all three are assumed again, from the base.
	h.clock.Add(2 * time.Second)
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	calls := h.sts.Calls()
	if len(calls) != 6 || calls[3].Signer != baseAKID {
		t.Fatalf("calls after expiry: %v, want 3 more starting from the base", signers(calls))
	}
	// Verbose lines say which hop was reused and which assumed.
	h.mu.Lock()
	logs := strings.Join(h.logs, "\n")
	h.mu.Unlock()
	for _, want := range []string{
		"hop 3/3 (" + arnC + "): reusing cached session, 1h0m0s left",
		"hop 3/3 (" + arnC + "): reusing cached session, 1m1s left",
		"hop 1/3 (" + arnA + "): assumed as arn:aws:sts::111111111111:assumed-role/hop-a/eksxa-alice in 0s, expires 2026-03-01T10:00:00Z",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	// Only the last hop missing: it alone is assumed, signed by hop 2's session.
	h.cache.Delete(2)
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	calls = h.sts.Calls()
	if len(calls) != 7 || calls[6].RoleARN != arnC || calls[6].Signer != h.cache.akid(1) {
		t.Errorf("calls: %v, want one more for %s signed by %s", signers(calls), arnC, h.cache.akid(1))
	}
}

// The MFA hop's 12-hour session outlives the one-hour chained hop after it:
// when the chained session expires only that hop is assumed again, from the
// cached MFA session, and the user is asked for a code once per MFA session.
func TestRunMFASessionOutlivesChainedHop(t *testing.T) {
	h := newHarness(t)
	h.sts.mfa[arnA] = arnMFA
	h.interactive(goodMFACode, goodMFACode)
	hops := []Hop{
		{RoleARN: arnA, MFASerial: arnMFA, Duration: 12 * time.Hour},
		{RoleARN: arnB},
	}
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	mfaSession := h.cache.akid(0)
	calls := h.sts.Calls()
	if len(calls) != 2 || calls[0].SerialNumber != arnMFA || calls[0].TokenCode != goodMFACode || calls[0].Duration != 43200 {
		t.Fatalf("first run calls: %+v", calls)
	}
	if diff := cmp.Diff([]string{"MFA code for " + arnMFA + ": "}, h.prompts); diff != "" {
		t.Fatalf("prompts (-want +got):\n%s", diff)
	}
	// Every hour for the next 11 hours the chained hop expires.
	for hour := 1; hour <= 11; hour++ {
		h.clock.Add(time.Hour)
		got, err := h.run(t, hops...)
		if err != nil {
			t.Fatalf("hour %d: %v", hour, err)
		}
		calls := h.sts.Calls()
		last := calls[len(calls)-1]
		if len(calls) != 2+hour || last.RoleARN != arnB || last.Signer != mfaSession || last.TokenCode != "" {
			t.Fatalf("hour %d: calls %v, want one more: %s signed by the cached MFA session %s", hour, signers(calls), arnB, mfaSession)
		}
		if got.Credentials.AccessKeyID != h.cache.akid(1) {
			t.Errorf("hour %d: result is not the new chained session", hour)
		}
	}
	if len(h.prompts) != 1 {
		t.Fatalf("asked for MFA %d times in 12 hours, want once", len(h.prompts))
	}
	// Past the MFA session's 12 hours the user is asked again.
	h.clock.Add(time.Hour)
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	if len(h.prompts) != 2 {
		t.Errorf("prompts after the MFA session expired = %d, want 2", len(h.prompts))
	}
	calls = h.sts.Calls()
	if c := calls[len(calls)-2]; c.RoleARN != arnA || c.Signer != baseAKID {
		t.Errorf("MFA hop assumed again from %s, want the base", c.Signer)
	}
}

func TestRunMFANonInteractive(t *testing.T) {
	h := newHarness(t)
	h.sts.mfa[arnB] = arnMFA
	hops := []Hop{{RoleARN: arnA}, {RoleARN: arnB, MFASerial: arnMFA}, {RoleARN: arnC}}
	_, err := h.run(t, hops...)
	if !errors.Is(err, ErrMFARequired) {
		t.Fatalf("err = %v, want ErrMFARequired", err)
	}
	var he *HopError
	if !errors.As(err, &he) || he.Index != 2 || he.Total != 3 || he.RoleARN != arnB {
		t.Fatalf("err = %#v, want a HopError for hop 2/3", err)
	}
	want := "hop 2/3 (" + arnB + "): an MFA code is needed and there is no terminal to ask for it (mfa-serial " + arnMFA +
		"); run `kubectl eksxa login` with the same flags to enter it; the session is then cached"
	if err.Error() != want {
		t.Errorf("error:\n got  %s\n want %s", err, want)
	}
	if n := len(h.sts.Calls()); n != 0 {
		t.Errorf("STS calls = %d, want none: fail at once", n)
	}

	// After an interactive login the cached MFA session serves
	// non-interactive runs, including re-assuming the chained hop.
	h.interactive(goodMFACode)
	if _, err := h.run(t, hops...); err != nil {
		t.Fatalf("login: %v", err)
	}
	h.runner.Prompt = nil
	h.clock.Add(61 * time.Minute) // every session (all one hour) has expired
	_, err = h.run(t, hops...)
	if !errors.Is(err, ErrMFARequired) {
		t.Fatalf("with the MFA session expired: err = %v, want ErrMFARequired", err)
	}
}

func TestRunMFANonInteractiveUsesCachedMFASession(t *testing.T) {
	h := newHarness(t)
	h.sts.mfa[arnA] = arnMFA
	hops := []Hop{{RoleARN: arnA, MFASerial: arnMFA, Duration: 8 * time.Hour}, {RoleARN: arnB}}
	h.interactive(goodMFACode)
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	h.runner.Prompt = nil
	h.clock.Add(2 * time.Hour)
	if _, err := h.run(t, hops...); err != nil {
		t.Fatalf("non-interactive run with a cached MFA session: %v", err)
	}
	if calls := h.sts.Calls(); len(calls) != 3 || calls[2].Signer != h.cache.akid(0) {
		t.Errorf("calls %v, want the chained hop re-assumed from the MFA session", signers(calls))
	}
}

func TestRunMFABadCodes(t *testing.T) {
	tests := []struct {
		code      string
		want      string
		wantCalls int
	}{
		{"12ab56", "hop 1/1 (" + arnA + "): the MFA code must be 6 digits", 0},
		{"1234567", "the MFA code must be 6 digits", 0},
		{"000000", "hop 1/1 (" + arnA + "): AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code; check the MFA code and that mfa-serial names your MFA device", 1},
		{" 123456\n", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			h := newHarness(t)
			h.sts.mfa[arnA] = arnMFA
			h.interactive(tt.code)
			_, err := h.run(t, Hop{RoleARN: arnA, MFASerial: arnMFA})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) || (tt.want == "") != (err == nil) {
				t.Errorf("error:\n got  %q\n want %q", got, tt.want)
			}
			if n := len(h.sts.Calls()); n != tt.wantCalls {
				t.Errorf("STS calls = %d, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestRunChainedDurationLimit(t *testing.T) {
	const msg = "exceeds the 1-hour limit STS sets for role chaining; only a hop signed by non-role credentials can get more"
	tests := []struct {
		name    string
		baseARN string
		hops    []Hop
		want    string // "" = allowed
	}{
		{"second hop 2h", "", []Hop{{RoleARN: arnA}, {RoleARN: arnB, Duration: 2 * time.Hour}, {RoleARN: arnC}},
			"hop 2/3 (" + arnB + "): duration 2h " + msg},
		{"third hop 61m", "", []Hop{{RoleARN: arnA}, {RoleARN: arnB}, {RoleARN: arnC, Duration: 61 * time.Minute}},
			"hop 3/3 (" + arnC + "): duration 1h1m " + msg},
		{"first hop from a role session", "arn:aws:sts::000000000000:assumed-role/base/s", []Hop{{RoleARN: arnA, Duration: 12 * time.Hour}},
			"hop 1/1 (" + arnA + "): duration 12h " + msg},
		{"first hop from keys", "arn:aws:iam::000000000000:user/alice", []Hop{{RoleARN: arnA, Duration: 12 * time.Hour}, {RoleARN: arnB, Duration: time.Hour}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			_, err := h.runner.RunFrom(context.Background(), Session{Credentials: baseCreds, ARN: tt.baseARN}, tt.hops)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error:\n got  %v\n want %s", err, tt.want)
			}
			if n := len(h.sts.Calls()); n != 0 {
				t.Errorf("STS calls = %d, want none: the check comes first", n)
			}
		})
	}
}

// When the base identity is unknown and is a role session after all, STS
// refuses; the error says why.
func TestRunChainedDurationFromSTS(t *testing.T) {
	h := newHarness(t)
	if _, err := h.run(t, Hop{RoleARN: arnA}); err != nil {
		t.Fatal(err)
	}
	roleSession := h.cache.m[0]
	h.runner.Cache = nil
	_, err := h.runner.Run(context.Background(), roleSession.Credentials, []Hop{{RoleARN: arnB, Duration: 2 * time.Hour}})
	var he *HopError
	if !errors.As(err, &he) || he.Code != "ValidationError" || !strings.Contains(he.Hint, "1-hour role-chaining limit") {
		t.Fatalf("err = %v, want a ValidationError HopError with the role-chaining hint", err)
	}
}

func TestRunAccessDenied(t *testing.T) {
	h := newHarness(t)
	h.sts.deny[arnB] = true
	_, err := h.run(t, Hop{RoleARN: arnA, SessionName: "me"}, Hop{RoleARN: arnB}, Hop{RoleARN: arnC})
	signer := "arn:aws:sts::111111111111:assumed-role/hop-a/me"
	want := "hop 2/3 (" + arnB + "): AccessDenied: User: " + signer + " is not authorized to perform: sts:AssumeRole on resource: " + arnB +
		"; check that the trust policy of " + arnB + " allows sts:AssumeRole for " + signer + " and whether it requires external-id="
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n got  %v\n want %s", err, want)
	}
	var he *HopError
	if !errors.As(err, &he) || he.Index != 2 || he.Total != 3 || he.Code != "AccessDenied" {
		t.Errorf("HopError = %+v", he)
	}
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDenied" {
		t.Errorf("the SDK's API error is not reachable with errors.As: %v", err)
	}
	// Hop 1 succeeded and stays cached; hop 2 is not retried (its signer
	// was fresh, not cached).
	if n := len(h.sts.Calls()); n != 2 {
		t.Errorf("STS calls = %d, want 2", n)
	}
}

func TestRunBaseRefused(t *testing.T) {
	h := newHarness(t)
	h.sts.revoke(baseAKID, "InvalidClientTokenId")
	_, err := h.run(t, Hop{RoleARN: arnA}, Hop{RoleARN: arnB})
	want := "hop 1/2 (" + arnA + "): InvalidClientTokenId: The security token included in the request is invalid; the base credentials are expired or invalid; refresh them"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error:\n got  %v\n want %s...", err, want)
	}
	if n := len(h.sts.Calls()); n != 1 {
		t.Errorf("STS calls = %d, want 1 (no retry for the base)", n)
	}
}

func TestRunRevokedCachedSession(t *testing.T) {
	for _, code := range []string{"ExpiredToken", "InvalidClientTokenId", "UnrecognizedClientException"} {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t)
			hops := []Hop{{RoleARN: arnA, Duration: 4 * time.Hour}, {RoleARN: arnB}, {RoleARN: arnC}}
			if _, err := h.run(t, hops...); err != nil {
				t.Fatal(err)
			}
			// Hours later hops 2 and 3 expired; hop 1's session is valid
			// by the clock but has been revoked.
			h.clock.Add(90 * time.Minute)
			revoked := h.cache.akid(0)
			h.sts.revoke(revoked, code)

			got, err := h.run(t, hops...)
			if err != nil {
				t.Fatalf("Run: %v, want the chain redone without failing", err)
			}
			calls := h.sts.Calls()[3:]
			want := []string{
				arnB + " <- " + revoked, // refused
				arnA + " <- " + baseAKID,
				arnB + " <- " + h.cache.akid(0),
				arnC + " <- " + h.cache.akid(1),
			}
			if diff := cmp.Diff(want, signers(calls)); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if h.cache.akid(0) == revoked || h.cache.drops != 1 {
				t.Errorf("revoked session still cached (drops %d)", h.cache.drops)
			}
			if got.Credentials.AccessKeyID != h.cache.akid(2) {
				t.Errorf("result is not the new last session")
			}
		})
	}
}

// TestRunDenialKeepsCachedSession: a later hop's AccessDenied (its trust
// policy, a wrong external ID) or a skewed clock's SignatureDoesNotMatch is
// not a refused signer: the earlier hop's cached session (an MFA hop's 12
// hours) stays, the denial is reported, and nothing is assumed again.
func TestRunDenialKeepsCachedSession(t *testing.T) {
	for _, code := range []string{"AccessDenied", "SignatureDoesNotMatch"} {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t)
			hops := []Hop{{RoleARN: arnA, Duration: 4 * time.Hour}, {RoleARN: arnB}}
			if _, err := h.run(t, hops...); err != nil {
				t.Fatal(err)
			}
			h.clock.Add(90 * time.Minute) // hop 2's session expired, hop 1's lives
			kept := h.cache.akid(0)
			if code == "AccessDenied" {
				h.sts.deny[arnB] = true
			} else {
				h.sts.revoke(kept, code)
			}
			_, err := h.run(t, hops...)
			var he *HopError
			if !errors.As(err, &he) || he.Index != 2 || he.Code != code {
				t.Fatalf("err = %v, want hop 2's %s", err, code)
			}
			if diff := cmp.Diff([]string{arnB + " <- " + kept}, signers(h.sts.Calls()[2:])); diff != "" {
				t.Errorf("calls after the denial (-want +got):\n%s", diff)
			}
			if h.cache.akid(0) != kept || h.cache.drops != 0 {
				t.Errorf("hop 1's session dropped for hop 2's %s (drops %d)", code, h.cache.drops)
			}
		})
	}
}

func TestRunRevokedRetriesOnce(t *testing.T) {
	h := newHarness(t)
	hops := []Hop{{RoleARN: arnA, Duration: 4 * time.Hour}, {RoleARN: arnB}}
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	h.clock.Add(90 * time.Minute)
	h.sts.revoke(h.cache.akid(0), "ExpiredToken")
	h.sts.deny[arnB] = true // the redo fails for real
	_, err := h.run(t, hops...)
	var he *HopError
	if !errors.As(err, &he) || he.Index != 2 || he.Code != "AccessDenied" {
		t.Fatalf("err = %v, want hop 2's AccessDenied after one redo", err)
	}
	if n := len(h.sts.Calls()); n != 2+3 {
		t.Errorf("STS calls = %d, want 5 (refused, redo hop 1, hop 2 denied)", n)
	}
}

// putOnlyCache has no Delete: a refused session is overwritten with an empty one.
type putOnlyCache struct{ m *memCache }

func (c putOnlyCache) Get(i int) (Session, bool) { return c.m.Get(i) }
func (c putOnlyCache) Put(i int, s Session)      { c.m.Put(i, s) }

func TestRunRevokedWithoutDelete(t *testing.T) {
	h := newHarness(t)
	h.runner.Cache = putOnlyCache{h.cache}
	hops := []Hop{{RoleARN: arnA, Duration: 4 * time.Hour}, {RoleARN: arnB}}
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	h.clock.Add(90 * time.Minute)
	revoked := h.cache.akid(0)
	h.sts.revoke(revoked, "ExpiredToken")
	if _, err := h.run(t, hops...); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := h.cache.akid(0); got == revoked || got == "" {
		t.Errorf("hop 1 cached %q after the redo, want a new session", got)
	}
	if n := len(h.sts.Calls()); n != 2+3 {
		t.Errorf("STS calls = %d, want 5", n)
	}
}

// A small interface fake: STS answering without credentials is an error,
// not a panic.
type emptySTS struct{}

func (emptySTS) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return &sts.AssumeRoleOutput{}, nil
}

func TestRunEmptyAnswer(t *testing.T) {
	r := &Runner{NewClient: func(aws.Credentials) AssumeRoleAPI { return emptySTS{} }, Now: newClock().Now}
	_, err := r.Run(context.Background(), baseCreds, []Hop{{RoleARN: arnA}})
	if err == nil || err.Error() != "hop 1/1 ("+arnA+"): STS answered without credentials" {
		t.Errorf("err = %v", err)
	}
}

func TestRunNeedsClientAndClock(t *testing.T) {
	if _, err := (&Runner{}).Run(context.Background(), baseCreds, []Hop{{RoleARN: arnA}}); err == nil {
		t.Error("Run with no NewClient/Now did not fail")
	}
}

func TestSessionStringHidesSecrets(t *testing.T) {
	s := Session{ARN: "arn:aws:sts::1:assumed-role/r/s", Credentials: aws.Credentials{AccessKeyID: "ASIA", SecretAccessKey: secretMarker, SessionToken: tokenMarker, CanExpire: true}}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		assertNoSecret(t, "fmt "+f, fmt.Sprintf(f, s))
	}
}

// TestRunRevokedCascade: every cached session of a chain is revoked and the
// last hop's has expired. Each refused session is dropped and its hop
// assumed again exactly once, from the end of the chain back to the base.
func TestRunRevokedCascade(t *testing.T) {
	h := newHarness(t)
	hops := []Hop{{RoleARN: arnA, Duration: 4 * time.Hour}, {RoleARN: arnB, Duration: time.Hour}, {RoleARN: arnC}}
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	// Hop 3's session is gone, as the broker drops a final session STS
	// refuses; hops 1 and 2 are still cached, and revoked.
	h.cache.Delete(2)
	old0, old1 := h.cache.akid(0), h.cache.akid(1)
	h.sts.revoke(old0, "InvalidClientTokenId")
	h.sts.revoke(old1, "InvalidClientTokenId")
	if _, err := h.run(t, hops...); err != nil {
		t.Fatalf("Run: %v, want each hop assumed again", err)
	}
	want := []string{
		arnC + " <- " + old1, // refused: drop hop 2
		arnB + " <- " + old0, // refused: drop hop 1
		arnA + " <- " + baseAKID,
		arnB + " <- " + h.cache.akid(0),
		arnC + " <- " + h.cache.akid(1),
	}
	if diff := cmp.Diff(want, signers(h.sts.Calls()[3:])); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if h.cache.drops != 3 { // hop 3 by the test, then hops 2 and 1
		t.Errorf("drops = %d, want 3", h.cache.drops)
	}
}
