// Package access is the brain of `kubectl eksxa doctor`: given the ARN the
// credential chain ends with (sts GetCallerIdentity) and an EKS client, it
// says which IAM principal the cluster will map, how the cluster
// authenticates (access entries, the aws-auth ConfigMap or both), whether
// the principal is let in, and the fix, as Terraform and as AWS CLI
// commands.
//
// What it can know, and what it cannot:
//
//   - The principal. An assumed-role session
//     (arn:aws:sts::A:assumed-role/R/S) is mapped by the cluster as the role
//     arn:aws:iam::A:role/R. STS drops the role's path from the session
//     ARN; this package does not call iam:GetRole (the IAM SDK would weigh
//     on the binary kubectl runs for every token), so it recovers the path
//     by matching the cluster's access entries by partition, account and
//     role name. Federated users (GetFederationToken) and the account root
//     cannot be mapped by an access entry at all.
//   - The authentication mode, from DescribeCluster (or, when that is
//     denied, inferred: access-entry calls fail with
//     InvalidRequestException only in CONFIG_MAP mode).
//   - In the API modes, the access entry of the principal, its Kubernetes
//     username and groups and its associated access policies with their
//     scopes.
//   - The aws-auth ConfigMap cannot be read without already being let into
//     the cluster, so in CONFIG_MAP and API_AND_CONFIG_MAP modes a
//     principal without an access entry may or may not be mapped there.
//
// Verdicts: "allowed" (the cluster authenticates the principal: an access
// entry exists, or the optional live check got past authentication),
// "denied" (API mode and no entry, a principal that cannot be mapped, or a
// live check answered 401) and "unknown" (everything else: CONFIG_MAP, a
// possible aws-auth mapping, EKS permissions missing). "allowed" is about
// authentication only: an entry with neither an access policy nor a
// Kubernetes group gets in but is authorized to do nothing; the report says
// so in its notes and offers the policy association as the fix, and the exit
// code stays 0 (kubectl then says Forbidden, not Unauthorized).
//
// Diagnose never fails on a missing EKS permission: each API consulted is
// recorded as a Check naming the IAM action that was refused, and the
// diagnosis carries on with what can still be known. It returns an error
// only when nothing can be said: the cluster does not exist in the region
// (ErrClusterNotFound), the caller ARN cannot be parsed, or an EKS call fails
// for a reason other than a refusal (bad credentials, network).
//
// Nothing here prints or stores a secret: the bearer token given to
// LiveCheck goes only into the request's Authorization header.
package access
