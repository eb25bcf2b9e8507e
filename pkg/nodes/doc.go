// Package nodes is the brain of `kubectl eksxa nodes`: what runs a
// cluster's pods and what of it is out of date.
//
// Gather asks, each part on its own so that a refusal never hides the rest:
//
//   - EKS DescribeCluster: the Kubernetes and platform versions, the
//     endpoint and CA, and Auto Mode (computeConfig: enabled, node pools).
//   - EKS DescribeClusterVersions: the version's support status (standard
//     or extended, with end dates). Skipped quietly when refused.
//   - EKS ListNodegroups + DescribeNodegroup (paged): each managed node
//     group's AMI type, release version, Kubernetes version, capacity
//     type, scaling and status.
//   - SSM GetParameter on the public parameters AWS publishes for its
//     EKS-optimized AMIs (see ReleaseParameter): the latest recommended
//     release version for each group's AMI type and Kubernetes version.
//   - EKS ListFargateProfiles.
//   - The cluster's own API (GET /api/v1/nodes, see ListNodes): every
//     node, classified from its EKS labels (see Classify), with its
//     kubelet version checked against the Kubernetes version skew policy
//     (see CheckSkew).
//
// A refused call makes its part Unknown, naming the IAM permission or the
// Kubernetes RBAC to grant. Gather fails only when nothing can be said:
// the cluster does not exist, or a call fails for a reason other than a
// refusal on the way to the control plane.
//
// A node group is Behind when its release version is older than the
// latest recommended one; the report then carries the fix in the two
// forms platform teams use: the Terraform attribute of
// aws_eks_node_group (release_version = "...") and the aws CLI's
// `aws eks update-nodegroup-version`.
//
// Nothing here reads flags, the environment or the clock; the bearer
// token for the cluster's API is given to ListNodes and never kept,
// printed or put in an error.
package nodes
