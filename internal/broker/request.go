package broker

import (
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

// Request selects a chain and a cluster. It is built from flags, the
// environment and the metadata of the AWS files in force alone, so its keys
// can be computed without reading AWS configuration.
//
// Every field is part of the cache identity: a cached token or session is
// served only while all of them are as they were when it was cached.
type Request struct {
	Cluster string
	// Region as the user gave it (flag or environment); "" when the
	// profile or the default decides.
	Region  string
	Profile string
	// EnvAccessKeyID is AWS_ACCESS_KEY_ID (else its alias AWS_ACCESS_KEY)
	// when set: it tells base identities apart when no profile does. An
	// access key ID is not a secret (it is in every signed request and
	// in CloudTrail); a temporary one (ASIA...) is unique to its STS
	// session, so it also stands for AWS_SESSION_TOKEN.
	EnvAccessKeyID string
	// Env holds "NAME=VALUE" for each variable of IdentityEnv that is set,
	// in IdentityEnv's order.
	Env []string
	// Files holds a cache.FileStamp of each AWS config and credentials
	// file in force, configuration files first: editing one (a role_arn,
	// a source_profile, new keys) makes every key of the request change.
	Files []string
	// Hops are the --role-arn hops, assumed after the profile's.
	Hops []chain.Hop
	// SessionName is --session-name, "" for the default.
	SessionName string
}

// IdentityEnv names the environment variables besides AWS_ACCESS_KEY_ID that
// decide who signs, as aws-sdk-go-v2's config.NewEnvConfig and its
// credential chain read them: the profile (AWS_PROFILE, and
// AWS_DEFAULT_PROFILE, which the SDK reads after it), the files
// (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: their stamps are in
// Request.Files too, but the paths name them even when absent), web
// identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
// AWS_ROLE_SESSION_NAME), container credentials (ECS, EKS Pod Identity:
// AWS_CONTAINER_CREDENTIALS_FULL_URI and _RELATIVE_URI, and the path in
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE), the EC2 instance role
// (AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT and its
// _MODE), and the STS that issues the sessions (AWS_ENDPOINT_URL_STS,
// AWS_ENDPOINT_URL).
//
// Left out on purpose: secret values (AWS_SECRET_ACCESS_KEY, AWS_SECRET_KEY,
// AWS_SESSION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN), which must never be
// key material and are not needed (the access key ID selects the keys); the
// contents of the web identity token file, which Kubernetes rotates hourly
// for the same identity; AWS_SDK_LOAD_CONFIG, which only the v1 SDK read
// (v2 always loads the shared config); and region variables, which are in
// Request.Region already.
var IdentityEnv = []string{
	"AWS_PROFILE",
	"AWS_DEFAULT_PROFILE",
	"AWS_CONFIG_FILE",
	"AWS_SHARED_CREDENTIALS_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_ROLE_ARN",
	"AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_DISABLED",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	"AWS_ENDPOINT_URL_STS",
	"AWS_ENDPOINT_URL",
}

// base is what identifies the base credentials in every key. Each part is
// tagged with what it is, so that no two different requests encode alike.
func (r Request) base() []string {
	parts := make([]string, 0, 3+len(r.Env)+len(r.Files))
	parts = append(parts, "profile="+r.Profile, "access-key-id="+r.EnvAccessKeyID, "session-name="+r.SessionName)
	for _, e := range r.Env {
		parts = append(parts, "env="+e)
	}
	for _, f := range r.Files {
		parts = append(parts, "file="+f)
	}
	return parts
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

// Keys returns the cache keys the request selects now: its token's, then
// each hop's session's in the resolved chain hops (the profile's hops, then
// the request's). logout forgets them even when the index cannot say what
// is cached.
func (r Request) Keys(hops []chain.Hop) []string {
	keys := []string{r.TokenKey()}
	for i := range hops {
		keys = append(keys, r.sessionKey(hops, i))
	}
	return keys
}
