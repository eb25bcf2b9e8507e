// Package e2e holds kubectl-eksxa's conformance and end-to-end tests, and
// the offline demo. It is a module of its own so that the verifier EKS runs
// (sigs.k8s.io/aws-iam-authenticator) and its dependencies stay out of the
// plugin's go.mod.
package e2e
