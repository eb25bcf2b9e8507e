package broker

import (
	"context"
	"time"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
)

// MinCredentialLife is the least the final session must still live when it
// is handed to another AWS tool (credential-process, exec).
//
// Botocore (the aws CLI v1 and v2) treats credential_process credentials as
// refreshable: with less than 15 minutes left it calls the process again
// before every request (its advisory refresh window), and with less than 10
// it fails the request if that call fails (its mandatory window; see
// botocore issue #2189 for tools that hand out 15-minute credentials).
// aws-sdk-go-v2 (Terraform's AWS provider) reuses them until they expire.
// Twenty minutes keeps every tool out of those windows for at least five
// minutes after each call, at the cost of renewing a one-hour chained hop
// after 40 minutes instead of 59.
const MinCredentialLife = 20 * time.Minute

// kindChain names the lock of a chain selected without a cluster.
const kindChain = "chain"

// chainKey is the lock key for running r's chain without a cluster: the
// base and the --role-arn hops, as the session keys use them.
func (r Request) chainKey() string {
	parts := r.base()
	for _, h := range r.Hops {
		parts = append(parts, h.KeyParts()...)
	}
	return cache.Key(kindChain, parts...)
}

// Credentials returns the final session of r's chain (r.Cluster is not
// used) with at least minLife left: the cached one when it lives that long,
// else the last hop assumed again from the cached sessions before it (and
// those before it only when they expire too). Many processes asking at once
// (Terraform starts one credential_process per provider) run the chain once,
// under one lock. It never prompts unless the broker has a Prompt.
//
// A chain with no hops returns the base credentials as the SDK resolves
// them; they are not cached here.
//
// A cached final session is handed out without asking STS about it (unlike
// Token's cold path): a warm call makes no network call, as every AWS
// command runs it. A revoked session is refused by the tool's own call;
// `kubectl eksxa logout` with the same flags then drops it.
func (b *Broker) Credentials(ctx context.Context, r Request, minLife time.Duration) (Result, error) {
	pre, err := b.promptCheck(ctx, r, minLife)
	if err != nil {
		return Result{}, err
	}
	unlock := b.lock(ctx, r.chainKey())
	defer unlock()
	res, err := b.run(ctx, r, false, minLife, pre)
	if err != nil {
		return Result{}, err
	}
	c := res.Final.Credentials
	if left := c.Expires.Sub(b.Now()); c.CanExpire && left < minLife {
		b.logf("final session lives only %s, less than %s: the last hop's duration or the role's maximum is that short",
			left.Round(time.Second), minLife)
	}
	b.logf("final session %s, expires %s", res.Final.ARN, expiry(c.CanExpire, c.Expires))
	return res, nil
}

// loginChain is Login for a request without a cluster: it runs the chain,
// caching the sessions (asking for MFA codes), and asks STS who the final
// session is; no token is made.
func (b *Broker) loginChain(ctx context.Context, r Request) (Result, error) {
	unlock := b.lock(ctx, r.chainKey())
	defer unlock()
	res, err := b.run(ctx, r, true, MinCredentialLife, nil)
	if err != nil {
		return res, err
	}
	return confirmIdentity(ctx, res)
}

func expiry(canExpire bool, t time.Time) string {
	if !canExpire {
		return "never (long-term keys)"
	}
	return t.UTC().Format(time.RFC3339)
}
