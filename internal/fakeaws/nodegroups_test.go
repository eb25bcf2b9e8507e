package fakeaws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

const al2023Param = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version"

// dataPlaneFixture is a cluster with three node groups (more than a page),
// Auto Mode, Fargate profiles, a described version and a public SSM
// parameter, and a session of adminRole to read them.
func dataPlaneFixture(t *testing.T) (*Server, Credentials) {
	t.Helper()
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	s.AddRole(adminRole, RoleOptions{})
	s.AddCluster(Cluster{Name: "demo", Region: "eu-west-1", Account: acctB, Endpoint: "https://127.0.0.1:6443", CAData: []byte(caPEM),
		Version: "1.31", PlatformVersion: "eks.12",
		AutoMode: &AutoModeConfig{Enabled: true, NodePools: []string{"general-purpose", "system"}},
		Nodegroups: []Nodegroup{
			{Name: "ng-c", AMIType: "BOTTLEROCKET_ARM_64", ReleaseVersion: "1.29.0-c55d099c", DesiredSize: 1, MinSize: 1, MaxSize: 1},
			{Name: "ng-a", AMIType: "AL2023_x86_64_STANDARD", ReleaseVersion: "1.31.4-20250123", CapacityType: "SPOT", DesiredSize: 3, MinSize: 2, MaxSize: 6},
			{Name: "ng-b", AMIType: "CUSTOM", Version: "1.30", Status: "DEGRADED"},
		},
		FargateProfiles: []string{"fp-default", "fp-batch", "fp-ci"},
	})
	s.SetClusterVersion(ClusterVersion{Version: "1.31", Status: "STANDARD_SUPPORT",
		EndOfStandardSupport: time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC), EndOfExtendedSupport: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	s.SetSSMParameter("eu-west-1", al2023Param, "1.31.5-20250212")
	sess := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(adminRole), RoleSessionName: aws.String("alice")})
	return s, sess
}

func ssmClient(s *Server, c Credentials, region string) *ssm.Client {
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
	return ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.BaseEndpoint = aws.String(s.URL) })
}

func TestEKSNodegroupsPaged(t *testing.T) {
	s, sess := dataPlaneFixture(t)
	c := eksClient(s, sess, "eu-west-1")
	ctx := context.Background()
	var names []string
	p := eks.NewListNodegroupsPaginator(c, &eks.ListNodegroupsInput{ClusterName: aws.String("demo")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, out.Nodegroups...)
	}
	if d := cmp.Diff([]string{"ng-a", "ng-b", "ng-c"}, names); d != "" {
		t.Errorf("node groups (-want +got):\n%s", d)
	}
	if got := s.Calls("ListNodegroups", adminRole); got != 2 {
		t.Errorf("ListNodegroups calls = %d, want 2 (pages of %d)", got, eksPageSize)
	}

	out, err := c.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("demo"), NodegroupName: aws.String("ng-a")})
	if err != nil {
		t.Fatal(err)
	}
	ng := out.Nodegroup
	if ng.AmiType != types.AMITypesAl2023X8664Standard || aws.ToString(ng.ReleaseVersion) != "1.31.4-20250123" || aws.ToString(ng.Version) != "1.31" ||
		ng.CapacityType != types.CapacityTypesSpot || ng.Status != types.NodegroupStatusActive ||
		aws.ToInt32(ng.ScalingConfig.DesiredSize) != 3 || aws.ToInt32(ng.ScalingConfig.MinSize) != 2 || aws.ToInt32(ng.ScalingConfig.MaxSize) != 6 ||
		aws.ToString(ng.NodegroupArn) == "" {
		t.Errorf("DescribeNodegroup ng-a = %+v", ng)
	}
	out, err = c.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("demo"), NodegroupName: aws.String("ng-b")})
	if err != nil {
		t.Fatal(err)
	}
	if ng := out.Nodegroup; ng.AmiType != types.AMITypesCustom || ng.ReleaseVersion != nil || aws.ToString(ng.Version) != "1.30" || ng.Status != types.NodegroupStatusDegraded {
		t.Errorf("DescribeNodegroup ng-b = %+v", ng)
	}
	_, err = c.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("demo"), NodegroupName: aws.String("nope")})
	if apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("DescribeNodegroup of a missing group: %v", err)
	}

	s.DenyEKS(adminRole, "ListNodegroups")
	_, err = c.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("demo")})
	if apiCode(err) != "AccessDeniedException" {
		t.Errorf("denied ListNodegroups: %v", err)
	}
	_, err = c.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("demo"), NextToken: aws.String("bogus")})
	if apiCode(err) != "AccessDeniedException" {
		t.Errorf("denied ListNodegroups with a bad token: %v", err)
	}
}

func TestEKSFargateAutoModeAndVersions(t *testing.T) {
	s, sess := dataPlaneFixture(t)
	c := eksClient(s, sess, "eu-west-1")
	ctx := context.Background()
	var names []string
	p := eks.NewListFargateProfilesPaginator(c, &eks.ListFargateProfilesInput{ClusterName: aws.String("demo")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, out.FargateProfileNames...)
	}
	if d := cmp.Diff([]string{"fp-batch", "fp-ci", "fp-default"}, names); d != "" {
		t.Errorf("Fargate profiles (-want +got):\n%s", d)
	}

	dc, err := c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	cc := dc.Cluster.ComputeConfig
	if aws.ToString(dc.Cluster.Version) != "1.31" || aws.ToString(dc.Cluster.PlatformVersion) != "eks.12" || cc == nil || !aws.ToBool(cc.Enabled) ||
		!cmp.Equal(cc.NodePools, []string{"general-purpose", "system"}) {
		t.Errorf("DescribeCluster: version %v platform %v computeConfig %+v", aws.ToString(dc.Cluster.Version), aws.ToString(dc.Cluster.PlatformVersion), cc)
	}

	vs, err := c.DescribeClusterVersions(ctx, &eks.DescribeClusterVersionsInput{ClusterVersions: []string{"1.31"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.ClusterVersions) != 1 || vs.ClusterVersions[0].VersionStatus != types.VersionStatusStandardSupport ||
		!aws.ToTime(vs.ClusterVersions[0].EndOfStandardSupportDate).Equal(time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DescribeClusterVersions = %+v", vs.ClusterVersions)
	}
	vs, err = c.DescribeClusterVersions(ctx, &eks.DescribeClusterVersionsInput{ClusterVersions: []string{"1.20"}})
	if err != nil || len(vs.ClusterVersions) != 0 {
		t.Errorf("DescribeClusterVersions of an unknown version: %+v, %v", vs, err)
	}
	s.DenyEKS(adminRole, "DescribeClusterVersions")
	if _, err := c.DescribeClusterVersions(ctx, &eks.DescribeClusterVersionsInput{}); apiCode(err) != "AccessDeniedException" {
		t.Errorf("denied DescribeClusterVersions: %v", err)
	}
	if got := s.Calls("DescribeClusterVersions", adminRole); got != 3 {
		t.Errorf("DescribeClusterVersions calls = %d, want 3", got)
	}
}

func TestSSMGetParameter(t *testing.T) {
	s, sess := dataPlaneFixture(t)
	ctx := context.Background()
	c := ssmClient(s, sess, "eu-west-1")
	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(al2023Param)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Parameter.Value) != "1.31.5-20250212" || aws.ToString(out.Parameter.Name) != al2023Param ||
		aws.ToString(out.Parameter.ARN) != "arn:aws:ssm:eu-west-1::parameter"+al2023Param {
		t.Errorf("GetParameter = %+v", out.Parameter)
	}
	// Parameters are regional.
	if _, err := ssmClient(s, sess, "us-east-1").GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(al2023Param)}); apiCode(err) != "ParameterNotFound" {
		t.Errorf("GetParameter in another region: %v", err)
	}
	// A bad secret: refused.
	bad := sess
	bad.SecretAccessKey = strings.Repeat("x", len(bad.SecretAccessKey)) // never the real secret: base64 of random bytes
	if _, err := ssmClient(s, bad, "eu-west-1").GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(al2023Param)}); err == nil {
		t.Error("GetParameter with a bad signature was accepted")
	}
	s.DenySSM(adminRole)
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(al2023Param)})
	if apiCode(err) != "AccessDeniedException" {
		t.Errorf("denied GetParameter: %v", err)
	}
	if got := s.Calls("GetParameter", adminRole); got != 3 {
		t.Errorf("GetParameter calls by the role = %d, want 3 (the bad signatures never reach the action)", got)
	}
}
