// Package chain runs cross-account STS AssumeRole chains for kubectl-eksxa.
//
// A chain starts from base credentials and assumes one role per hop. Hops
// come from a hop SPEC (the --role-arn flag, see ParseHop) or from walking a
// shared-config profile's role_arn/source_profile links (WalkProfile). A
// Runner assumes the hops in order, reuses still-valid sessions from a
// SessionCache (so an MFA hop is asked once per MFA session, not once per
// chained hour), and reports a failing hop as a *HopError that names the hop
// and says what to do next.
//
// The package reads no flags, environment, stdin or clock by itself: prompts,
// time, the STS client and the cache are injected. No error or log line ever
// carries a secret access key or session token.
package chain
