// Package token makes the bearer token that Amazon EKS accepts and wraps it
// in the ExecCredential that kubectl reads from an exec plugin.
//
// The token is "k8s-aws-v1." followed by the unpadded base64url encoding of a
// SigV4-presigned STS GetCallerIdentity URL whose signed headers include
// x-k8s-aws-id = cluster name. The EKS authenticator replays that URL to
// STS to learn who the caller is. Everything here is pure: credentials, the
// cluster, the region and the signing time go in; nothing reads the clock,
// the environment or the network.
package token
