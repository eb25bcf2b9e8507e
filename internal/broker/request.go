package broker

import (
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

// Request selects a chain and a cluster. It is built from flags and the
// environment alone, so its keys can be computed without reading AWS
// configuration.
type Request struct {
	Cluster string
	// Region as the user gave it (flag or environment); "" when the
	// profile or the default decides.
	Region  string
	Profile string
	// EnvAccessKeyID is AWS_ACCESS_KEY_ID when set: it tells base
	// identities apart when no profile does. Never a secret.
	EnvAccessKeyID string
	// Hops are the --role-arn hops, assumed after the profile's.
	Hops []chain.Hop
	// SessionName is --session-name, "" for the default.
	SessionName string
}

// base is what identifies the base credentials in every key.
func (r Request) base() []string {
	return []string{"profile=" + r.Profile, "access-key-id=" + r.EnvAccessKeyID, "session-name=" + r.SessionName}
}

// TokenKey is the cache key of the request's token.
func (r Request) TokenKey() string {
	parts := append([]string{"cluster=" + r.Cluster, "region=" + r.Region}, r.base()...)
	for _, h := range r.Hops {
		parts = append(parts, h.KeyParts()...)
	}
	return cache.Key(cache.KindToken, parts...)
}

// sessionKey is the cache key of hop i's session in the resolved chain
// hops: the base and every hop up to and including i select it.
func (r Request) sessionKey(hops []chain.Hop, i int) string {
	parts := r.base()
	for _, h := range hops[:i+1] {
		parts = append(parts, h.KeyParts()...)
	}
	return cache.Key(cache.KindSession, parts...)
}
