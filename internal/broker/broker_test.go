package broker

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

// fakeSTS answers AssumeRole with numbered sessions and counts calls.
type fakeSTS struct {
	calls map[string]int
	now   func() time.Time
}

func (f *fakeSTS) client(aws.Credentials) chain.AssumeRoleAPI { return f }

func (f *fakeSTS) AssumeRole(_ context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	role := aws.ToString(in.RoleArn)
	f.calls[role]++
	name := role[strings.LastIndex(role, "/")+1:]
	return &sts.AssumeRoleOutput{
		Credentials: &ststypes.Credentials{
			AccessKeyId: aws.String(fmt.Sprintf("ASIA%s%d", name, f.calls[role])), SecretAccessKey: aws.String("secret-" + name),
			SessionToken: aws.String("token-" + name), Expiration: aws.Time(f.now().Add(time.Hour)),
		},
		AssumedRoleUser: &ststypes.AssumedRoleUser{Arn: aws.String("arn:aws:sts::222222222222:assumed-role/" + name + "/s")},
	}, nil
}

type harness struct {
	b        *Broker
	kr       *cache.MemKeyring
	sts      *fakeSTS
	now      time.Time
	resolved int
}

const role = "arn:aws:iam::222222222222:role/admin"

func newHarness(t *testing.T) *harness {
	h := &harness{kr: cache.NewMemKeyring(), now: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)}
	h.sts = &fakeSTS{calls: map[string]int{}, now: func() time.Time { return h.now }}
	dir := filepath.Join(t.TempDir(), "cache")
	h.b = &Broker{
		Store:   cache.NewKeyringStore(h.kr, cache.DefaultKeyringOptions()),
		Index:   cache.NewIndex(dir),
		LockDir: dir,
		Now:     func() time.Time { return h.now },
		Resolve: func(context.Context, Request) (Resolved, error) {
			h.resolved++
			hop, _ := chain.ParseHop(role)
			return Resolved{
				Region: "eu-west-1",
				Base: func(context.Context) (aws.Credentials, error) {
					return aws.Credentials{AccessKeyID: "AKIAX", SecretAccessKey: "base-secret"}, nil
				},
				Hops:      []chain.Hop{hop},
				NewClient: h.sts.client,
			}, nil
		},
	}
	return h
}

var req = Request{Cluster: "prod", Region: "eu-west-1"}

func TestTokenCachedUntilAMinuteBeforeExpiry(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	first, err := h.b.Token(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Expiration.Equal(h.now.Add(14 * time.Minute)) {
		t.Errorf("expiry %v", first.Expiration)
	}
	h.now = h.now.Add(12 * time.Minute) // two minutes left: a hit
	second, err := h.b.Token(ctx, req)
	if err != nil || second != first || h.resolved != 1 {
		t.Errorf("12m later: same token %v, resolved %d times (want 1), err %v", second == first, h.resolved, err)
	}
	h.now = h.now.Add(90 * time.Second) // 30s left: a miss, but the hop session is reused
	third, err := h.b.Token(ctx, req)
	if err != nil || third == first || h.resolved != 2 {
		t.Errorf("13.5m later: new token %v, resolved %d times (want 2), err %v", third != first, h.resolved, err)
	}
	if h.sts.calls[role] != 1 {
		t.Errorf("AssumeRole %d times, want 1: the hour-long session is cached", h.sts.calls[role])
	}
	rows, _ := h.b.Index.List()
	if len(rows) != 2 {
		t.Errorf("index has %d rows, want token + session", len(rows))
	}
}

func TestCorruptEntryIsAMiss(t *testing.T) {
	h := newHarness(t)
	h.kr.Put(cache.Service, req.TokenKey(), "{not an entry")
	tok, err := h.b.Token(context.Background(), req)
	if err != nil || tok.Value == "" || h.resolved != 1 {
		t.Fatalf("corrupt entry: token %q err %v resolved %d", tok.Value, err, h.resolved)
	}
	if v, _ := h.kr.Lookup(cache.Service, req.TokenKey()); !strings.Contains(v, tok.Value) {
		t.Error("the corrupt entry was not replaced")
	}
}

func TestUnwritableCacheCostsSpeedNotTheCall(t *testing.T) {
	h := newHarness(t)
	h.kr.FailWith(errors.New("keyring is locked"))
	var logged []string
	h.b.Log = func(f string, a ...any) { logged = append(logged, f) }
	for i := 0; i < 2; i++ {
		if tok, err := h.b.Token(context.Background(), req); err != nil || tok.Value == "" {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if h.sts.calls[role] != 2 {
		t.Errorf("AssumeRole %d times, want 2 (nothing could be cached)", h.sts.calls[role])
	}
	if !strings.Contains(strings.Join(logged, "\n"), "not saved") {
		t.Errorf("the failed write was not logged: %q", logged)
	}
}

func TestKeysSelectTheChain(t *testing.T) {
	hop := func(s string) chain.Hop { h, _ := chain.ParseHop(s); return h }
	base := Request{Cluster: "prod", Region: "eu-west-1", Hops: []chain.Hop{hop(role)}}
	variants := []Request{
		{Cluster: "prod2", Region: "eu-west-1", Hops: base.Hops},
		{Cluster: "prod", Region: "eu-west-2", Hops: base.Hops},
		{Cluster: "prod", Region: "eu-west-1", Profile: "p", Hops: base.Hops},
		{Cluster: "prod", Region: "eu-west-1", EnvAccessKeyID: "AKIAOTHER", Hops: base.Hops},
		{Cluster: "prod", Region: "eu-west-1", Hops: []chain.Hop{hop(role + ",external-id=x")}},
		{Cluster: "prod", Region: "eu-west-1", Hops: []chain.Hop{hop(role), hop(role)}},
		{Cluster: "prod", Region: "eu-west-1", SessionName: "bob", Hops: base.Hops},
	}
	for i, v := range variants {
		if v.TokenKey() == base.TokenKey() {
			t.Errorf("variant %d has the same token key as the base request", i)
		}
	}
	if base.TokenKey() != (Request{Cluster: "prod", Region: "eu-west-1", Hops: []chain.Hop{hop(role)}}).TokenKey() {
		t.Error("the same request gave two keys")
	}
}

// TestWarmAutoCallReadsOneKeyringItem: a warm call in auto mode asks the
// keyring one thing, the token, with no probe before it (each keyring
// request is several D-Bus round trips on kubectl's hot path).
func TestWarmAutoCallReadsOneKeyringItem(t *testing.T) {
	h := newHarness(t)
	if _, err := h.b.Token(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	// A new process: a fresh auto store over the same keyring, with -v on
	// (its log lines name the store).
	store, err := cache.Select(cache.ModeAuto, h.kr, filepath.Join(t.TempDir(), "cache"), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.b.Store = store
	h.b.Log = func(string, ...any) {}
	before := h.kr.Calls()
	if _, err := h.b.Token(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := h.kr.Calls() - before; got != 1 {
		t.Errorf("a warm auto-mode call made %d keyring calls, want 1", got)
	}
}

// TestColdCallSweepsExpiredEntries: entries that expired are deleted from
// the store and the index on the next cold call, so nothing piles up.
func TestColdCallSweepsExpiredEntries(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.b.Token(ctx, req); err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(30 * time.Minute) // the token and the hop session are dead
	other := req
	other.Cluster = "staging"
	if _, err := h.b.Token(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.kr.Lookup(cache.Service, req.TokenKey()); ok {
		t.Error("prod's expired token is still in the keyring")
	}
	rows, _ := h.b.Index.List()
	for _, r := range rows {
		if !r.Expires.After(h.now) {
			t.Errorf("expired row left in the index: %+v", r)
		}
		if r.Cluster == "prod" {
			t.Errorf("prod's token row was not swept")
		}
	}
	if len(rows) != 2 {
		t.Errorf("index has %d rows, want staging's token and the renewed session", len(rows))
	}
}

// TestTokenDoesNotWaitForAPrompt: a call that cannot prompt, whose chain
// needs an MFA code (the MFA hop's session is not cached), fails at once
// with chain.ErrMFARequired even while another process holds the key's
// lock (a `login` sitting at that prompt), instead of waiting for it. Once
// the MFA session is cached, the same call runs the rest of the chain.
func TestTokenDoesNotWaitForAPrompt(t *testing.T) {
	h := newHarness(t)
	const mfa = "arn:aws:iam::111111111111:mfa/alice"
	mfaHop, _ := chain.ParseHop("arn:aws:iam::222222222222:role/mfa-admin,mfa-serial=" + mfa + ",duration=12h")
	next, _ := chain.ParseHop(role)
	resolve := h.b.Resolve
	h.b.Resolve = func(ctx context.Context, r Request) (Resolved, error) {
		res, err := resolve(ctx, r)
		res.Hops = []chain.Hop{mfaHop, next}
		return res, err
	}
	h.b.LockWait = time.Hour
	ctx := context.Background()
	unlock, err := cache.Lock(ctx, h.b.LockDir, req.TokenKey(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := h.b.Token(ctx, req); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, chain.ErrMFARequired) || !strings.Contains(err.Error(), "hop 1/2") {
			t.Errorf("err = %v, want hop 1/2's ErrMFARequired", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Token waited on the lock held by another process instead of failing for want of a prompt")
	}
	unlock()
	if n := len(h.sts.calls); n != 0 {
		t.Errorf("STS called %d times", n)
	}

	// login (interactive) caches the MFA hop's 12 h session ...
	login := *h.b
	login.Prompt = func(string) (string, error) { return "123456", nil }
	if _, err := login.Login(ctx, req); err != nil {
		t.Fatal(err)
	}
	// ... and after the token has expired a non-interactive call reuses it
	// (the fake STS issues one-hour sessions).
	h.now = h.now.Add(30 * time.Minute)
	if _, err := h.b.Token(ctx, req); err != nil {
		t.Fatalf("Token with the MFA session cached: %v", err)
	}
	if got := h.sts.calls["arn:aws:iam::222222222222:role/mfa-admin"]; got != 1 {
		t.Errorf("MFA hop assumed %d times, want 1", got)
	}
}
