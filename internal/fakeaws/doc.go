// Package fakeaws is an in-process fake of AWS STS and EKS for tests and the
// offline demo.
//
// It is strict on purpose: every request must carry a valid Signature
// Version 4 signature, checked by this package's own implementation of the
// public spec (not the AWS SDK's signer), with the credential scope, the
// signed headers, the session token, the expiry of the signing credentials
// and the request date all enforced the way real STS enforces them. Responses
// have the shapes real STS (Query protocol, XML) and EKS (REST-JSON) return,
// so the real SDK clients decode them.
//
// A Server knows IAM users (AddUser), roles (AddRole) and EKS clusters
// (AddCluster). AssumeRole issues fresh random credentials with real-sized
// session tokens; Calls counts requests so a test can assert how often a role
// was assumed. Fail, SetDelay, Revoke and DenyEKS inject the failures a
// credential plugin must survive.
//
// Nothing here depends on package testing, so a small main can serve it for a
// demo.
package fakeaws
