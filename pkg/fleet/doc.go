// Package fleet is `kubectl eksxa kubeconfig --all-clusters`: it scans
// accounts × regions for EKS clusters (ListClusters, then DescribeCluster
// each) with a bound on the AWS calls in flight, and plans and applies the
// kubeconfig change for the whole fleet in one go: a cluster, an exec user
// and a context per cluster, named by a Go template, each marked with an
// "eksxa" extension so that a later --prune removes only what this command
// wrote, and only for the accounts and regions it scanned successfully.
//
// The package runs no chain and reads no file: the caller (internal/cli)
// opens each account through the broker and reads and writes the file.
package fleet
