package broker

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

// sessionCache keeps each hop's STS session in the broker's store, keyed by
// the base and every hop up to it, and notes what it saw for login. With no
// store (--cache none) it keeps nothing and still notes each assumed hop.
type sessionCache struct {
	b    *Broker
	r    Request
	hops []chain.Hop
	seen []HopResult
	// dropped lists the hops whose cached session STS refused.
	dropped []int
}

var (
	_ chain.SessionCache   = (*sessionCache)(nil)
	_ chain.SessionDeleter = (*sessionCache)(nil)
)

func (c *sessionCache) Get(i int) (chain.Session, bool) {
	if c.b.Store == nil {
		return chain.Session{}, false
	}
	v, err := c.b.Store.Get(c.r.sessionKey(c.hops, i))
	if err != nil {
		return chain.Session{}, false
	}
	s, err := cache.DecodeSession(v)
	if err != nil {
		c.b.logf("hop %d/%d: unusable cached session (%v); treating it as a miss", i+1, len(c.hops), err)
		return chain.Session{}, false
	}
	if s.Expires.After(c.b.Now().Add(MaxSessionAhead)) {
		c.b.logf("hop %d/%d: cached session claims to expire %s, later than STS's longest role session (%s); treating it as a miss",
			i+1, len(c.hops), s.Expires.UTC().Format(time.RFC3339), chain.MaxDuration)
		return chain.Session{}, false
	}
	c.seen[i] = HopResult{Hop: c.hops[i], ARN: s.ARN, Expires: s.Expires, Cached: true}
	return chain.Session{
		Credentials: aws.Credentials{
			AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken,
			CanExpire: true, Expires: s.Expires, Source: "kubectl-eksxa cache",
		},
		ARN: s.ARN,
	}, true
}

func (c *sessionCache) Put(i int, s chain.Session) {
	c.seen[i] = HopResult{Hop: c.hops[i], ARN: s.ARN, Expires: s.Credentials.Expires, Assumed: true}
	if c.b.Store == nil {
		return // --cache none: noted for login's report, kept nowhere
	}
	row := cache.IndexEntry{
		Kind: cache.KindSession, Chain: roleARNs(c.hops[:i+1]), Identity: s.ARN, Expires: s.Credentials.Expires,
		Selection: selectionOf(c.r),
	}
	v, err := cache.EncodeSession(cache.Session{
		AccessKeyID: s.Credentials.AccessKeyID, SecretAccessKey: s.Credentials.SecretAccessKey,
		SessionToken: s.Credentials.SessionToken, Expires: s.Credentials.Expires, ARN: s.ARN,
		About: row.About(),
	})
	if err != nil {
		c.b.logf("hop %d/%d: session not cached: %v", i+1, len(c.hops), err)
		return
	}
	c.b.put(context.Background(), c.r.sessionKey(c.hops, i), v, row)
}

// Delete drops hop i's session, which STS refused.
func (c *sessionCache) Delete(i int) {
	c.dropped = append(c.dropped, i)
	c.seen[i] = HopResult{Hop: c.hops[i]}
	if c.b.Store == nil {
		return
	}
	key := c.r.sessionKey(c.hops, i)
	if err := c.b.Store.Delete(key); err != nil && !errors.Is(err, cache.ErrNotFound) {
		c.b.logf("hop %d/%d: dropping the refused session: %v", i+1, len(c.hops), err)
	}
	if c.b.Index != nil {
		_ = c.b.Index.Remove(context.Background(), key)
	}
}
