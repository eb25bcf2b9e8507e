package chain

import (
	"testing"
	"time"
)

// A final session handed to another tool must outlast that tool's refresh
// window: with FinalMinValidity the last hop is assumed again (signed by the
// still-valid earlier hop) once less than that is left, while earlier hops
// keep their one-minute rule.
func TestRunFinalMinValidity(t *testing.T) {
	h := newHarness(t)
	h.runner.FinalMinValidity = 20 * time.Minute
	hops := []Hop{{RoleARN: arnA}, {RoleARN: arnB}}
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	h.clock.Add(39 * time.Minute) // 21 minutes left: reused
	if _, err := h.run(t, hops...); err != nil {
		t.Fatal(err)
	}
	if n := len(h.sts.Calls()); n != 2 {
		t.Fatalf("STS calls = %d, want 2 (21 minutes left is enough)", n)
	}
	h.clock.Add(2 * time.Minute) // 19 minutes left: only the last hop again
	got, err := h.run(t, hops...)
	if err != nil {
		t.Fatal(err)
	}
	calls := h.sts.Calls()
	if len(calls) != 3 || calls[2].RoleARN != arnB || calls[2].Signer != h.cache.akid(0) {
		t.Fatalf("calls %v, want one more: %s signed by hop 1's cached session", signers(calls), arnB)
	}
	if left := got.Credentials.Expires.Sub(h.clock.Now()); left < 20*time.Minute {
		t.Errorf("final session has %s left, want at least 20m", left)
	}
}
