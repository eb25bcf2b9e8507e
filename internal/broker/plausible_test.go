package broker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

// TestImplausibleCachedTokenIsAMiss: a token entry this plugin could not
// have written (no k8s-aws-v1. prefix, or an expiry further ahead than a
// token signed now would have) is a miss, and a new token replaces it.
func TestImplausibleCachedTokenIsAMiss(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		expires time.Duration // from now
		hit     bool
	}{
		{"plausible", "k8s-aws-v1.aHR0cHM6Ly9zdHM", 10 * time.Minute, true},
		{"right at 15m", "k8s-aws-v1.aHR0cHM6Ly9zdHM", 15 * time.Minute, true},
		{"not an EKS token", "garbage", 10 * time.Minute, false},
		{"other prefix", "k8s-aws-v2.aHR0cHM6Ly9zdHM", 10 * time.Minute, false},
		{"16 minutes ahead", "k8s-aws-v1.aHR0cHM6Ly9zdHM", 16 * time.Minute, false},
		{"year 2099", "k8s-aws-v1.garbage", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			exp := h.now.Add(tt.expires)
			if tt.expires == 0 {
				exp = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			v, err := cache.EncodeToken(cache.Token{Token: tt.value, Expires: exp})
			if err != nil {
				t.Fatal(err)
			}
			h.kr.Put(cache.Service, req.TokenKey(), v)
			var logged []string
			h.b.Log = func(f string, a ...any) { logged = append(logged, f) }
			tok, err := h.b.Token(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Value == tt.value; got != tt.hit {
				t.Errorf("served the cached entry: %v, want %v (log %q)", got, tt.hit, logged)
			}
			if tt.hit {
				return
			}
			if h.resolved != 1 || !strings.HasPrefix(tok.Value, "k8s-aws-v1.") || !tok.Expiration.Equal(h.now.Add(14*time.Minute)) {
				t.Errorf("new token: resolved %d, expires %v", h.resolved, tok.Expiration)
			}
			stored, _ := h.kr.Lookup(cache.Service, req.TokenKey())
			if c, err := cache.DecodeToken(stored); err != nil || c.Token != tok.Value {
				t.Errorf("the implausible entry was not replaced (%v)", err)
			}
		})
	}
}

// TestImplausibleCachedSessionIsAMiss: a hop session whose expiry lies
// further ahead than STS's longest role session (12 h) is a miss: the hop
// is assumed again and its entry replaced.
func TestImplausibleCachedSessionIsAMiss(t *testing.T) {
	for _, tt := range []struct {
		name    string
		expires time.Duration
		reused  bool
	}{
		{"11h ahead", 11 * time.Hour, true},
		{"12h10m ahead (clock behind STS)", 12*time.Hour + 10*time.Minute, true},
		{"13h ahead", 13 * time.Hour, false},
		{"36h ahead", 36 * time.Hour, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			hop, _ := chain.ParseHop(role)
			key := req.sessionKey([]chain.Hop{hop}, 0)
			v, err := cache.EncodeSession(cache.Session{AccessKeyID: "ASIAFORGED", SecretAccessKey: "s", SessionToken: "t",
				Expires: h.now.Add(tt.expires), ARN: "arn:aws:sts::222222222222:assumed-role/admin/forged"})
			if err != nil {
				t.Fatal(err)
			}
			h.kr.Put(cache.Service, key, v)
			if _, err := h.b.Token(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			want := 1
			if tt.reused {
				want = 0
			}
			if got := h.sts.calls[role]; got != want {
				t.Errorf("AssumeRole called %d times, want %d", got, want)
			}
			stored, _ := h.kr.Lookup(cache.Service, key)
			s, err := cache.DecodeSession(stored)
			if err != nil {
				t.Fatal(err)
			}
			if replaced := s.AccessKeyID != "ASIAFORGED"; replaced == tt.reused {
				t.Errorf("entry replaced: %v, want %v", replaced, !tt.reused)
			}
		})
	}
}
