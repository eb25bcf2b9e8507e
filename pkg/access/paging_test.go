package access

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"
)

// pagedEKS is a hand-written EKSAPI serving access entries and policies in
// pages of two, for the paging the fake server does not do.
type pagedEKS struct {
	partition string
	mode      types.AuthenticationMode
	entries   []string
	policies  map[string][]types.AssociatedAccessPolicy
	calls     map[string]int
}

func page[T any](items []T, token *string) ([]T, *string, error) {
	start := 0
	if token != nil {
		if _, err := fmt.Sscanf(*token, "page-%d", &start); err != nil {
			return nil, nil, errors.New("bad token")
		}
	}
	end := min(start+2, len(items))
	var next *string
	if end < len(items) {
		next = aws.String(fmt.Sprintf("page-%d", end))
	}
	return items[start:end], next, nil
}

func (f *pagedEKS) DescribeCluster(_ context.Context, in *eks.DescribeClusterInput, _ ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	f.calls["DescribeCluster"]++
	return &eks.DescribeClusterOutput{Cluster: &types.Cluster{
		Name: in.Name, Arn: aws.String(fmt.Sprintf("arn:%s:eks:cn-north-1:222222222222:cluster/%s", f.partition, aws.ToString(in.Name))),
		AccessConfig: &types.AccessConfigResponse{AuthenticationMode: f.mode},
	}}, nil
}

func (f *pagedEKS) ListAccessEntries(_ context.Context, in *eks.ListAccessEntriesInput, _ ...func(*eks.Options)) (*eks.ListAccessEntriesOutput, error) {
	f.calls["ListAccessEntries"]++
	items, next, err := page(f.entries, in.NextToken)
	return &eks.ListAccessEntriesOutput{AccessEntries: items, NextToken: next}, err
}

func (f *pagedEKS) DescribeAccessEntry(_ context.Context, in *eks.DescribeAccessEntryInput, _ ...func(*eks.Options)) (*eks.DescribeAccessEntryOutput, error) {
	f.calls["DescribeAccessEntry"]++
	return &eks.DescribeAccessEntryOutput{AccessEntry: &types.AccessEntry{PrincipalArn: in.PrincipalArn, Type: aws.String("STANDARD"), Username: aws.String("u")}}, nil
}

func (f *pagedEKS) ListAssociatedAccessPolicies(_ context.Context, in *eks.ListAssociatedAccessPoliciesInput, _ ...func(*eks.Options)) (*eks.ListAssociatedAccessPoliciesOutput, error) {
	f.calls["ListAssociatedAccessPolicies"]++
	items, next, err := page(f.policies[aws.ToString(in.PrincipalArn)], in.NextToken)
	return &eks.ListAssociatedAccessPoliciesOutput{AssociatedAccessPolicies: items, NextToken: next}, err
}

func TestDiagnosePagesAndPartition(t *testing.T) {
	target := "arn:aws-cn:iam::222222222222:role/teams/x/eks-admin"
	var ents []string
	for i := range 5 {
		ents = append(ents, fmt.Sprintf("arn:aws-cn:iam::222222222222:role/r%d", i))
	}
	ents = append(ents, target)
	var pols []types.AssociatedAccessPolicy
	var want []Policy
	for _, ns := range []string{"a", "b", "c"} {
		arn := "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
		pols = append(pols, types.AssociatedAccessPolicy{PolicyArn: aws.String(arn), AccessScope: &types.AccessScope{Type: types.AccessScopeTypeNamespace, Namespaces: []string{ns}}})
		want = append(want, Policy{ARN: arn, Name: "AmazonEKSEditPolicy", Scope: "namespace", Namespaces: []string{ns}})
	}
	f := &pagedEKS{partition: "aws-cn", mode: types.AuthenticationModeApi, entries: ents, policies: map[string][]types.AssociatedAccessPolicy{target: pols}, calls: map[string]int{}}

	r, err := Diagnose(context.Background(), f, "demo", "cn-north-1", "arn:aws-cn:sts::222222222222:assumed-role/eks-admin/s")
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != Allowed || r.PrincipalWithPath != target || r.Entry == nil {
		t.Fatalf("verdict %s, with path %q, entry %+v; want allowed through %s", r.Verdict, r.PrincipalWithPath, r.Entry, target)
	}
	if diff := cmp.Diff(want, r.Entry.Policies); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"DescribeCluster": 1, "ListAccessEntries": 3, "DescribeAccessEntry": 1, "ListAssociatedAccessPolicies": 2}, f.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}

	// Not found in aws-cn: the fix names the aws-cn access policy.
	f.entries, f.calls = ents[:5], map[string]int{}
	r, err = Diagnose(context.Background(), f, "demo", "cn-north-1", "arn:aws-cn:sts::222222222222:assumed-role/eks-admin/s")
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != Denied || r.Fix == nil {
		t.Fatalf("verdict %s, fix %v; want denied with a fix", r.Verdict, r.Fix)
	}
	for _, s := range []string{"arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "arn:aws-cn:iam::222222222222:role/eks-admin", "--region cn-north-1"} {
		if !strings.Contains(r.Fix.Terraform+r.Fix.CLI, s) {
			t.Errorf("fix lacks %q:\n%s\n%s", s, r.Fix.Terraform, r.Fix.CLI)
		}
	}
	if f.calls["ListAccessEntries"] != 3 {
		t.Errorf("ListAccessEntries called %d times, want 3 pages", f.calls["ListAccessEntries"])
	}
}

func TestDiagnoseUnmappable(t *testing.T) {
	for _, arn := range []string{"arn:aws:sts::222222222222:federated-user/carol", "arn:aws:iam::222222222222:root"} {
		t.Run(arn, func(t *testing.T) {
			f := &pagedEKS{partition: "aws", mode: types.AuthenticationModeApi, calls: map[string]int{}}
			r, err := Diagnose(context.Background(), f, "demo", "eu-west-1", arn)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != Denied || r.ExitCode() != 1 || r.Fix != nil {
				t.Errorf("verdict %s exit %d fix %v; want denied, 1, no fix", r.Verdict, r.ExitCode(), r.Fix)
			}
			if f.calls["ListAccessEntries"] != 0 {
				t.Error("access entries were listed for a principal that cannot be in one")
			}
			var buf bytes.Buffer
			if err := r.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"cannot be mapped", "IAM role", "DENIED"} {
				if !strings.Contains(buf.String(), s) {
					t.Errorf("text lacks %q:\n%s", s, buf.String())
				}
			}
		})
	}
}

func TestShellAndHCLQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"demo":                  "demo",
		"arn:aws:iam::1:role/a": "arn:aws:iam::1:role/a",
		"my cluster":            "'my cluster'",
		"it's":                  `'it'\''s'`,
		"$(rm -rf /)":           "'$(rm -rf /)'",
		"":                      "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
	if got, want := hclString(`a"${b}`), `"a\"$${b}"`; got != want {
		t.Errorf("hclString = %s, want %s", got, want)
	}
	if got := tfName("AWSReservedSSO_Admin_0a1b"); got != "awsreservedsso_admin_0a1b" {
		t.Errorf("tfName = %s", got)
	}
	if got := tfName("9lives+x"); got != "p_9lives_x" {
		t.Errorf("tfName = %s", got)
	}
}
