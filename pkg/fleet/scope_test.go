package fleet

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

func TestParseAccounts(t *testing.T) {
	got, err := ParseAccounts([]string{"333333333333", " 111111111111", "333333333333"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"111111111111", "333333333333"}, got); diff != "" {
		t.Errorf("ParseAccounts (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"12345678901", "1234567890123", "12345678901a", ""} {
		_, err := ParseAccounts([]string{"111111111111", bad})
		if err == nil || !strings.Contains(err.Error(), `"`+bad+`"`) {
			t.Errorf("ParseAccounts(%q) = %v, want an error naming it", bad, err)
		}
	}
}

func TestParseRegions(t *testing.T) {
	got, err := ParseRegions([]string{"us-east-1", "eu-west-1", "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"eu-west-1", "us-east-1"}, got); diff != "" {
		t.Errorf("ParseRegions (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"eu-west-1", "moon-1"}, `invalid region "moon-1"`},
		{[]string{"eu-west-1", ""}, `invalid region ""`},
		{[]string{"eu-west-1", "cn-north-1"}, "different AWS partitions"},
	} {
		if _, err := ParseRegions(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRegions(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestAccountRole(t *testing.T) {
	tests := []struct {
		spec, partition string
		want            chain.Hop
	}{
		{"eks-admin", "aws", chain.Hop{RoleARN: "arn:aws:iam::222222222222:role/eks-admin"}},
		{"eks-admin,external-id=platform,duration=30m,session-name=fleet", "aws",
			chain.Hop{RoleARN: "arn:aws:iam::222222222222:role/eks-admin", ExternalID: "platform", Duration: 30 * time.Minute, SessionName: "fleet"}},
		{"platform/eks-admin", "aws-cn", chain.Hop{RoleARN: "arn:aws-cn:iam::222222222222:role/platform/eks-admin"}},
		{"role/eks-admin", "aws", chain.Hop{RoleARN: "arn:aws:iam::222222222222:role/eks-admin"}},
	}
	for _, tt := range tests {
		ar, err := ParseAccountRole(tt.spec, "111111111111")
		if err != nil {
			t.Fatalf("ParseAccountRole(%q): %v", tt.spec, err)
		}
		got, err := ar.Hop("222222222222", tt.partition)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q: Hop (-want +got):\n%s", tt.spec, diff)
		}
	}
	for _, tt := range []struct{ spec, want string }{
		{"", "want a role name"},
		{"arn:aws:iam::222222222222:role/eks-admin", "give the role name only"},
		{"eks admin", `role name "eks admin"`},
		{"eks-admin,external-id=x", `external ID "x"`},
		{"eks-admin,colour=blue", `unknown setting "colour"`},
		{"eks-admin,duration=13h", `duration "13h"`},
	} {
		if _, err := ParseAccountRole(tt.spec, "111111111111"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseAccountRole(%q) = %v, want %q", tt.spec, err, tt.want)
		}
	}
}

func TestNamer(t *testing.T) {
	c := Found{Target: Target{Account: "222222222222", Region: "eu-west-1"}, Name: "prod", ARN: "arn:aws:eks:eu-west-1:222222222222:cluster/prod"}
	for _, tt := range []struct{ tmpl, want string }{
		{"", c.ARN},
		{"{{.Name}}", "prod"},
		{"{{.Account}}-{{.Region}}-{{.Name}}", "222222222222-eu-west-1-prod"},
		{`{{if eq .Region "eu-west-1"}}eu{{else}}{{.Region}}{{end}}/{{.Name}}`, "eu/prod"},
		{`{{if ne .Region "eu-west-1"}}x{{else if not .Name}}y{{else if .Account}}{{"acct"}}{{end}}-{{/* note */}}{{.Name}}`, "acct-prod"},
	} {
		n, err := ParseAliasTemplate(tt.tmpl)
		if err != nil {
			t.Fatalf("%q: %v", tt.tmpl, err)
		}
		if got, err := n.Name(c); err != nil || got != tt.want {
			t.Errorf("%q: Name = %q, %v; want %q", tt.tmpl, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ tmpl, want string }{
		{"{{.Name", "is not a Go template"},
		{"{{.Cluster}}", "can't evaluate field Cluster"},
		{"{{.Name.Length}}", "can't evaluate field Name.Length"},
		{"{{.Name | printf}}", "is not a Go template"},
		{"{{range .Name}}x{{end}}", "supports text, {{.Name}}"},
		{"{{with .Name}}x{{end}}", "supports text, {{.Name}}"},
		{"{{$x := .Name}}{{$x}}", "supports text, {{.Name}}"},
		{`{{define "x"}}a{{end}}{{template "x"}}`, "not supported"},
		{`{{if eq .Name}}x{{end}}`, "supports text, {{.Name}}"},
	} {
		if _, err := ParseAliasTemplate(tt.tmpl); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseAliasTemplate(%q) = %v, want %q", tt.tmpl, err, tt.want)
		}
	}
	for _, tt := range []struct{ tmpl, want string }{
		{"{{.Name}}\n{{.Region}}", `gives not a usable context name: "demo\nus-east-1" holds the control character U+000A at byte 4`},
		{strings.Repeat("x", 1<<20), "…(1048576 bytes) is 1048576 bytes, more than 253"},
	} {
		_, err := ParseAliasTemplate(tt.tmpl)
		if !errors.Is(err, ErrBadContextName) || !strings.Contains(err.Error(), tt.want) || len(err.Error()) > 300 {
			t.Errorf("ParseAliasTemplate(%.20q) = %.400v, want %q", tt.tmpl, err, tt.want)
		}
	}
	// A control character that only some clusters' data bring: refused
	// when naming them.
	bell, _ := ParseAliasTemplate("{{if eq .Name \"prod\"}}\a{{end}}{{.Name}}")
	if _, err := bell.Name(c); !errors.Is(err, ErrBadContextName) || !strings.Contains(err.Error(), "--alias-template for "+c.ARN) {
		t.Errorf("bell: %v", err)
	}
	n, _ := ParseAliasTemplate(`{{if ne .Name "prod"}}{{.Name}}{{end}}  `)
	if _, err := n.Name(c); err == nil || !strings.Contains(err.Error(), "empty context name for "+c.ARN) {
		t.Errorf("empty name: %v", err)
	}
}
