package chain

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// RunLazy asks for the base only when a hop is assumed from it.
func TestRunLazyBase(t *testing.T) {
	h := newHarness(t)
	hops := []Hop{{RoleARN: arnA}, {RoleARN: arnB}}
	asked := 0
	base := func(context.Context) (aws.Credentials, error) { asked++; return baseCreds, nil }
	if _, err := h.runner.RunLazy(context.Background(), base, hops); err != nil || asked != 1 {
		t.Fatalf("cold run: err %v, base asked %d times, want 1", err, asked)
	}
	if _, err := h.runner.RunLazy(context.Background(), base, hops); err != nil || asked != 1 {
		t.Errorf("warm run: err %v, base asked %d times, want still 1", err, asked)
	}
	h.cache.Delete(1) // hop 2 again, signed by hop 1's cached session
	if _, err := h.runner.RunLazy(context.Background(), base, hops); err != nil || asked != 1 {
		t.Errorf("hop 2 only: err %v, base asked %d times, want still 1", err, asked)
	}
	h.cache.Delete(0)
	h.cache.Delete(1)
	failing := func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("sign-in expired")
	}
	if _, err := h.runner.RunLazy(context.Background(), failing, hops); err == nil || err.Error() != "sign-in expired" {
		t.Errorf("base error: %v", err)
	}
}
