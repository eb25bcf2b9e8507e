package broker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// MinTokenLife is the least a cached token must still live to be handed out.
const MinTokenLife = time.Minute

// MaxTokenAhead is the furthest past now a cached token's expiry may lie: a
// token lives token.Lifetime (14 minutes) from signing, plus a minute for
// the clock. An entry that claims more was not written by this plugin (or
// the clock went back): it is a miss, and replaced.
const MaxTokenAhead = token.Lifetime + time.Minute

// MaxSessionAhead is the furthest past now a cached hop session's expiry
// may lie: STS's longest role session (chain.MaxDuration, 12 hours; only
// role sessions are cached), plus 15 minutes for a local clock behind
// STS's (signatures fail beyond that). An entry that claims more is a miss.
const MaxSessionAhead = chain.MaxDuration + 15*time.Minute

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
	// SSORegion is the IAM Identity Center region when the base is an SSO
	// profile ("" otherwise or unknown): doctor names the role's path by it.
	SSORegion string
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
	// CheckCachedFinal makes Token ask STS (GetCallerIdentity, the call EKS
	// makes to verify a token) whether it still honours a final session
	// that came from the cache before signing a token with it; Login and
	// Chain always ask. See checkFinal.
	CheckCachedFinal bool
}

// FinalCheckTimeout bounds Token's check of a cached final session: an STS
// that does not answer costs the cold call this much at most, and the token
// is then signed unchecked, as it would have been without the check.
const FinalCheckTimeout = 5 * time.Second

// Token returns a token for r: the cached one when it has MinTokenLife
// left, else a new one signed by the chain's final session.
func (b *Broker) Token(ctx context.Context, r Request) (token.Token, error) {
	key := r.TokenKey()
	if tok, ok := b.cachedToken(key, b.Log); ok {
		return tok, nil
	}
	// A call that cannot prompt and whose chain needs an MFA code fails
	// now, not after waiting DefaultLockWait for the lock's holder, which
	// may be a `login` sitting at that very prompt in another terminal.
	pre, err := b.promptCheck(ctx, r, 0)
	if err != nil {
		return token.Token{}, err
	}
	unlock := b.lock(ctx, key)
	defer unlock()
	// Another process may have made it while this one waited.
	if tok, ok := b.cachedToken(key, nil); ok {
		b.logf("token cache (%s): filled by another process, expires %s", b.Store.Name(), tok.Expiration.Format(time.RFC3339))
		return tok, nil
	}
	tok, _, err := b.mint(ctx, r, key, b.CheckCachedFinal, pre)
	return tok, err
}

// promptCheck is for a call about to wait on a lock: when the broker cannot
// prompt and r's chain needs an MFA code (chain.Runner.NeedsPrompt, from
// the cache alone), it returns that error now, rather than after waiting
// for the lock's holder, which may be a `login` sitting at that very
// prompt. Otherwise it returns r resolved, for the run to reuse (nil when
// the call would not wait: no lock or an interactive broker).
func (b *Broker) promptCheck(ctx context.Context, r Request, finalLife time.Duration) (*Resolved, error) {
	if b.Prompt != nil || b.LockDir == "" || b.Store == nil {
		return nil, nil
	}
	res, err := b.Resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	runner, _ := b.runner(r, res)
	runner.FinalMinValidity = finalLife
	if err := runner.NeedsPrompt(res.Hops); err != nil {
		return nil, err
	}
	return &res, nil
}

// runner is the chain.Runner for r's resolved chain, with the session cache
// when there is a store.
func (b *Broker) runner(r Request, res Resolved) (*chain.Runner, *sessionCache) {
	sc := &sessionCache{b: b, r: r, hops: res.Hops, seen: make([]HopResult, len(res.Hops))}
	runner := &chain.Runner{
		NewClient:          res.NewClient,
		Prompt:             b.Prompt,
		Now:                b.Now,
		Log:                b.Log,
		DefaultSessionName: res.DefaultSessionName,
	}
	runner.Cache = sc // with no store it caches nothing but notes what was assumed
	return runner, sc
}

// Result is one run of the chain, for login to report.
type Result struct {
	Region string
	Hops   []HopResult
	Final  chain.Session
	Token  token.Token
	// Identity is who STS says the final session is, when it was asked
	// (login always, and every run whose final session came from the
	// cache when checking); "" otherwise.
	Identity string
	// Dropped lists the hops (0-based) whose cached session STS refused:
	// each was dropped and its hop assumed again.
	Dropped []int
	// Resolved is what the chain was resolved to.
	Resolved Resolved
	// TokenCached reports that Token was stored in the cache (false with
	// --cache none, or when the store refused it).
	TokenCached bool
	// checkErr is why STS could not be asked about a cached final session
	// (not a refusal), so that Login does not wait on it twice.
	checkErr error
}

// HopResult is one hop's session and where it came from: Cached (reused
// from the cache), Assumed (asked of STS in this run), or neither (not
// needed: a later hop's session came from the cache, and ARN is "").
type HopResult struct {
	Hop     chain.Hop
	ARN     string
	Expires time.Time
	Cached  bool
	Assumed bool
}

// Login runs the chain now, reusing hop sessions that are still valid and
// assuming the rest, and caches a fresh token. Without a cluster it makes
// no token: the final session is left with at least MinCredentialLife, for
// credential-process and exec.
func (b *Broker) Login(ctx context.Context, r Request) (Result, error) {
	if r.Cluster == "" {
		return b.loginChain(ctx, r)
	}
	key := r.TokenKey()
	unlock := b.lock(ctx, key)
	defer unlock()
	_, res, err := b.mint(ctx, r, key, true, nil)
	if err != nil {
		return res, err
	}
	return confirmIdentity(ctx, res)
}

// confirmIdentity ends a login: the final session is one STS accepts, and
// res.Identity says whose it is (asked of STS unless the run already did).
func confirmIdentity(ctx context.Context, res Result) (Result, error) {
	if res.checkErr != nil {
		return res, fmt.Errorf("asking STS who the final session is: %w", res.checkErr)
	}
	if res.Identity == "" && res.Resolved.CallerIdentity != nil {
		id, err := res.Resolved.CallerIdentity(ctx, res.Final.Credentials)
		if err != nil {
			return res, refusedFinal(res, err)
		}
		res.Identity = id
	}
	return res, nil
}

// Chain runs the chain for r, reusing and caching hop sessions, and
// returns its final session without making a token (kubeconfig and doctor
// call EKS with it).
//
// A final session from the cache is checked with STS first (see
// checkFinal), so the caller's own calls are never signed by a session STS
// refuses; Result.Identity is then set.
func (b *Broker) Chain(ctx context.Context, r Request) (Result, error) {
	return b.run(ctx, r, true, 0, nil)
}

// run resolves r and runs its chain. With check, a final session that came
// from the cache is checked with STS before it is returned (checkFinal).
// finalLife, when not zero, is how long the final session must still live
// (see chain.Runner.FinalMinValidity). pre is r already resolved, nil to
// resolve it here.
func (b *Broker) run(ctx context.Context, r Request, check bool, finalLife time.Duration, pre *Resolved) (Result, error) {
	var res Resolved
	if pre != nil {
		res = *pre
	} else {
		var err error
		if res, err = b.Resolve(ctx, r); err != nil {
			return Result{}, err
		}
	}
	// The base is fetched only when a hop is assumed from it (RunLazy):
	// a cached hop spares the SSO portal call or credential_process run.
	runner, sc := b.runner(r, res)
	runner.FinalMinValidity = finalLife
	final, err := runner.RunLazy(ctx, res.Base, res.Hops)
	if err != nil {
		return Result{}, err
	}
	var (
		identity string
		checkErr error
	)
	if check && len(res.Hops) > 0 && sc.seen[len(res.Hops)-1].Cached && res.CallerIdentity != nil && b.Store != nil {
		var refused bool
		if identity, refused, checkErr = b.checkFinal(ctx, res, final, len(res.Hops)); refused {
			last := len(res.Hops) - 1
			sc.Delete(last)
			// A token cached from the refused session is as dead as it.
			b.forget(ctx, r.TokenKey())
			if final, err = runner.RunLazy(ctx, res.Base, res.Hops); err != nil {
				return Result{}, err
			}
			identity = ""
		}
	}
	for i := range sc.seen {
		sc.seen[i].Hop = res.Hops[i] // hops before a reused later one were never looked at
	}
	return Result{Region: res.Region, Hops: sc.seen, Final: final, Resolved: res, Identity: identity, Dropped: sc.dropped, checkErr: checkErr}, nil
}

// checkFinal asks STS who the cached final session of an n-hop chain is,
// with GetCallerIdentity: the call EKS itself makes to verify a token, so an
// answer means a token signed by this session authenticates, and a refusal
// means it never would, for as long as the session was to live (up to 12
// hours). It costs one STS round trip, only on a cold call whose final
// session is cached (a new cluster, or a token past its 14 minutes), never
// on a warm one. refused reports that STS refused the session (revoked,
// expired early): the caller drops it and assumes the hop again. Any other
// failure (STS unreachable, slow) is logged and the session is used as it
// would have been without the check.
func (b *Broker) checkFinal(ctx context.Context, res Resolved, final chain.Session, n int) (identity string, refused bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, FinalCheckTimeout)
	defer cancel()
	start := b.Now()
	arn, err := res.CallerIdentity(cctx, final.Credentials)
	if err == nil {
		b.logf("hop %d/%d (%s): STS accepts the cached session (checked in %s)", n, n, res.Hops[n-1].RoleARN, b.Now().Sub(start).Round(time.Millisecond))
		return arn, false, nil
	}
	if code := RefusedCode(err); code != "" {
		b.logf("hop %d/%d (%s): STS refused the cached session (%s: revoked or expired early); dropped it, assuming the hop again",
			n, n, res.Hops[n-1].RoleARN, code)
		return "", true, nil
	}
	b.logf("hop %d/%d (%s): could not check the cached session with STS (%v); using it unchecked", n, n, res.Hops[n-1].RoleARN, err)
	return "", false, err
}

// RefusedCode returns the AWS error code in err when it says STS refused the
// signing credentials themselves (revoked, expired, unknown), "" otherwise.
func RefusedCode(err error) string {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return ""
	}
	if c := api.ErrorCode(); chain.RefusedSigner(c) {
		return c
	}
	return ""
}

// refusedFinal explains STS refusing the final session of a run that has
// just assumed it or got it from the base credentials: there is no cached
// session left to drop.
func refusedFinal(res Result, err error) error {
	code := RefusedCode(err)
	if code == "" {
		return fmt.Errorf("asking STS who the final session is: %w", err)
	}
	if n := len(res.Hops); n > 0 {
		return fmt.Errorf("hop %d/%d (%s): STS refuses the session it has just issued (%s); the credentials that signed the chain may have been revoked: refresh the base credentials (aws sso login, new access keys) and run `kubectl eksxa login` with the same flags",
			n, n, res.Hops[n-1].Hop.RoleARN, code)
	}
	return fmt.Errorf("STS refuses the base credentials (%s): they are expired, revoked or mistyped; refresh them (aws sso login, new access keys, the environment)", code)
}

// mint runs the chain and caches a new token under key.
func (b *Broker) mint(ctx context.Context, r Request, key string, check bool, pre *Resolved) (token.Token, Result, error) {
	start := b.Now()
	res, err := b.run(ctx, r, check, 0, pre)
	if err != nil {
		return token.Token{}, Result{}, err
	}
	tok, err := token.New(ctx, token.Input{Credentials: res.Final.Credentials, Cluster: r.Cluster, Region: res.Region, Now: b.Now()})
	if err != nil {
		return token.Token{}, Result{}, fmt.Errorf("making the token: %w", err)
	}
	b.logf("token for cluster %s (%s) minted in %s, expires %s", r.Cluster, res.Region, b.Now().Sub(start).Round(time.Millisecond), tok.Expiration.Format(time.RFC3339))
	row := cache.IndexEntry{
		Kind: cache.KindToken, Cluster: r.Cluster, Region: res.Region,
		Chain: roleARNs(res.Resolved.Hops), Identity: res.Final.ARN, Expires: tok.Expiration,
		Selection: selectionOf(r),
	}
	res.TokenCached = b.put(ctx, key, encodeToken(tok, row.About()), row)
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

// forget deletes key's entry and its index row; failures only cost a miss
// later, so they are logged.
func (b *Broker) forget(ctx context.Context, key string) {
	if err := b.Store.Delete(key); err != nil && !errors.Is(err, cache.ErrNotFound) {
		b.logf("cache (%s): entry not deleted: %v", b.Store.Name(), err)
	}
	if b.Index != nil {
		if err := b.Index.Remove(ctx, key); err != nil {
			b.logf("cache index: not updated: %v", err)
		}
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
	if !strings.HasPrefix(t.Token, token.Prefix) {
		log("token cache (%s): entry is not an EKS token (no %s prefix); treating it as a miss", name, token.Prefix)
		return token.Token{}, false
	}
	if now := b.Now(); t.Expires.After(now.Add(MaxTokenAhead)) {
		log("token cache (%s): entry claims to expire %s, later than a token signed now could (%s); treating it as a miss",
			name, t.Expires.UTC().Format(time.RFC3339), MaxTokenAhead)
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

// put stores value under key and records it in the index, and reports
// whether the value was stored. A cache that cannot be written costs speed,
// never the call: failures are logged.
func (b *Broker) put(ctx context.Context, key, value string, row cache.IndexEntry) bool {
	if b.Store == nil || value == "" {
		return false
	}
	if err := b.Store.Set(key, value); err != nil {
		b.logf("cache (%s): not saved: %v", b.Store.Name(), err)
		return false
	}
	if b.Store.Name() == cache.NameNone { // after Set: auto mode picks its store there
		return false
	}
	if b.Index != nil {
		row.Key, row.Store = key, b.Store.Name()
		if err := b.Index.Upsert(ctx, row); err != nil {
			b.logf("cache index: not updated: %v", err)
		}
	}
	return true
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

// encodeToken encodes t for the cache, with about (no secret) so that the
// entry can be found without the index.
func encodeToken(t token.Token, about *cache.About) string {
	v, err := cache.EncodeToken(cache.Token{Token: t.Value, Expires: t.Expiration, About: about})
	if err != nil {
		return ""
	}
	return v
}

// selectionOf is the index's record of how r selected its chain, for
// logout to match on.
func selectionOf(r Request) *cache.Selection {
	s := &cache.Selection{Cluster: r.Cluster, Region: r.Region, Profile: r.Profile, SessionName: r.SessionName}
	for _, h := range r.Hops {
		s.Hops = append(s.Hops, h.String())
	}
	return s
}

func roleARNs(hops []chain.Hop) []string {
	arns := make([]string, len(hops))
	for i, h := range hops {
		arns[i] = h.RoleARN
	}
	return arns
}
