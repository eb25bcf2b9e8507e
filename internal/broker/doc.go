// Package broker hands out EKS tokens and STS sessions for a chain
// selection: from the cache when it can, else by running the chain once
// under a per-key lock, so that many kubectl processes on a cold cache
// share one run. It is the use case behind token, login and logout, and
// (Credentials: the chain's final session, with MinCredentialLife left)
// behind credential-process and exec; the CLI injects the store, the clock,
// the prompt and how AWS is reached.
//
// The hot path (a cached token) derives its key from the request alone,
// makes one store read and nothing else: no AWS configuration is parsed and
// no network is touched.
package broker
