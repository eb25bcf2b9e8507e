package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrincipalOf(t *testing.T) {
	tests := []struct {
		in   string
		want Principal
	}{
		{"arn:aws:sts::222222222222:assumed-role/eks-admin/alice", Principal{
			ARN: "arn:aws:iam::222222222222:role/eks-admin", Partition: "aws", Account: "222222222222",
			Kind: KindRole, Name: "eks-admin", SessionName: "alice", PathDropped: true}},
		{"arn:aws-cn:sts::222222222222:assumed-role/ops/i-0abc@x.com", Principal{
			ARN: "arn:aws-cn:iam::222222222222:role/ops", Partition: "aws-cn", Account: "222222222222",
			Kind: KindRole, Name: "ops", SessionName: "i-0abc@x.com", PathDropped: true}},
		{"arn:aws-us-gov:sts::333333333333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/bob", Principal{
			ARN: "arn:aws-us-gov:iam::333333333333:role/AWSReservedSSO_Admin_0123456789abcdef", Partition: "aws-us-gov", Account: "333333333333",
			Kind: KindRole, Name: "AWSReservedSSO_Admin_0123456789abcdef", SessionName: "bob", PathDropped: true}},
		{"arn:aws:iam::111111111111:user/alice", Principal{
			ARN: "arn:aws:iam::111111111111:user/alice", Partition: "aws", Account: "111111111111", Kind: KindUser, Name: "alice"}},
		{"arn:aws:iam::111111111111:user/ops/team/alice", Principal{
			ARN: "arn:aws:iam::111111111111:user/ops/team/alice", Partition: "aws", Account: "111111111111", Kind: KindUser, Name: "alice"}},
		{"arn:aws:iam::111111111111:role/platform/eks-admin", Principal{
			ARN: "arn:aws:iam::111111111111:role/platform/eks-admin", Partition: "aws", Account: "111111111111", Kind: KindRole, Name: "eks-admin"}},
		{"arn:aws:sts::111111111111:federated-user/carol", Principal{
			ARN: "arn:aws:sts::111111111111:federated-user/carol", Partition: "aws", Account: "111111111111", Kind: KindFederatedUser, Name: "carol"}},
		{"arn:aws:iam::111111111111:root", Principal{
			ARN: "arn:aws:iam::111111111111:root", Partition: "aws", Account: "111111111111", Kind: KindRoot, Name: "root"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := PrincipalOf(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PrincipalOf (-want +got):\n%s", diff)
			}
			if want := tt.want.Kind == KindRole || tt.want.Kind == KindUser; got.Mappable() != want {
				t.Errorf("Mappable() = %v, want %v", got.Mappable(), want)
			}
		})
	}
}

func TestPrincipalOfRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"not-an-arn",
		"arn:aws:sts::222222222222:assumed-role/eks-admin",          // no session
		"arn:aws:sts::222222222222:assumed-role/eks-admin/a/b",      // too many segments
		"arn:aws:sts::222222222222:assumed-role//alice",             // empty role
		"arn:aws:sts::2222:assumed-role/eks-admin/alice",            // short account
		"arn:aws:sts:us-east-1:222222222222:assumed-role/r/s",       // regional
		"arn:gcp:sts::222222222222:assumed-role/r/s",                // partition
		"arn:aws:iam::222222222222:group/admins",                    // not a principal
		"arn:aws:eks:eu-west-1:222222222222:cluster/demo",           // not IAM
		"arn:aws:iam::222222222222:user/",                           // empty name
		"arn:aws:sts::222222222222:federated-user/carol/extra/bits", // malformed
	} {
		if p, err := PrincipalOf(in); err == nil {
			t.Errorf("PrincipalOf(%q) = %+v, want an error", in, p)
		}
	}
}

func TestMatchEntry(t *testing.T) {
	p, err := PrincipalOf("arn:aws:sts::222222222222:assumed-role/eks-admin/alice")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		arns      []string
		want      string
		ambiguous bool
	}{
		{"none", []string{"arn:aws:iam::222222222222:role/other"}, "", false},
		{"exact", []string{"arn:aws:iam::222222222222:role/eks-admin"}, "arn:aws:iam::222222222222:role/eks-admin", false},
		{"path", []string{"arn:aws:iam::222222222222:role/x", "arn:aws:iam::222222222222:role/platform/team/eks-admin"}, "arn:aws:iam::222222222222:role/platform/team/eks-admin", false},
		{"other account", []string{"arn:aws:iam::111111111111:role/platform/eks-admin"}, "", false},
		{"other partition", []string{"arn:aws-cn:iam::222222222222:role/eks-admin"}, "", false},
		{"name is a suffix only", []string{"arn:aws:iam::222222222222:role/my-eks-admin"}, "", false},
		{"user of that name", []string{"arn:aws:iam::222222222222:user/eks-admin"}, "", false},
		{"exact preferred over path", []string{"arn:aws:iam::222222222222:role/p/eks-admin", "arn:aws:iam::222222222222:role/eks-admin"}, "arn:aws:iam::222222222222:role/eks-admin", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cands := matchEntry(p, tt.arns, "")
			if got != tt.want || (len(cands) > 0) != tt.ambiguous {
				t.Errorf("matchEntry = %q, %v; want %q, ambiguous %v", got, cands, tt.want, tt.ambiguous)
			}
		})
	}
}
