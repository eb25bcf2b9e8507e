package access

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const (
	acct       = "222222222222"
	region     = "eu-west-1"
	pathRole   = "arn:aws:iam::222222222222:role/platform/eks-admin"
	plainRole  = "arn:aws:iam::222222222222:role/deployer"
	adminARN   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
	viewARN    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
	clusterARN = "arn:aws:eks:eu-west-1:222222222222:cluster/demo"
	caPEM      = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
)

// entries are the access entries of the test clusters: the role with a
// path (admin, plus view in two namespaces) and an entry that lets its
// principal in with nothing authorized.
var entries = []fakeaws.AccessEntry{
	{PrincipalARN: "arn:aws:iam::222222222222:role/unrelated"},
	{PrincipalARN: pathRole, Username: "admin:{{SessionName}}", Groups: []string{"platform"}, Policies: []fakeaws.AccessPolicy{
		{PolicyARN: adminARN},
		{PolicyARN: viewARN, ScopeType: "namespace", Namespaces: []string{"dev", "qa"}},
	}},
	{PrincipalARN: "arn:aws:iam::222222222222:user/bob", Groups: []string{"readers"}},
	{PrincipalARN: "arn:aws:iam::222222222222:role/empty"},
}

type caller struct {
	arn    string
	client *eks.Client
}

func newServer(t *testing.T, mode string, ents []fakeaws.AccessEntry) *fakeaws.Server {
	t.Helper()
	s := fakeaws.New(fakeaws.Options{})
	t.Cleanup(s.Close)
	s.AddCluster(fakeaws.Cluster{Name: "demo", Region: region, Account: acct, Endpoint: "https://demo.example", CAData: []byte(caPEM), AuthMode: mode, AccessEntries: ents})
	return s
}

func clientFor(s *fakeaws.Server, c fakeaws.Credentials, region string) *eks.Client {
	return eks.New(eks.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		Retryer:      aws.NopRetryer{},
	})
}

func roleCaller(t *testing.T, s *fakeaws.Server, roleARN, session string) caller {
	t.Helper()
	c, ok := s.AddSession(roleARN, session, time.Hour)
	if !ok {
		t.Fatalf("AddSession(%s) failed", roleARN)
	}
	return caller{c.ARN, clientFor(s, c, region)}
}

func userCaller(s *fakeaws.Server, name string) caller {
	c := s.AddUser(acct, name)
	return caller{c.ARN, clientFor(s, c, region)}
}

var ignore = cmp.Options{cmpopts.IgnoreUnexported(Report{}), cmpopts.IgnoreFields(Report{}, "CAData", "Notes", "Reason", "Fix", "PathSource")}

func okChecks(apis ...string) []Check {
	cs := []Check{}
	for _, a := range apis {
		cs = append(cs, Check{API: a, OK: true})
	}
	return cs
}

func TestDiagnose(t *testing.T) {
	pathPrincipal := Principal{ARN: "arn:aws:iam::222222222222:role/eks-admin", Partition: "aws", Account: acct, Kind: KindRole, Name: "eks-admin", SessionName: "alice", PathDropped: true}
	deployer := Principal{ARN: plainRole, Partition: "aws", Account: acct, Kind: KindRole, Name: "deployer", SessionName: "ci", PathDropped: true}
	base := Report{Cluster: "demo", Region: region, ClusterARN: clusterARN, Endpoint: "https://demo.example"}
	with := func(f func(r *Report)) Report {
		r := base
		f(&r)
		return r
	}
	adminEntry := &Entry{PrincipalARN: pathRole, Described: true, Type: "STANDARD", Username: "admin:{{SessionName}}", Groups: []string{"platform"}, PoliciesKnown: true, Policies: []Policy{
		{ARN: adminARN, Name: "AmazonEKSClusterAdminPolicy", Scope: "cluster"},
		{ARN: viewARN, Name: "AmazonEKSViewPolicy", Scope: "namespace", Namespaces: []string{"dev", "qa"}},
	}}
	all := []string{"eks:DescribeCluster", "eks:ListAccessEntries", "eks:DescribeAccessEntry", "eks:ListAssociatedAccessPolicies"}

	tests := []struct {
		name  string
		mode  string
		setup func(t *testing.T, s *fakeaws.Server) caller
		want  Report
		// fix fields expected non-empty
		fixes []string
		// strings the notes must hold
		notes []string
	}{
		{
			name: "api mode, role with a path found",
			mode: ModeAPI,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				return roleCaller(t, s, pathRole, "alice")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.Principal, r.PrincipalWithPath = ModeAPI, "arn:aws:sts::222222222222:assumed-role/eks-admin/alice", pathPrincipal, pathRole
				r.Entry, r.Checked, r.Verdict = adminEntry, okChecks(all...), Allowed
			}),
			notes: []string{"STS drops the role path", pathRole},
		},
		{
			name: "api_and_config_map, role with a path found",
			mode: ModeAPIAndConfigMap,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				return roleCaller(t, s, pathRole, "alice")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.Principal, r.PrincipalWithPath = ModeAPIAndConfigMap, "arn:aws:sts::222222222222:assumed-role/eks-admin/alice", pathPrincipal, pathRole
				r.Entry, r.Checked, r.Verdict = adminEntry, okChecks(all...), Allowed
			}),
		},
		{
			name: "api mode, absent",
			mode: ModeAPI,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				return roleCaller(t, s, plainRole, "ci")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.Principal = ModeAPI, "arn:aws:sts::222222222222:assumed-role/deployer/ci", deployer
				r.Checked, r.Verdict = okChecks("eks:DescribeCluster", "eks:ListAccessEntries"), Denied
			}),
			fixes: []string{"Terraform", "CLI"},
			notes: []string{"aws iam get-role --role-name deployer"},
		},
		{
			name: "api_and_config_map, absent",
			mode: ModeAPIAndConfigMap,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				return roleCaller(t, s, plainRole, "ci")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.Principal = ModeAPIAndConfigMap, "arn:aws:sts::222222222222:assumed-role/deployer/ci", deployer
				r.Checked, r.Verdict = okChecks("eks:DescribeCluster", "eks:ListAccessEntries"), Unknown
			}),
			fixes: []string{"Terraform", "CLI", "AWSAuth"},
		},
		{
			name: "config_map",
			mode: ModeConfigMap,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				return roleCaller(t, s, pathRole, "alice")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.Principal = ModeConfigMap, "arn:aws:sts::222222222222:assumed-role/eks-admin/alice", pathPrincipal
				r.Checked, r.Verdict = okChecks("eks:DescribeCluster"), Unknown
			}),
			fixes: []string{"AWSAuth", "SwitchMode"},
			notes: []string{"created the cluster"},
		},
		{
			name: "iam user found",
			mode: ModeAPI,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				return userCaller(s, "bob")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.PrincipalWithPath = ModeAPI, "arn:aws:iam::222222222222:user/bob", "arn:aws:iam::222222222222:user/bob"
				r.Principal = Principal{ARN: "arn:aws:iam::222222222222:user/bob", Partition: "aws", Account: acct, Kind: KindUser, Name: "bob"}
				r.Entry = &Entry{PrincipalARN: "arn:aws:iam::222222222222:user/bob", Described: true, Type: "STANDARD", Username: "arn:aws:iam::222222222222:user/bob", Groups: []string{"readers"}, PoliciesKnown: true, Policies: []Policy{}}
				r.Checked, r.Verdict = okChecks(all...), Allowed
			}),
			notes: []string{"RoleBindings", "readers"},
		},
		{
			name: "found with nothing authorized",
			mode: ModeAPI,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				return roleCaller(t, s, "arn:aws:iam::222222222222:role/empty", "e")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.PrincipalWithPath = ModeAPI, "arn:aws:sts::222222222222:assumed-role/empty/e", "arn:aws:iam::222222222222:role/empty"
				r.Principal = Principal{ARN: "arn:aws:iam::222222222222:role/empty", Partition: "aws", Account: acct, Kind: KindRole, Name: "empty", SessionName: "e", PathDropped: true}
				r.Entry = &Entry{PrincipalARN: "arn:aws:iam::222222222222:role/empty", Described: true, Type: "STANDARD", Username: "arn:aws:sts::222222222222:assumed-role/empty/{{SessionName}}", Groups: []string{}, PoliciesKnown: true, Policies: []Policy{}}
				r.Checked, r.Verdict = okChecks(all...), Allowed
			}),
			fixes: []string{"Terraform", "CLI"},
			notes: []string{"authorized to do nothing"},
		},
		{
			name: "ListAccessEntries refused, role with a path",
			mode: ModeAPI,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				s.DenyEKS(pathRole, "ListAccessEntries")
				return roleCaller(t, s, pathRole, "alice")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.Principal = ModeAPI, "arn:aws:sts::222222222222:assumed-role/eks-admin/alice", pathPrincipal
				r.Checked = []Check{{API: "eks:DescribeCluster", OK: true},
					{API: "eks:ListAccessEntries", MissingPermission: "eks:ListAccessEntries", Error: "AccessDeniedException"},
					{API: "eks:DescribeAccessEntry", Error: "ResourceNotFoundException"}}
				r.Verdict = Unknown
			}),
			fixes: []string{"Terraform", "CLI", "IAMPolicy"},
			notes: []string{"may not call eks:ListAccessEntries", "cannot be ruled out"},
		},
		{
			name: "ListAccessEntries refused, entry without a path still found",
			mode: ModeAPI,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				s.DenyEKS("arn:aws:iam::222222222222:role/empty", "ListAccessEntries")
				s.DenyEKS("arn:aws:iam::222222222222:role/empty", "ListAssociatedAccessPolicies")
				return roleCaller(t, s, "arn:aws:iam::222222222222:role/empty", "e")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.PrincipalWithPath = ModeAPI, "arn:aws:sts::222222222222:assumed-role/empty/e", "arn:aws:iam::222222222222:role/empty"
				r.Principal = Principal{ARN: "arn:aws:iam::222222222222:role/empty", Partition: "aws", Account: acct, Kind: KindRole, Name: "empty", SessionName: "e", PathDropped: true}
				r.Entry = &Entry{PrincipalARN: "arn:aws:iam::222222222222:role/empty", Described: true, Type: "STANDARD", Username: "arn:aws:sts::222222222222:assumed-role/empty/{{SessionName}}", Groups: []string{}, Policies: []Policy{}}
				r.Checked = []Check{{API: "eks:DescribeCluster", OK: true},
					{API: "eks:ListAccessEntries", MissingPermission: "eks:ListAccessEntries", Error: "AccessDeniedException"},
					{API: "eks:DescribeAccessEntry", OK: true},
					{API: "eks:ListAssociatedAccessPolicies", MissingPermission: "eks:ListAssociatedAccessPolicies", Error: "AccessDeniedException"}}
				r.Verdict = Allowed
			}),
			fixes: []string{"IAMPolicy"},
			notes: []string{"access policies could not be read"},
		},
		{
			name: "DescribeAccessEntry refused, entry listed",
			mode: ModeAPI,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				s.DenyEKS(pathRole, "DescribeAccessEntry")
				return roleCaller(t, s, pathRole, "alice")
			},
			want: with(func(r *Report) {
				r.AuthMode, r.CallerARN, r.Principal, r.PrincipalWithPath = ModeAPI, "arn:aws:sts::222222222222:assumed-role/eks-admin/alice", pathPrincipal, pathRole
				r.Entry = &Entry{PrincipalARN: pathRole, Groups: []string{}, PoliciesKnown: true, Policies: adminEntry.Policies}
				r.Checked = []Check{{API: "eks:DescribeCluster", OK: true}, {API: "eks:ListAccessEntries", OK: true},
					{API: "eks:DescribeAccessEntry", MissingPermission: "eks:DescribeAccessEntry", Error: "AccessDeniedException"},
					{API: "eks:ListAssociatedAccessPolicies", OK: true}}
				r.Verdict = Allowed
			}),
			fixes: []string{"IAMPolicy"},
			notes: []string{"eks:DescribeAccessEntry"},
		},
		{
			name: "DescribeCluster refused, CONFIG_MAP inferred",
			mode: ModeConfigMap,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				s.DenyEKS(plainRole, "DescribeCluster")
				return roleCaller(t, s, plainRole, "ci")
			},
			want: Report{Cluster: "demo", Region: region, AuthMode: ModeConfigMap, CallerARN: "arn:aws:sts::222222222222:assumed-role/deployer/ci", Principal: deployer,
				Checked: []Check{{API: "eks:DescribeCluster", MissingPermission: "eks:DescribeCluster", Error: "AccessDeniedException"},
					{API: "eks:ListAccessEntries", Error: "InvalidRequestException"}},
				Verdict: Unknown},
			fixes: []string{"AWSAuth", "SwitchMode", "IAMPolicy"},
			notes: []string{"InvalidRequestException"},
		},
		{
			name: "DescribeCluster refused, entry found",
			mode: ModeAPIAndConfigMap,
			setup: func(t *testing.T, s *fakeaws.Server) caller {
				s.DenyEKS(pathRole, "DescribeCluster")
				return roleCaller(t, s, pathRole, "alice")
			},
			want: Report{Cluster: "demo", Region: region, CallerARN: "arn:aws:sts::222222222222:assumed-role/eks-admin/alice", Principal: pathPrincipal, PrincipalWithPath: pathRole,
				Entry: adminEntry,
				Checked: append([]Check{{API: "eks:DescribeCluster", MissingPermission: "eks:DescribeCluster", Error: "AccessDeniedException"}},
					okChecks(all[1:]...)...),
				Verdict: Allowed},
			fixes: []string{"IAMPolicy"},
			notes: []string{"API or API_AND_CONFIG_MAP"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.mode, entries)
			c := tt.setup(t, s)
			got, err := Diagnose(context.Background(), c.client, "demo", region, c.arn)
			if err != nil {
				t.Fatalf("Diagnose: %v", err)
			}
			tt.want.Notes = nil
			if tt.want.Checked == nil {
				tt.want.Checked = []Check{}
			}
			if diff := cmp.Diff(tt.want, got, ignore); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if got.Reason == "" {
				t.Error("no reason given")
			}
			if want := 1; got.Verdict == Allowed {
				if got.ExitCode() != 0 {
					t.Errorf("ExitCode = %d, want 0", got.ExitCode())
				}
			} else if got.ExitCode() != want {
				t.Errorf("ExitCode = %d, want %d", got.ExitCode(), want)
			}
			var fixes []string
			if f := got.Fix; f != nil {
				for name, v := range map[string]string{"Terraform": f.Terraform, "CLI": f.CLI, "AWSAuth": f.AWSAuth, "SwitchMode": f.SwitchMode, "IAMPolicy": f.IAMPolicy} {
					if v != "" {
						fixes = append(fixes, name)
					}
				}
			}
			if diff := cmp.Diff(tt.fixes, fixes, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("fixes given (-want +got):\n%s", diff)
			}
			notes := strings.Join(got.Notes, "\n")
			for _, n := range tt.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			if f := got.Fix; f != nil {
				arn := got.FixARN()
				for name, v := range map[string]string{"Terraform": f.Terraform, "CLI": f.CLI} {
					if v != "" && !strings.Contains(v, arn) {
						t.Errorf("%s fix lacks the principal ARN %s:\n%s", name, arn, v)
					}
				}
				if f.AWSAuth != "" {
					if strings.Contains(f.AWSAuth, "role/platform/") {
						t.Errorf("aws-auth fix carries the role path:\n%s", f.AWSAuth)
					}
					if !strings.Contains(f.AWSAuth, got.Principal.ARN) {
						t.Errorf("aws-auth fix lacks %s:\n%s", got.Principal.ARN, f.AWSAuth)
					}
				}
			}
			golden(t, got)
			jsonRoundTrip(t, got)
		})
	}
}

// golden compares the text rendering with testdata/NAME.txt.
func golden(t *testing.T, r Report) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	name := strings.NewReplacer(" ", "_", ",", "", "/", "_").Replace(t.Name())
	path := filepath.Join("testdata", name+".txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("text output differs from %s (-want +got):\n%s", path, diff)
	}
}

func jsonRoundTrip(t *testing.T, r Report) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not parse back: %v\n%s", err, buf.String())
	}
	if diff := cmp.Diff(r, back, cmpopts.IgnoreUnexported(Report{}), cmpopts.IgnoreFields(Report{}, "CAData")); diff != "" {
		t.Errorf("JSON round trip (-wrote +read):\n%s", diff)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cluster", "region", "authMode", "callerArn", "principal", "checked", "notes", "verdict", "reason"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("JSON lacks field %q:\n%s", k, buf.String())
		}
	}
}

func TestDiagnoseClusterNotFound(t *testing.T) {
	for _, tt := range []struct{ name, cluster, region string }{
		{"unknown name", "nope", region},
		{"other region", "demo", "us-east-1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, ModeAPI, entries)
			c, _ := s.AddSession(pathRole, "alice", time.Hour)
			_, err := Diagnose(context.Background(), clientFor(s, c, tt.region), tt.cluster, tt.region, c.ARN)
			if !errors.Is(err, ErrClusterNotFound) {
				t.Fatalf("err = %v, want ErrClusterNotFound", err)
			}
			for _, want := range []string{tt.cluster, tt.region, "--region"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestDiagnoseStopsOnOtherFailures(t *testing.T) {
	s := newServer(t, ModeAPI, entries)
	c, _ := s.AddSession(pathRole, "alice", time.Hour)
	s.Fail("ListAccessEntries", 1, 500, "ServerException")
	_, err := Diagnose(context.Background(), clientFor(s, c, region), "demo", region, c.ARN)
	if err == nil || !strings.Contains(err.Error(), "ListAccessEntries") || !strings.Contains(err.Error(), "ServerException") {
		t.Fatalf("err = %v, want a ListAccessEntries ServerException", err)
	}
	if strings.Contains(err.Error(), c.SecretAccessKey) || strings.Contains(err.Error(), c.SessionToken) {
		t.Fatal("error carries a secret")
	}

	// Credentials EKS does not know stop everything too.
	s.Revoke(c.AccessKeyID)
	if _, err := Diagnose(context.Background(), clientFor(s, c, region), "demo", region, c.ARN); err == nil {
		t.Fatal("revoked credentials: no error")
	}

	if _, err := Diagnose(context.Background(), clientFor(s, c, region), "demo", region, "garbage"); err == nil {
		t.Fatal("bad caller ARN: no error")
	}
}

// TestDiagnoseHintsCarryThePath: no access entry yet, so only the chain
// or the Identity Center naming rule knows the role's path; the
// access-entry fixes carry it (EKS refuses the path-less ARN as an
// invalid principal), and the aws-auth fix drops it.
func TestDiagnoseHintsCarryThePath(t *testing.T) {
	teamRole := "arn:aws:iam::222222222222:role/teams/platform/eks-admin"
	ssoUS := "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
	ssoEU := "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"
	tests := []struct {
		name, mode, role string
		hints            Hints
		want, source     string
		refuseList       bool
	}{
		{"hop with a path", ModeAPI, teamRole, Hints{RoleARNs: []string{"arn:aws:iam::111111111111:role/jump", teamRole}}, teamRole, PathFromChain, false},
		{"hop with a path, list refused", ModeAPI, teamRole, Hints{RoleARNs: []string{teamRole}}, teamRole, PathFromChain, true},
		{"Identity Center in us-east-1", ModeAPI, ssoUS, Hints{SSORegion: "us-east-1"}, ssoUS, PathFromSSORule, false},
		{"Identity Center in eu-west-1", ModeAPI, ssoEU, Hints{SSORegion: "eu-west-1"}, ssoEU, PathFromSSORule, false},
		{"Identity Center region unknown", ModeAPI, ssoUS, Hints{}, ssoUS, PathFromSSORule, false},
		{"a hop of another account does not count", ModeAPI, plainRole, Hints{RoleARNs: []string{"arn:aws:iam::333333333333:role/x/deployer"}}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.mode, entries[:1]) // only an unrelated entry
			c := roleCaller(t, s, tt.role, "alice")
			if tt.refuseList {
				s.DenyEKS(tt.role, "ListAccessEntries")
			}
			got, err := DiagnoseWith(context.Background(), c.client, "demo", region, c.arn, tt.hints)
			if err != nil {
				t.Fatal(err)
			}
			if got.Verdict != Denied || got.PrincipalWithPath != tt.want || got.PathSource != tt.source {
				t.Fatalf("verdict %s, with path %q from %q; want denied, %q from %q", got.Verdict, got.PrincipalWithPath, got.PathSource, tt.want, tt.source)
			}
			if tt.want == "" {
				return
			}
			for name, fix := range map[string]string{"Terraform": got.Fix.Terraform, "CLI": got.Fix.CLI} {
				if !strings.Contains(fix, tt.want) || strings.Contains(fix, "path is unknown") {
					t.Errorf("%s fix lacks %s:\n%s", name, tt.want, fix)
				}
			}
			if got.Fix.AWSAuth != "" && strings.Contains(got.Fix.AWSAuth, "aws-reserved") {
				t.Errorf("aws-auth fix carries the path:\n%s", got.Fix.AWSAuth)
			}
			golden(t, got)
		})
	}
}
