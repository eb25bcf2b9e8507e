package fakeaws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// fleetFixture has clusters in two accounts and two regions, two of them
// named alike, and a session in each account.
func fleetFixture(t *testing.T, opts Options) (s *Server, inA, inB Credentials) {
	t.Helper()
	s = newServer(t, opts)
	user := s.AddUser(acctA, "alice")
	roleB := "arn:aws:iam::" + acctB + ":role/eks-admin"
	s.AddRole(roleB, RoleOptions{})
	for _, c := range []Cluster{
		{Name: "a1", Account: acctA, Region: "eu-west-1", Endpoint: "https://a1"},
		{Name: "a2", Account: acctA, Region: "eu-west-1", Endpoint: "https://a2"},
		{Name: "a3", Account: acctA, Region: "eu-west-1", Endpoint: "https://a3"},
		{Name: "a4", Account: acctA, Region: "eu-west-1", Endpoint: "https://a4"},
		{Name: "a5", Account: acctA, Region: "eu-west-1", Endpoint: "https://a5"},
		{Name: "prod", Account: acctA, Region: "us-east-1", Endpoint: "https://prod-a"},
		{Name: "prod", Account: acctB, Region: "us-east-1", Endpoint: "https://prod-b"},
		{Name: "b1", Account: acctB, Region: "eu-west-1", Endpoint: "https://b1"},
	} {
		s.AddCluster(c)
	}
	inB = assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(roleB), RoleSessionName: aws.String("alice")})
	return s, user, inB
}

// listAll pages through ListClusters with the SDK's paginator.
func listAll(t *testing.T, c *eks.Client, pageSize int32) (names []string, pages int, err error) {
	t.Helper()
	p := eks.NewListClustersPaginator(c, &eks.ListClustersInput{MaxResults: aws.Int32(pageSize)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			return names, pages, err
		}
		pages++
		names = append(names, out.Clusters...)
	}
	return names, pages, nil
}

func TestEKSListClustersByAccountAndRegion(t *testing.T) {
	s, inA, inB := fleetFixture(t, Options{})
	tests := []struct {
		name   string
		creds  Credentials
		region string
		want   []string
	}{
		{"account A, eu-west-1", inA, "eu-west-1", []string{"a1", "a2", "a3", "a4", "a5"}},
		{"account A, us-east-1", inA, "us-east-1", []string{"prod"}},
		{"account B, eu-west-1", inB, "eu-west-1", []string{"b1"}},
		{"account B, us-east-1", inB, "us-east-1", []string{"prod"}},
		{"account B, ap-south-1", inB, "ap-south-1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := listAll(t, eksClient(s, tt.creds, tt.region), 100)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListClusters (-want +got):\n%s", diff)
			}
		})
	}
	// The two clusters named prod are told apart by who asks.
	for creds, want := range map[Credentials]string{inA: "https://prod-a", inB: "https://prod-b"} {
		out, err := eksClient(s, creds, "us-east-1").DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String("prod")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Cluster.Endpoint); got != want {
			t.Errorf("DescribeCluster prod as %s: endpoint %s, want %s", creds.ARN, got, want)
		}
	}
}

func TestEKSListClustersPages(t *testing.T) {
	s, inA, _ := fleetFixture(t, Options{ListPageSize: 2})
	got, pages, err := listAll(t, eksClient(s, inA, "eu-west-1"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a1", "a2", "a3", "a4", "a5"}, got); diff != "" {
		t.Errorf("ListClusters over pages (-want +got):\n%s", diff)
	}
	if pages != 3 || s.Calls("ListClusters", inA.ARN) != 3 {
		t.Errorf("pages = %d, calls = %d, want 3 and 3", pages, s.Calls("ListClusters", inA.ARN))
	}
	// maxResults smaller than the server's page size wins.
	if _, pages, err = listAll(t, eksClient(s, inA, "eu-west-1"), 1); err != nil || pages != 5 {
		t.Errorf("maxResults=1: %d pages, %v; want 5", pages, err)
	}
}

func TestEKSListClustersRefusals(t *testing.T) {
	s, inA, inB := fleetFixture(t, Options{ListPageSize: 2})
	ctx := context.Background()
	first, err := eksClient(s, inA, "eu-west-1").ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v, nextToken %v", err, first)
	}
	// A token is good only for the account and region that got it.
	for _, c := range []struct {
		creds  Credentials
		region string
	}{{inB, "eu-west-1"}, {inA, "us-east-1"}} {
		_, err := eksClient(s, c.creds, c.region).ListClusters(ctx, &eks.ListClustersInput{NextToken: first.NextToken})
		if apiCode(err) != "InvalidParameterException" {
			t.Errorf("token replayed in %s: %v, want InvalidParameterException", c.region, err)
		}
	}
	if _, err := eksClient(s, inA, "eu-west-1").ListClusters(ctx, &eks.ListClustersInput{MaxResults: aws.Int32(101)}); apiCode(err) != "InvalidParameterException" {
		t.Errorf("maxResults=101: %v, want InvalidParameterException", err)
	}
	s.DenyEKS("arn:aws:iam::"+acctB+":role/eks-admin", "ListClusters")
	_, err = eksClient(s, inB, "eu-west-1").ListClusters(ctx, &eks.ListClustersInput{})
	if apiCode(err) != "AccessDeniedException" {
		t.Errorf("denied: %v, want AccessDeniedException", err)
	}
	if want := "eks:ListClusters on resource: arn:aws:eks:eu-west-1:" + acctB + ":cluster/*"; !strings.Contains(apiMessage(err), want) {
		t.Errorf("denied message %q does not name %q", apiMessage(err), want)
	}
}

func TestEKSRemoveCluster(t *testing.T) {
	s, inA, inB := fleetFixture(t, Options{})
	s.RemoveCluster("prod", acctA, "us-east-1")
	if got, _, _ := listAll(t, eksClient(s, inA, "us-east-1"), 100); len(got) != 0 {
		t.Errorf("account A still lists %v after RemoveCluster", got)
	}
	if got, _, _ := listAll(t, eksClient(s, inB, "us-east-1"), 100); !cmp.Equal(got, []string{"prod"}) {
		t.Errorf("account B lists %v, want its own prod kept", got)
	}
}
