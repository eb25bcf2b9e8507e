package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

func doctorCluster(t *testing.T, mode string, entries ...fakeaws.AccessEntry) *cluster {
	c := newCluster(t)
	c.fake.AddCluster(fakeaws.Cluster{Name: "prod", Region: "eu-west-1", Account: workAcct, Endpoint: c.api.URL, CAData: c.api.CAData,
		AuthMode: mode, AccessEntries: entries})
	return c
}

func TestDoctorAllowed(t *testing.T) {
	c := doctorCluster(t, "API", fakeaws.AccessEntry{PrincipalARN: roleWork, Policies: []fakeaws.AccessPolicy{
		{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}}})
	r := runPlugin(t, c.env, "", append([]string{"doctor"}, twoHops...)...)
	if r.code != 0 {
		t.Fatalf("doctor: exit %d stdout %s stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"hop 1/2", "assumed-role/jump/eksxa-alice", "hop 2/2", "Verdict: ALLOWED", roleWork} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, r.stdout)
		}
	}
	if got := c.api.Verified(); got != 1 {
		t.Errorf("the live check reached the API server %d times, want 1", got)
	}
}

func TestDoctorDeniedGivesTheFix(t *testing.T) {
	c := doctorCluster(t, "API") // no access entry for anyone
	c.api.Unmap(roleWork)
	r := runPlugin(t, c.env, "", append([]string{"doctor"}, twoHops...)...)
	if r.code != 1 {
		t.Fatalf("doctor: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Verdict: DENIED", `resource "aws_eks_access_entry"`, "aws_eks_access_policy_association",
		"aws eks create-access-entry", "aws eks associate-access-policy", roleWork} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, r.stdout)
		}
	}

	// The same as JSON, parsed back.
	r = runPlugin(t, c.env, "", append([]string{"doctor", "-o", "json"}, twoHops...)...)
	var out struct {
		Hops []struct {
			RoleARN, Identity string
		}
		Identity  string
		Diagnosis struct {
			AuthMode  string `json:"authMode"`
			Verdict   string `json:"verdict"`
			Principal struct {
				ARN string `json:"arn"`
			} `json:"principal"`
			Live *struct {
				Status int `json:"status"`
			} `json:"live"`
			Fix *struct {
				Terraform string `json:"terraform"`
			} `json:"fix"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("doctor -o json: %v\n%s", err, r.stdout)
	}
	d := out.Diagnosis
	if r.code != 1 || len(out.Hops) != 2 || d.AuthMode != "API" || d.Verdict != "denied" || d.Principal.ARN != roleWork ||
		d.Live == nil || d.Live.Status != 401 || d.Fix == nil || !strings.Contains(d.Fix.Terraform, roleWork) {
		t.Errorf("doctor -o json: exit %d, %+v", r.code, out)
	}
}

func TestDoctorConfigMapMode(t *testing.T) {
	c := doctorCluster(t, "CONFIG_MAP")
	c.api.Unmap(roleWork)
	r := runPlugin(t, c.env, "", append([]string{"doctor", "--live=false"}, twoHops...)...)
	if r.code != 1 || !strings.Contains(r.stdout, "mapRoles") || !strings.Contains(r.stdout, "rolearn: "+roleWork) ||
		!strings.Contains(r.stdout, "API_AND_CONFIG_MAP") {
		t.Errorf("doctor in CONFIG_MAP mode: exit %d\n%s", r.code, r.stdout)
	}
}

// TestDoctorRevokedSession: a cached final session that STS now refuses is
// dropped and its hop assumed again, once; doctor says so and diagnoses
// with the fresh session, and the token cached from the dead session is
// forgotten with it.
func TestDoctorRevokedSession(t *testing.T) {
	c := doctorCluster(t, "API", fakeaws.AccessEntry{PrincipalARN: roleWork})
	args := append([]string{"--cache", "file"}, twoHops...)
	tokenOf(t, c.env, args...)
	files, _ := filepath.Glob(filepath.Join(c.env["EKSXA_CACHE_DIR"], "*.entry"))
	revoked := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var e struct{ Kind, AccessKeyID, ARN string }
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		if e.Kind == "session" && strings.Contains(e.ARN, "assumed-role/eks-admin/") {
			c.fake.Revoke(e.AccessKeyID)
			revoked++
		}
	}
	if revoked != 1 {
		t.Fatalf("found %d cached final sessions to revoke, want 1", revoked)
	}
	r := runPlugin(t, c.env, "", append([]string{"doctor"}, args...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "ALLOWED") || !strings.Contains(r.stdout, "answered 200") {
		t.Errorf("doctor with a revoked session: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "STS refused the cached session of hop 2/2 ("+roleWork+")") || !strings.Contains(r.stderr, "dropped it") {
		t.Errorf("doctor does not say the session was dropped: %q", r.stderr)
	}
	if strings.Contains(r.stderr, "InvalidClientTokenId") {
		t.Errorf("raw STS refusal in %q", r.stderr)
	}
	for role, want := range map[string]int{roleTools: 1, roleWork: 2} {
		if got := c.fake.Calls("AssumeRole", role); got != want {
			t.Errorf("AssumeRole %s: %d calls, want %d", role, got, want)
		}
	}
	// The token cached from the dead session went with it.
	if _, tr := tokenOf(t, c.env, append(args, "-v")...); !strings.Contains(tr.stderr, "token cache (file): miss") {
		t.Errorf("the token signed by the refused session is still served: %q", tr.stderr)
	}
}

// TestDoctorFixCarriesTheHopPath: the final hop's role has a path
// (role/deploy/eks-deployer) and no access entry yet: STS drops the path,
// so only the chain knows it. The access-entry fixes carry it (EKS refuses
// the path-less ARN), the aws-auth entry does not.
func TestDoctorFixCarriesTheHopPath(t *testing.T) {
	chain := []string{"--cluster-name", "prod", "--region", "eu-west-1", "--role-arn", roleTools, "--role-arn", roleDeep}
	for _, mode := range []string{"API", "API_AND_CONFIG_MAP"} {
		t.Run(mode, func(t *testing.T) {
			c := doctorCluster(t, mode)
			r := runPlugin(t, c.env, "", append([]string{"doctor"}, chain...)...)
			if r.code != 1 {
				t.Fatalf("doctor: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			for _, want := range []string{"--principal-arn " + roleDeep, `principal_arn = "` + roleDeep + `"`, "(from the chain; STS drops role paths)"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("doctor output lacks %q:\n%s", want, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "--principal-arn arn:aws:iam::"+workAcct+":role/eks-deployer") {
				t.Errorf("a fix uses the path-less ARN:\n%s", r.stdout)
			}
			if mode == "API_AND_CONFIG_MAP" && (!strings.Contains(r.stdout, "rolearn: arn:aws:iam::"+workAcct+":role/eks-deployer") || strings.Contains(r.stdout, "rolearn: "+roleDeep)) {
				t.Errorf("the aws-auth entry should drop the path:\n%s", r.stdout)
			}
		})
	}
}
