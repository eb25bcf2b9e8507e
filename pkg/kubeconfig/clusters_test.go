package kubeconfig

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExecClusters(t *testing.T) {
	kc := `apiVersion: v1
kind: Config
users:
- name: a
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-eksxa
      args: [token, --cluster-name, prod, --region, eu-west-1]
- name: b
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /home/me/.krew/bin/kubectl-eksxa.exe
      args: [token, --cluster-name=arn:aws:eks:us-east-1:333333333333:cluster/dev]
- name: same-as-a
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-eksxa
      args: [token, --region, eu-west-1, --cluster-name, prod]
- name: aws-cli
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, other]
- name: no-cluster
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-eksxa
      args: [token, --cluster-name]
- name: token-user
  user:
    token: abc
`
	got := ExecClusters([]byte(kc), "kubectl-eksxa")
	want := []ExecCluster{
		{Cluster: "arn:aws:eks:us-east-1:333333333333:cluster/dev", Command: "/home/me/.krew/bin/kubectl-eksxa.exe"},
		{Cluster: "prod", Region: "eu-west-1", Command: "kubectl-eksxa"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExecClusters (-want +got):\n%s", diff)
	}
	if got := ExecClusters([]byte("not: [a kubeconfig"), "kubectl-eksxa"); got != nil {
		t.Errorf("ExecClusters(garbage) = %v, want nil", got)
	}
}
