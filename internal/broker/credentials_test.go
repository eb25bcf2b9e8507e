package broker

import (
	"context"
	"testing"
	"time"
)

func TestCredentialsShareSessionsWithToken(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.b.Token(ctx, req); err != nil {
		t.Fatal(err)
	}
	// The chain alone selects the session: no cluster, the token's hop session.
	chainOnly := Request{Region: req.Region}
	res, err := h.b.Credentials(ctx, chainOnly, MinCredentialLife)
	if err != nil {
		t.Fatal(err)
	}
	if h.sts.calls[role] != 1 {
		t.Errorf("AssumeRole %d times, want 1: credentials reuse the token's cached session", h.sts.calls[role])
	}
	if res.Final.Credentials.AccessKeyID != "ASIAadmin1" || res.Final.ARN == "" {
		t.Errorf("final session %s", res.Final)
	}
	if res.Region != "eu-west-1" {
		t.Errorf("region %q", res.Region)
	}
}

func TestCredentialsNeverShortLived(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	r := Request{}
	first, err := h.b.Credentials(ctx, r, MinCredentialLife)
	if err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(39 * time.Minute) // 21 minutes left: cached
	second, err := h.b.Credentials(ctx, r, MinCredentialLife)
	if err != nil || second.Final.Credentials.Expires != first.Final.Credentials.Expires || h.sts.calls[role] != 1 {
		t.Fatalf("39m later: err %v, AssumeRole %d times (want 1)", err, h.sts.calls[role])
	}
	// 19 minutes left: enough for a token (one minute), not for another
	// tool's refresh window.
	h.now = h.now.Add(2 * time.Minute)
	if _, err := h.b.Token(ctx, req); err != nil || h.sts.calls[role] != 1 {
		t.Fatalf("token at 19m left: err %v, AssumeRole %d times (want 1)", err, h.sts.calls[role])
	}
	third, err := h.b.Credentials(ctx, r, MinCredentialLife)
	if err != nil {
		t.Fatal(err)
	}
	if h.sts.calls[role] != 2 {
		t.Errorf("AssumeRole %d times, want 2: 19 minutes is too little to hand out", h.sts.calls[role])
	}
	if left := third.Final.Credentials.Expires.Sub(h.now); left < MinCredentialLife {
		t.Errorf("handed out a session with %s left", left)
	}
}

func TestLoginWithoutClusterCachesSessionsOnly(t *testing.T) {
	h := newHarness(t)
	res, err := h.b.Login(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Token.Value != "" || len(res.Hops) != 1 || res.Hops[0].ARN == "" {
		t.Errorf("login without a cluster: token %v, hops %+v", res.Token.Value != "", res.Hops)
	}
	rows, _ := h.b.Index.List()
	if len(rows) != 1 || rows[0].Kind != "session" {
		t.Errorf("index rows %+v, want the one session", rows)
	}
	if _, err := h.b.Credentials(context.Background(), Request{}, MinCredentialLife); err != nil || h.sts.calls[role] != 1 {
		t.Errorf("credentials after login: err %v, AssumeRole %d times (want 1)", err, h.sts.calls[role])
	}
}
