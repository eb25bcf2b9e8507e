package broker

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// stsAnswers makes h's resolved chain answer GetCallerIdentity: refused for
// the access key IDs in revoked, else the key ID's session. It returns
// how many times STS was asked.
func stsAnswers(h *harness, revoked map[string]bool) *int {
	asked := new(int)
	resolve := h.b.Resolve
	h.b.Resolve = func(ctx context.Context, r Request) (Resolved, error) {
		res, err := resolve(ctx, r)
		res.CallerIdentity = func(_ context.Context, c aws.Credentials) (string, error) {
			*asked++
			if revoked[c.AccessKeyID] {
				return "", &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
			}
			return "arn:aws:sts::222222222222:assumed-role/admin/" + c.AccessKeyID, nil
		}
		return res, err
	}
	return asked
}

func TestCachedFinalSessionChecked(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		check       bool
		revoke      bool
		wantAsked   int
		wantAssumed int // AssumeRole calls after the first token
	}{
		{"accepted: one question, nothing assumed", true, false, 1, 0},
		{"refused: dropped and assumed again once", true, true, 1, 1},
		{"check off: signed unchecked", false, true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.b.CheckCachedFinal = tt.check
			revoked := map[string]bool{}
			asked := stsAnswers(h, revoked)
			if _, err := h.b.Token(ctx, req); err != nil {
				t.Fatal(err)
			}
			if *asked != 0 {
				t.Errorf("a freshly assumed session was checked (%d questions)", *asked)
			}
			if tt.revoke {
				revoked["ASIAadmin1"] = true
			}
			var logs []string
			h.b.Log = func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }
			other := req
			other.Cluster = "staging"
			if _, err := h.b.Token(ctx, other); err != nil {
				t.Fatal(err)
			}
			if *asked != tt.wantAsked {
				t.Errorf("STS asked %d times, want %d", *asked, tt.wantAsked)
			}
			if got := h.sts.calls[role] - 1; got != tt.wantAssumed {
				t.Errorf("assumed %d more times, want %d", got, tt.wantAssumed)
			}
			if tt.check && tt.revoke && !strings.Contains(strings.Join(logs, "\n"), "STS refused the cached session (InvalidClientTokenId") {
				t.Errorf("-v lines do not tell of the refusal: %q", logs)
			}
			// A warm call asks nothing.
			before := *asked
			h.now = h.now.Add(time.Minute)
			if _, err := h.b.Token(ctx, other); err != nil {
				t.Fatal(err)
			}
			if *asked != before {
				t.Error("a warm call asked STS")
			}
		})
	}
}

func TestLoginRecoversARevokedFinalSession(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	revoked := map[string]bool{}
	asked := stsAnswers(h, revoked)
	if _, err := h.b.Login(ctx, req); err != nil {
		t.Fatal(err)
	}
	revoked["ASIAadmin1"] = true
	res, err := h.b.Login(ctx, req)
	if err != nil {
		t.Fatalf("login after revocation: %v", err)
	}
	if len(res.Dropped) != 1 || res.Dropped[0] != 0 {
		t.Errorf("Dropped = %v, want [0]", res.Dropped)
	}
	if h.sts.calls[role] != 2 || res.Identity != "arn:aws:sts::222222222222:assumed-role/admin/ASIAadmin2" {
		t.Errorf("assumed %d times, identity %q; want 2 and the new session", h.sts.calls[role], res.Identity)
	}
	// login 1: asks about the fresh session; login 2: the check, then the
	// fresh session.
	if *asked != 3 {
		t.Errorf("STS asked %d times, want 3", *asked)
	}

	// The new session refused at once: a message in the user's terms.
	revoked["ASIAadmin2"], revoked["ASIAadmin3"] = true, true
	_, err = h.b.Login(ctx, req)
	if err == nil || !strings.Contains(err.Error(), "hop 1/1 ("+role+"): STS refuses the session it has just issued") ||
		strings.Contains(err.Error(), "security token included") {
		t.Errorf("err = %v", err)
	}
}
