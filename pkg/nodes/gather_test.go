package nodes

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const (
	acct    = "222222222222"
	region  = "eu-west-1"
	role    = "arn:aws:iam::222222222222:role/platform"
	session = "arn:aws:sts::222222222222:assumed-role/platform/alice"
	caPEM   = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
)

// world is a fake AWS with one cluster and clients signing as a session of
// role.
type world struct {
	fake *fakeaws.Server
	in   Input
}

func newWorld(t *testing.T, c fakeaws.Cluster, params map[string]string) *world {
	t.Helper()
	s := fakeaws.New(fakeaws.Options{})
	t.Cleanup(s.Close)
	user := s.AddUser("111111111111", "alice")
	s.AddRole(role, fakeaws.RoleOptions{})
	c.Name, c.Region, c.Account, c.Endpoint, c.CAData = "demo", region, acct, "https://demo.example", []byte(caPEM)
	s.AddCluster(c)
	for name, value := range params {
		s.SetSSMParameter(region, name, value)
	}
	cfg := aws.Config{Region: region, Retryer: func() aws.Retryer { return aws.NopRetryer{} },
		Credentials: credentials.NewStaticCredentialsProvider(user.AccessKeyID, user.SecretAccessKey, "")}
	out, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(s.URL) }).
		AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	return &world{fake: s, in: Input{
		Cluster: "demo", Region: region, Partition: "aws", Principal: session,
		EKS: eks.NewFromConfig(cfg, func(o *eks.Options) { o.BaseEndpoint = aws.String(s.URL) }),
		SSM: ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.BaseEndpoint = aws.String(s.URL) }),
	}}
}

func checkGolden(t *testing.T, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", strings.ReplaceAll(t.Name(), "/", "_")+".txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", path, d)
	}
}

func render(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	b.WriteString("\n--- JSON ---\n")
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGatherMixed: what the e2e goldens do not cover: Bottlerocket
// behind, a custom AMI, Windows, a parameter AWS does not publish, a group
// a version behind the control plane, extended support, and an RBAC
// refusal of the node list.
func TestGatherMixed(t *testing.T) {
	w := newWorld(t, fakeaws.Cluster{Version: "1.30", PlatformVersion: "eks.27",
		Nodegroups: []fakeaws.Nodegroup{
			{Name: "br-arm", AMIType: "BOTTLEROCKET_ARM_64", ReleaseVersion: "1.28.0-c55d099c", DesiredSize: 2, MinSize: 1, MaxSize: 3},
			{Name: "custom", AMIType: "CUSTOM", DesiredSize: 1, MinSize: 1, MaxSize: 1},
			{Name: "gpu-old", AMIType: "AL2_x86_64_GPU", Version: "1.29", ReleaseVersion: "1.29.10-20241205", DesiredSize: 0, MinSize: 0, MaxSize: 2, Status: "UPDATING"},
			{Name: "win", AMIType: "WINDOWS_CORE_2022_x86_64", ReleaseVersion: "2025.02.12", DesiredSize: 1, MinSize: 1, MaxSize: 1},
			{Name: "x86", AMIType: "AL2023_x86_64_STANDARD", ReleaseVersion: "1.30.9-20250212", DesiredSize: 3, MinSize: 3, MaxSize: 3},
		},
	}, map[string]string{
		"/aws/service/bottlerocket/aws-k8s-1.30/arm64/latest/image_version": "1.32.0-cf7c42a1",
		// AL2 GPU for 1.29 is not published here: ParameterNotFound.
		"/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/release_version": "1.30.9-20250212",
	})
	w.fake.SetClusterVersion(fakeaws.ClusterVersion{Version: "1.30", Status: "EXTENDED_SUPPORT",
		EndOfStandardSupport: time.Date(2025, 7, 23, 0, 0, 0, 0, time.UTC), EndOfExtendedSupport: time.Date(2026, 7, 23, 0, 0, 0, 0, time.UTC)})
	w.in.ListNodes = func(ctx context.Context, endpoint string, ca []byte) ([]Node, error) {
		if endpoint != "https://demo.example" || string(ca) != caPEM {
			t.Errorf("ListNodes(%q, %q): not the cluster's endpoint and CA", endpoint, ca)
		}
		return nil, &APIError{Status: 403, Message: `nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope`}
	}
	r, err := Gather(context.Background(), w.in)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, render(t, r))
	if behind, undetermined := r.Outdated(); behind != 1 || undetermined != 0 {
		t.Errorf("Outdated() = %d, %d; want 1 behind (Bottlerocket), 0 undetermined (no parameter is not a failure)", behind, undetermined)
	}
	// Four groups with a parameter, three distinct parameters... the CUSTOM
	// and Windows groups have none.
	if got := w.fake.Calls("GetParameter", role); got != 3 {
		t.Errorf("GetParameter calls: %d, want 3", got)
	}
}

// TestGatherDescribeClusterDenied: the control plane and the nodes are
// unknown (no endpoint), the node groups are still there.
func TestGatherDescribeClusterDenied(t *testing.T) {
	w := newWorld(t, fakeaws.Cluster{Version: "1.31", Nodegroups: []fakeaws.Nodegroup{
		{Name: "ng", AMIType: "AL2023_ARM_64_STANDARD", ReleaseVersion: "1.31.4-20250123", DesiredSize: 1, MinSize: 1, MaxSize: 1},
	}}, map[string]string{"/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/arm64/standard/recommended/release_version": "1.31.4-20250123"})
	w.fake.DenyEKS(role, "DescribeCluster")
	w.fake.DenyEKS(role, "ListFargateProfiles")
	w.in.ListNodes = func(context.Context, string, []byte) ([]Node, error) {
		t.Error("ListNodes called without an endpoint")
		return nil, nil
	}
	r, err := Gather(context.Background(), w.in)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, render(t, r))
	if r.ControlPlane.Unknown == nil || !strings.Contains(r.ControlPlane.Unknown.Grant, "eks:DescribeCluster") || r.AutoMode != nil ||
		r.Nodes.Unknown == nil || len(r.NodeGroups.Items) != 1 || r.NodeGroups.Items[0].State != StateCurrent ||
		r.FargateProfiles.Unknown == nil || !strings.Contains(r.FargateProfiles.Unknown.Grant, "eks:ListFargateProfiles") {
		t.Errorf("report: %+v", r)
	}
}

// TestGatherListNodegroupsDenied: the node groups are unknown; Outdated
// says it cannot tell.
func TestGatherListNodegroupsDenied(t *testing.T) {
	w := newWorld(t, fakeaws.Cluster{Version: "1.31", FargateProfiles: []string{"a", "b", "c"}}, nil)
	w.fake.DenyEKS(role, "ListNodegroups")
	r, err := Gather(context.Background(), w.in)
	if err != nil {
		t.Fatal(err)
	}
	u := r.NodeGroups.Unknown
	if u == nil || !strings.Contains(u.Reason, "AccessDeniedException") || !strings.Contains(u.Grant, "IAM: eks:ListNodegroups on arn:aws:eks:eu-west-1:222222222222:cluster/demo") {
		t.Errorf("node groups unknown = %+v", u)
	}
	if behind, undetermined := r.Outdated(); behind != 0 || undetermined != 1 {
		t.Errorf("Outdated() = %d, %d; want 0, 1", behind, undetermined)
	}
	if d := cmp.Diff([]string{"a", "b", "c"}, r.FargateProfiles.Names); d != "" {
		t.Errorf("Fargate profiles, paged (-want +got):\n%s", d)
	}
	if r.ControlPlane.Support != nil {
		t.Errorf("support status %+v for a version EKS did not describe", r.ControlPlane.Support)
	}
}

// TestGatherSupportDeniedQuietly: a refused DescribeClusterVersions leaves
// no trace but the missing support status.
func TestGatherSupportDeniedQuietly(t *testing.T) {
	w := newWorld(t, fakeaws.Cluster{Version: "1.31"}, nil)
	w.fake.SetClusterVersion(fakeaws.ClusterVersion{Version: "1.31", Status: "STANDARD_SUPPORT"})
	r, err := Gather(context.Background(), w.in)
	if err != nil || r.ControlPlane.Support == nil || r.ControlPlane.Support.Status != "STANDARD_SUPPORT" {
		t.Fatalf("allowed: %+v, %v", r, err)
	}
	w.fake.DenyEKS(role, "DescribeClusterVersions")
	r, err = Gather(context.Background(), w.in)
	if err != nil || r.ControlPlane.Support != nil || r.ControlPlane.Unknown != nil {
		t.Fatalf("denied: %+v, %v", r.ControlPlane, err)
	}
}

func TestGatherClusterNotFound(t *testing.T) {
	w := newWorld(t, fakeaws.Cluster{}, nil)
	w.in.Cluster = "nope"
	_, err := Gather(context.Background(), w.in)
	if !errors.Is(err, ErrClusterNotFound) || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), session) {
		t.Errorf("Gather of a missing cluster: %v", err)
	}
}

// TestGatherSSMFailsOnce: an SSM refusal is asked once, not once per
// parameter.
func TestGatherSSMFailsOnce(t *testing.T) {
	w := newWorld(t, fakeaws.Cluster{Version: "1.31", Nodegroups: []fakeaws.Nodegroup{
		{Name: "a", AMIType: "AL2023_ARM_64_STANDARD", ReleaseVersion: "1.31.4-20250123"},
		{Name: "b", AMIType: "AL2023_x86_64_STANDARD", ReleaseVersion: "1.31.4-20250123"},
		{Name: "c", AMIType: "BOTTLEROCKET_x86_64", ReleaseVersion: "1.30.0-abcdef12"},
	}}, nil)
	w.fake.DenySSM(role)
	r, err := Gather(context.Background(), w.in)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.fake.Calls("GetParameter", role); got != 1 {
		t.Errorf("GetParameter calls: %d, want 1", got)
	}
	for _, g := range r.NodeGroups.Items {
		if g.State != StateUnknown || g.Unknown == nil || !strings.Contains(g.Unknown.Grant, "ssm:GetParameter on arn:aws:ssm:eu-west-1::parameter/aws/service/eks/optimized-ami/*") {
			t.Errorf("group %s: %+v", g.Name, g)
		}
	}
	if behind, undetermined := r.Outdated(); behind != 0 || undetermined != 3 {
		t.Errorf("Outdated() = %d, %d; want 0, 3", behind, undetermined)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"prod": "prod", "my cluster": "'my cluster'", "it's": `'it'\''s'`, "": "''", "1.31.5-20250212": "1.31.5-20250212"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
