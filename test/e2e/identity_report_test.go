package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// TestKubeconfigWithoutHopsNamesBase: with base credentials and no hop,
// kubeconfig's errors name the base credentials, not an empty identity
// ("not found in us-east-1 for : ..."), and a success names the caller
// STS sees.
func TestKubeconfigWithoutHopsNamesBase(t *testing.T) {
	fake, user, env := qaWorld(t)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = user.AccessKeyID, user.SecretAccessKey
	kc := filepath.Join(env["HOME"], "kc")
	r := runPlugin(t, env, "", "kubeconfig", "--cluster-name", "absent", "--region", "us-east-1", "--kubeconfig", kc)
	if r.code != 1 || r.stdout != "" || strings.Contains(r.stderr, "for :") ||
		!strings.Contains(r.stderr, "not found in us-east-1 for the base credentials (the environment's AWS_ACCESS_KEY_ID)") {
		t.Errorf("missing cluster: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	fake.AddCluster(fakeaws.Cluster{Name: "mine", Region: "us-east-1", Account: identityAcct, Endpoint: "https://mine.eks.invalid"})
	r = runPlugin(t, env, "", "kubeconfig", "--cluster-name", "mine", "--region", "us-east-1", "--alias", "mine", "--kubeconfig", kc)
	if r.code != 0 || !strings.Contains(r.stdout, "kubectl-eksxa as "+user.ARN+")") {
		t.Errorf("kubeconfig: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestDoctorCacheNoneNamesEachHop: with --cache none every hop is assumed,
// and doctor names each hop's identity instead of saying a later hop's
// session is cached.
func TestDoctorCacheNoneNamesEachHop(t *testing.T) {
	c := doctorCluster(t, "API", fakeaws.AccessEntry{PrincipalARN: roleWork, Policies: []fakeaws.AccessPolicy{
		{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}}})
	r := runPlugin(t, c.env, "", append([]string{"doctor", "--cache", "none"}, twoHops...)...)
	if r.code != 0 || strings.Contains(r.stdout, "not needed") ||
		!strings.Contains(r.stdout, "assumed-role/jump/eksxa-alice") || !strings.Contains(r.stdout, "assumed-role/eks-admin/eksxa-alice") {
		t.Errorf("doctor --cache none: exit %d stdout:\n%s\nstderr %q", r.code, r.stdout, r.stderr)
	}
}
