package broker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// MinTokenLife is the least a cached token must still live to be handed out.
const MinTokenLife = time.Minute

// DefaultLockWait bounds how long a call waits for another process that is
// running the same chain. Past it, the call runs the chain itself: slower
// for the fleet, never a failed kubectl call.
const DefaultLockWait = 30 * time.Second

// Resolved is what the cold path learns from AWS configuration.
type Resolved struct {
	// Region is the cluster's region: the request's, else the profile's,
	// else the default.
	Region string
	// Base returns the base credentials that sign the first hop.
	Base func(ctx context.Context) (aws.Credentials, error)
	// Hops is the whole chain: the profile's hops, then the request's.
	Hops []chain.Hop
	// NewClient makes an STS client signing with the given credentials.
	NewClient func(aws.Credentials) chain.AssumeRoleAPI
	// DefaultSessionName names sessions of hops that set none.
	DefaultSessionName string
	// CallerIdentity asks STS who creds belong to (GetCallerIdentity).
	CallerIdentity func(ctx context.Context, creds aws.Credentials) (arn string, err error)
	// AWS is the SDK configuration the chain's calls use (region,
	// endpoints, retries), for the caller's own EKS calls.
	AWS aws.Config
}

// Broker serves tokens and sessions for requests.
type Broker struct {
	Store cache.Store
	// Index records what is cached, without secrets, for status and
	// logout; nil when nothing is cached.
	Index *cache.Index
	// LockDir holds the per-key lock files; "" runs without locks.
	LockDir  string
	LockWait time.Duration
	Now      func() time.Time
	// Log gets verbose lines (never a secret); nil for none.
	Log func(format string, args ...any)
	// Prompt asks for an MFA code; nil when the call is not interactive.
	Prompt func(prompt string) (string, error)
	// Resolve reads AWS configuration for a request; only a cache miss
	// calls it.
	Resolve func(ctx context.Context, r Request) (Resolved, error)
}

// Token returns a token for r: the cached one when it has MinTokenLife
// left, else a new one signed by the chain's final session.
func (b *Broker) Token(ctx context.Context, r Request) (token.Token, error) {
	key := r.TokenKey()
	if tok, ok := b.cachedToken(key, b.Log); ok {
		return tok, nil
	}
	unlock := b.lock(ctx, key)
	defer unlock()
	// Another process may have made it while this one waited.
	if tok, ok := b.cachedToken(key, nil); ok {
		b.logf("token cache (%s): filled by another process, expires %s", b.Store.Name(), tok.Expiration.Format(time.RFC3339))
		return tok, nil
	}
	tok, _, err := b.mint(ctx, r, key)
	return tok, err
}

// Result is one run of the chain, for login to report.
type Result struct {
	Region string
	Hops   []HopResult
	Final  chain.Session
	Token  token.Token
	// Identity is who STS says the final session is (login asks).
	Identity string
	// Resolved is what the chain was resolved to.
	Resolved Resolved
}

// HopResult is one hop's session and whether it came from the cache.
type HopResult struct {
	Hop     chain.Hop
	ARN     string
	Expires time.Time
	Cached  bool
}

// Login runs the chain now, reusing hop sessions that are still valid and
// assuming the rest, and caches a fresh token.
func (b *Broker) Login(ctx context.Context, r Request) (Result, error) {
	key := r.TokenKey()
	unlock := b.lock(ctx, key)
	defer unlock()
	_, res, err := b.mint(ctx, r, key)
	if err != nil {
		return res, err
	}
	if res.Resolved.CallerIdentity != nil {
		if res.Identity, err = res.Resolved.CallerIdentity(ctx, res.Final.Credentials); err != nil {
			return res, fmt.Errorf("asking STS who the final session is: %w", err)
		}
	}
	return res, nil
}

// Logout forgets r's token and every hop session of its chain, and returns
// how many cached entries it removed.
func (b *Broker) Logout(ctx context.Context, r Request) (int, error) {
	if b.Store == nil {
		return 0, nil
	}
	res, err := b.Resolve(ctx, r)
	if err != nil {
		return 0, err
	}
	keys := []string{r.TokenKey()}
	for i := range res.Hops {
		keys = append(keys, r.sessionKey(res.Hops, i))
	}
	n := 0
	for _, k := range keys {
		if _, err := b.Store.Get(k); err == nil {
			n++
		}
		if err := b.Store.Delete(k); err != nil && !errors.Is(err, cache.ErrNotFound) {
			return n, fmt.Errorf("forgetting a cached entry (%s): %w", b.Store.Name(), err)
		}
	}
	if b.Index != nil {
		if err := b.Index.Remove(ctx, keys...); err != nil {
			return n, fmt.Errorf("updating the cache index: %w", err)
		}
	}
	return n, nil
}

// Chain runs the chain for r, reusing and caching hop sessions, and
// returns its final session without making a token (kubeconfig and doctor
// call EKS with it).
func (b *Broker) Chain(ctx context.Context, r Request) (Result, error) {
	return b.run(ctx, r)
}

// run resolves r and runs its chain.
func (b *Broker) run(ctx context.Context, r Request) (Result, error) {
	res, err := b.Resolve(ctx, r)
	if err != nil {
		return Result{}, err
	}
	base, err := res.Base(ctx)
	if err != nil {
		return Result{}, err
	}
	sc := &sessionCache{b: b, r: r, hops: res.Hops, seen: make([]HopResult, len(res.Hops))}
	runner := &chain.Runner{
		NewClient:          res.NewClient,
		Prompt:             b.Prompt,
		Now:                b.Now,
		Log:                b.Log,
		DefaultSessionName: res.DefaultSessionName,
	}
	if b.Store != nil {
		runner.Cache = sc
	}
	final, err := runner.Run(ctx, base, res.Hops)
	if err != nil {
		return Result{}, err
	}
	for i := range sc.seen {
		sc.seen[i].Hop = res.Hops[i] // hops before a reused later one were never looked at
	}
	return Result{Region: res.Region, Hops: sc.seen, Final: final, Resolved: res}, nil
}

// mint runs the chain and caches a new token under key.
func (b *Broker) mint(ctx context.Context, r Request, key string) (token.Token, Result, error) {
	start := b.Now()
	res, err := b.run(ctx, r)
	if err != nil {
		return token.Token{}, Result{}, err
	}
	tok, err := token.New(ctx, token.Input{Credentials: res.Final.Credentials, Cluster: r.Cluster, Region: res.Region, Now: b.Now()})
	if err != nil {
		return token.Token{}, Result{}, fmt.Errorf("making the token: %w", err)
	}
	b.logf("token for cluster %s (%s) minted in %s, expires %s", r.Cluster, res.Region, b.Now().Sub(start).Round(time.Millisecond), tok.Expiration.Format(time.RFC3339))
	b.put(ctx, key, encodeToken(tok), cache.IndexEntry{
		Kind: cache.KindToken, Cluster: r.Cluster, Region: res.Region,
		Chain: roleARNs(res.Resolved.Hops), Identity: res.Final.ARN, Expires: tok.Expiration,
	})
	res.Token = tok
	b.sweep(ctx)
	return tok, res, nil
}

// sweep forgets this store's expired entries: an expired token or session
// can never be used again, and would otherwise pile up in the keyring and
// the cache folder. It runs on the cold path only.
func (b *Broker) sweep(ctx context.Context) {
	if b.Store == nil || b.Index == nil {
		return
	}
	expired, err := b.Index.Prune(ctx, b.Now(), b.Store.Name())
	if err != nil {
		b.logf("cache index: expired entries not swept: %v", err)
		return
	}
	for _, row := range expired {
		if err := b.Store.Delete(row.Key); err != nil && !errors.Is(err, cache.ErrNotFound) {
			b.logf("cache (%s): expired entry not deleted: %v", b.Store.Name(), err)
		}
	}
	if len(expired) > 0 {
		b.logf("cache (%s): swept %d expired entries", b.Store.Name(), len(expired))
	}
}

// cachedToken reads key's token, if it lives long enough, telling log
// (which may be nil) what it found.
func (b *Broker) cachedToken(key string, log func(string, ...any)) (token.Token, bool) {
	if b.Store == nil {
		return token.Token{}, false
	}
	if log == nil {
		log = func(string, ...any) {}
	}
	v, err := b.Store.Get(key)
	name := b.Store.Name() // after Get: auto mode's first Get picks the store
	if err != nil {
		if errors.Is(err, cache.ErrNotFound) {
			log("token cache (%s): miss", name)
		} else {
			log("token cache (%s): %v; treating it as a miss", name, err)
		}
		return token.Token{}, false
	}
	t, err := cache.DecodeToken(v)
	if err != nil {
		log("token cache (%s): unusable entry (%v); treating it as a miss", name, err)
		return token.Token{}, false
	}
	if len(t.Token) > token.MaxLen {
		// Cached by a build that did not check: EKS would refuse it.
		log("token cache (%s): entry over EKS's %d-byte limit; treating it as a miss", name, token.MaxLen)
		return token.Token{}, false
	}
	if !t.ValidFor(b.Now(), MinTokenLife) {
		log("token cache (%s): entry expires %s, too soon to use", name, t.Expires.Format(time.RFC3339))
		return token.Token{}, false
	}
	log("token cache (%s): hit, expires %s", name, t.Expires.Format(time.RFC3339))
	return token.Token{Value: t.Token, Expiration: t.Expires}, true
}

// put stores value under key and records it in the index. A cache that
// cannot be written costs speed, never the call: failures are logged.
func (b *Broker) put(ctx context.Context, key, value string, row cache.IndexEntry) {
	if b.Store == nil || value == "" {
		return
	}
	if err := b.Store.Set(key, value); err != nil {
		b.logf("cache (%s): not saved: %v", b.Store.Name(), err)
		return
	}
	if b.Index != nil {
		row.Key, row.Store = key, b.Store.Name()
		if err := b.Index.Upsert(ctx, row); err != nil {
			b.logf("cache index: not updated: %v", err)
		}
	}
}

// lock takes key's lock, or runs unlocked when it cannot be had in time.
func (b *Broker) lock(ctx context.Context, key string) func() {
	if b.LockDir == "" || b.Store == nil {
		return func() {}
	}
	wait := b.LockWait
	if wait == 0 {
		wait = DefaultLockWait
	}
	start := b.Now()
	unlock, err := cache.Lock(ctx, b.LockDir, key, wait)
	if err != nil {
		b.logf("lock: %v; going on without it", err)
		return func() {}
	}
	if d := b.Now().Sub(start); d > 10*time.Millisecond {
		b.logf("lock: waited %s for another process", d.Round(time.Millisecond))
	}
	return unlock
}

func (b *Broker) logf(format string, args ...any) {
	if b.Log != nil {
		b.Log(format, args...)
	}
}

func encodeToken(t token.Token) string {
	v, err := cache.EncodeToken(cache.Token{Token: t.Value, Expires: t.Expiration})
	if err != nil {
		return ""
	}
	return v
}

func roleARNs(hops []chain.Hop) []string {
	arns := make([]string, len(hops))
	for i, h := range hops {
		arns[i] = h.RoleARN
	}
	return arns
}
