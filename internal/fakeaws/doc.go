// Package fakeaws is an in-process fake of AWS STS and EKS for tests and the
// offline demo.
//
// It is strict on purpose: every request must carry a valid Signature
// Version 4 signature, checked by this package's own implementation of the
// public spec (sigv4.go; it shares no code with the AWS SDK's signer).
// Responses have the shapes real STS (Query protocol, XML; JSON for
// GetCallerIdentity when asked with Accept: application/json, as
// aws-iam-authenticator's verifier does) and EKS (REST-JSON) return, so the
// real SDK clients decode them.
//
// One server answers all: STS at "/" (POST form or presigned GET), EKS
// at "/clusters" (ListClusters), under "/clusters/" and at
// "/cluster-versions", and SSM GetParameter at "/" (POST with X-Amz-Target
// AmazonSSM.GetParameter, service "ssm"). What is enforced, with the codes
// real AWS uses:
//
//   - SigV4 header auth (signed host and x-amz-date, payload hash of the
//     body, content-length when signed) or query auth (X-Amz-Expires
//     present, request valid until X-Amz-Date + X-Amz-Expires); credential
//     scope service "sts" or "eks", any region; the path double-encoded as
//     for every service but S3 (SignatureDoesNotMatch, IncompleteSignature,
//     MissingAuthenticationToken).
//   - X-Amz-Date within 15 minutes of the server clock ("Signature expired",
//     "Signature not yet current").
//   - Unknown or revoked keys, and a session token that is missing, wrong
//     or sent with long-term keys: InvalidClientTokenId. Expired session
//     credentials: ExpiredToken.
//   - An x-k8s-aws-id header that is not signed is refused.
//   - AssumeRole: session name and parameter patterns, DurationSeconds
//     900..43200, the 1-hour role-chaining limit, the role's maximum,
//     external ID, MFA serial and code, trust list, Deny, SourceIdentity
//     kept along a chain.
//   - EKS: clusters are visible only in their account and region (the
//     account of the signing credentials, the region of the signature's
//     scope), and clusters of one name may live in several; ListClusters
//     pages (maxResults 1..100, Options.ListPageSize caps a page) with a
//     nextToken good only for the account and region that got it;
//     access-entry calls fail with InvalidRequestException in CONFIG_MAP
//     mode; DenyEKS yields AccessDeniedException. Signature failures use the
//     REST-JSON names (InvalidSignatureException, UnrecognizedClientException,
//     ExpiredTokenException).
//   - The data plane: ListNodegroups and ListFargateProfiles page (two
//     names a page unless maxResults says otherwise), DescribeNodegroup,
//     Auto Mode's computeConfig in DescribeCluster, DescribeClusterVersions
//     (SetClusterVersion), and public SSM parameters per region
//     (SetSSMParameter; DenySSM yields AccessDeniedException,
//     a missing one ParameterNotFound).
//
// A Server knows IAM users (AddUser), roles (AddRole) and EKS clusters
// (AddCluster, RemoveCluster). AssumeRole issues fresh random credentials
// (ASIA... key IDs, 40-character secrets, session tokens of
// Options.SessionTokenSize characters); Calls counts requests so a test can assert how often a role
// was assumed. Fail, SetDelay, Revoke and DenyEKS inject the failures a
// credential plugin must survive.
//
// Nothing here depends on package testing, so a small main can serve it
// (NewUnstarted + http.Serve) for a demo.
package fakeaws
