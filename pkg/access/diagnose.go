package access

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"
)

// EKSAPI is the part of the EKS API doctor consults. *eks.Client
// satisfies it.
type EKSAPI interface {
	DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, optFns ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
	ListAccessEntries(ctx context.Context, in *eks.ListAccessEntriesInput, optFns ...func(*eks.Options)) (*eks.ListAccessEntriesOutput, error)
	DescribeAccessEntry(ctx context.Context, in *eks.DescribeAccessEntryInput, optFns ...func(*eks.Options)) (*eks.DescribeAccessEntryOutput, error)
	ListAssociatedAccessPolicies(ctx context.Context, in *eks.ListAssociatedAccessPoliciesInput, optFns ...func(*eks.Options)) (*eks.ListAssociatedAccessPoliciesOutput, error)
}

var _ EKSAPI = (*eks.Client)(nil)

// Authentication modes, as DescribeCluster reports them.
const (
	ModeConfigMap       = string(types.AuthenticationModeConfigMap)
	ModeAPIAndConfigMap = string(types.AuthenticationModeApiAndConfigMap)
	ModeAPI             = string(types.AuthenticationModeApi)
)

// Verdict says whether the cluster lets the principal in.
type Verdict string

// Verdicts.
const (
	// Allowed: the cluster authenticates the principal.
	Allowed Verdict = "allowed"
	// Denied: the cluster refuses the principal.
	Denied Verdict = "denied"
	// Unknown: it cannot be told from here.
	Unknown Verdict = "unknown"
)

// ErrClusterNotFound is returned (wrapped) by Diagnose when EKS knows no
// such cluster for the caller's account in the region.
var ErrClusterNotFound = errors.New("cluster not found")

// Entry is the access entry of the principal.
type Entry struct {
	// PrincipalARN is the ARN the entry was created with, role path
	// included.
	PrincipalARN string `json:"principalArn"`
	// Described is false when DescribeAccessEntry could not be called
	// (Type, Username and Groups are then unknown).
	Described bool     `json:"described"`
	Type      string   `json:"type,omitempty"`
	Username  string   `json:"username,omitempty"`
	Groups    []string `json:"groups"`
	// PoliciesKnown is false when ListAssociatedAccessPolicies could not
	// be called.
	PoliciesKnown bool     `json:"policiesKnown"`
	Policies      []Policy `json:"policies"`
}

// Policy is an access policy associated with an access entry.
type Policy struct {
	ARN string `json:"arn"`
	// Name is the last segment of ARN, e.g. AmazonEKSClusterAdminPolicy.
	Name string `json:"name"`
	// Scope is "cluster" or "namespace".
	Scope      string   `json:"scope"`
	Namespaces []string `json:"namespaces,omitempty"`
}

// Check records one EKS API consulted.
type Check struct {
	// API is the IAM action name, e.g. eks:ListAccessEntries.
	API string `json:"api"`
	OK  bool   `json:"ok"`
	// MissingPermission names the IAM action the caller was refused.
	MissingPermission string `json:"missingPermission,omitempty"`
	// Error is the AWS error code of a failed call.
	Error string `json:"error,omitempty"`
}

// Live is the result of a live check against the cluster endpoint.
type Live struct {
	// Status is the HTTP status of GET /version, 0 when the call failed.
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Report is what doctor found.
type Report struct {
	Cluster    string `json:"cluster"`
	Region     string `json:"region"`
	ClusterARN string `json:"clusterArn,omitempty"`
	// Endpoint and CAData (PEM) come from DescribeCluster, for LiveCheck.
	Endpoint string `json:"endpoint,omitempty"`
	CAData   []byte `json:"-"`
	// AuthMode is CONFIG_MAP, API_AND_CONFIG_MAP or API; empty when it
	// could not be learnt.
	AuthMode  string    `json:"authMode"`
	CallerARN string    `json:"callerArn"`
	Principal Principal `json:"principal"`
	// PrincipalWithPath is the principal's IAM ARN with its path, when
	// known: the matched access entry's ARN, or Principal.ARN when STS
	// did not drop a path (IAM users).
	PrincipalWithPath string `json:"principalWithPath,omitempty"`
	// PathSource says where PrincipalWithPath came from: PathFromEntry,
	// PathFromChain, PathFromSSORule, or PathFromCaller.
	PathSource string   `json:"pathSource,omitempty"`
	Entry      *Entry   `json:"entry,omitempty"`
	Checked    []Check  `json:"checked"`
	Live       *Live    `json:"live,omitempty"`
	Notes      []string `json:"notes"`
	Verdict    Verdict  `json:"verdict"`
	// Reason is the verdict in one sentence.
	Reason string `json:"reason"`
	Fix    *Fix   `json:"fix,omitempty"`

	listed      bool // ListAccessEntries answered
	entryAbsent bool // it is known that no access entry maps the principal
	missing     []string
}

// FixARN is the principal ARN to put in an access entry: the ARN with its
// path when known, else the ARN STS implies (no path).
func (r *Report) FixARN() string {
	if r.PrincipalWithPath != "" {
		return r.PrincipalWithPath
	}
	return r.Principal.ARN
}

// ExitCode is doctor's exit code: 0 when the principal gets in, 1 when it
// does not or it cannot be told.
func (r Report) ExitCode() int {
	if r.Verdict == Allowed {
		return 0
	}
	return 1
}

// Where a principal's path came from (Report.PathSource).
const (
	// PathFromEntry: the access entry that matches the role by name.
	PathFromEntry = "access entry"
	// PathFromChain: the chain's role ARN (a --role-arn hop or the
	// profile's role_arn) for the same account and role name.
	PathFromChain = "chain"
	// PathFromSSORule: IAM Identity Center's naming rule for
	// AWSReservedSSO_* permission-set roles.
	PathFromSSORule = "Identity Center naming rule"
	// PathFromCaller: the caller ARN itself (an IAM user or role ARN).
	PathFromCaller = "caller"
)

// Hints is what the caller knows about the principal beyond what STS
// says: STS drops role paths, and an access entry must be created with
// the path.
type Hints struct {
	// RoleARNs are role ARNs from the chain, paths included: the hops'
	// (--role-arn) and the profile's role_arn. The one with the
	// principal's account and role name gives the path.
	RoleARNs []string
	// SSORegion is the IAM Identity Center region when the chain's base
	// is an SSO profile, "" when unknown. Permission-set roles
	// (AWSReservedSSO_*) live under /aws-reserved/sso.amazonaws.com/, plus
	// REGION/ when Identity Center's region is not us-east-1
	// (docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html).
	SSORegion string
}

// ssoRolePrefix starts the name of every IAM Identity Center
// permission-set role.
const ssoRolePrefix = "AWSReservedSSO_"

// pathFromHints returns p's role ARN with its path from what h knows, and
// where it came from; "" when nothing knows it.
func pathFromHints(p Principal, h Hints) (arn, source string) {
	if p.Kind != KindRole || !p.PathDropped {
		return "", ""
	}
	for _, a := range h.RoleARNs {
		part, acct, path, name, ok := splitRoleARN(a)
		if ok && part == p.Partition && acct == p.Account && name == p.Name && path != "/" {
			return a, PathFromChain
		}
	}
	if strings.HasPrefix(p.Name, ssoRolePrefix) {
		path := "/aws-reserved/sso.amazonaws.com/"
		if h.SSORegion != "" && h.SSORegion != "us-east-1" {
			path += h.SSORegion + "/"
		}
		return roleARN(p.Partition, p.Account, path, p.Name), PathFromSSORule
	}
	return "", ""
}

// Diagnose is DiagnoseWith without hints.
func Diagnose(ctx context.Context, api EKSAPI, cluster, region, callerARN string) (Report, error) {
	return DiagnoseWith(ctx, api, cluster, region, callerARN, Hints{})
}

// DiagnoseWith finds out whether cluster (in region) lets in the principal
// behind callerARN, consulting EKS through api with the caller's own
// credentials. Refused EKS calls are recorded in Report.Checked and the
// diagnosis carries on; the error is for what stops everything: a caller
// ARN that is no principal, ErrClusterNotFound, or any other failure of an
// EKS call.
//
// The principal ARN in an access-entry fix carries the role's path
// whenever anything knows it: the matching access entry, else hints.
func DiagnoseWith(ctx context.Context, api EKSAPI, cluster, region, callerARN string, hints Hints) (Report, error) {
	p, err := PrincipalOf(callerARN)
	if err != nil {
		return Report{}, err
	}
	r := Report{Cluster: cluster, Region: region, CallerARN: callerARN, Principal: p, Checked: []Check{}, Notes: []string{}}
	if p.Mappable() && !p.PathDropped {
		r.PrincipalWithPath, r.PathSource = p.ARN, PathFromCaller
	}
	if arn, src := pathFromHints(p, hints); arn != "" {
		r.PrincipalWithPath, r.PathSource = arn, src
	}

	out, err := api.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err := r.record("eks:DescribeCluster", err); err != nil {
		return r, err
	}
	if out != nil && out.Cluster != nil {
		c := out.Cluster
		r.ClusterARN = aws.ToString(c.Arn)
		r.Endpoint = aws.ToString(c.Endpoint)
		if c.CertificateAuthority != nil {
			if ca, err := base64.StdEncoding.DecodeString(aws.ToString(c.CertificateAuthority.Data)); err == nil {
				r.CAData = ca
			}
		}
		if c.AccessConfig != nil {
			r.AuthMode = string(c.AccessConfig.AuthenticationMode)
		}
	}

	if !p.Mappable() {
		r.verdictUnmappable()
		return r, nil
	}
	if r.AuthMode != ModeConfigMap {
		if err := r.lookupEntry(ctx, api); err != nil {
			return r, err
		}
	}
	r.decide()
	return r, nil
}

// record notes the outcome of one EKS call. It returns err for a failure
// that stops the diagnosis and nil for success or a refusal.
func (r *Report) record(action string, err error) error {
	c := Check{API: action, OK: err == nil}
	if err != nil {
		c.Error = errorCode(err)
	}
	switch {
	case err == nil:
	case isCode(err, "AccessDeniedException"):
		c.MissingPermission = action
		r.missing = append(r.missing, action)
	case isCode(err, "ResourceNotFoundException") && action != "eks:DescribeAccessEntry" && action != "eks:ListAssociatedAccessPolicies":
		r.Checked = append(r.Checked, c)
		return fmt.Errorf("%w: no cluster %q in region %s for account %s (clusters are regional: check --region and the account the chain ends in)", ErrClusterNotFound, r.Cluster, r.Region, r.Principal.Account)
	case isCode(err, "ResourceNotFoundException"), isCode(err, "InvalidRequestException"):
		// An absent entry, or CONFIG_MAP mode: the caller interprets.
	default:
		r.Checked = append(r.Checked, c)
		return fmt.Errorf("eks %s for cluster %q: %w", strings.TrimPrefix(action, "eks:"), r.Cluster, err)
	}
	r.Checked = append(r.Checked, c)
	return nil
}

// lookupEntry finds the principal's access entry, its details and
// policies.
func (r *Report) lookupEntry(ctx context.Context, api EKSAPI) error {
	p := r.Principal
	arns, err := listAccessEntries(ctx, api, r.Cluster)
	if err := r.record("eks:ListAccessEntries", err); err != nil {
		return err
	}
	target := r.FixARN()
	switch {
	case err == nil:
		r.listed = true
		if r.AuthMode == "" {
			r.note("The authentication mode is API or API_AND_CONFIG_MAP (access entries can be listed); which one could not be read.")
		}
		match, candidates := matchEntry(p, arns, r.PrincipalWithPath)
		if len(candidates) > 1 {
			r.note(fmt.Sprintf("Several access entries carry the role name %s under different paths (%s); the cluster maps only the one whose path is the role's real path.", p.Name, strings.Join(candidates, ", ")))
		}
		if match == "" {
			r.entryAbsent = true
			return nil
		}
		target = match
		r.PrincipalWithPath, r.PathSource = match, PathFromEntry
		if match != p.ARN {
			r.note(fmt.Sprintf("STS drops the role path from session ARNs; the access entry %s matches the role by account and name, so the role's ARN is taken to be that one.", match))
		}
	case isCode(err, "InvalidRequestException"):
		r.inferConfigMap()
		return nil
	}

	// Describe the entry: the matched one, or, when the list was
	// refused, the ARN STS implies.
	out, err := api.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String(r.Cluster), PrincipalArn: aws.String(target)})
	if err := r.record("eks:DescribeAccessEntry", err); err != nil {
		return err
	}
	e := &Entry{PrincipalARN: target, Groups: []string{}, Policies: []Policy{}}
	switch {
	case err == nil && out.AccessEntry != nil:
		ae := out.AccessEntry
		e.Described = true
		e.PrincipalARN = aws.ToString(ae.PrincipalArn)
		e.Type = aws.ToString(ae.Type)
		e.Username = aws.ToString(ae.Username)
		e.Groups = append(e.Groups, ae.KubernetesGroups...)
		if !r.listed {
			r.PrincipalWithPath, r.PathSource = e.PrincipalARN, PathFromEntry
		}
	case isCode(err, "InvalidRequestException"):
		r.inferConfigMap()
		return nil
	case isCode(err, "ResourceNotFoundException"):
		if r.listed || !p.PathDropped || r.PathSource == PathFromChain {
			r.entryAbsent = true
		} else {
			r.note(fmt.Sprintf("No access entry for %s; one for the role under a path cannot be ruled out without eks:ListAccessEntries.", target))
		}
		return nil
	case !r.listed:
		// Neither listed nor described: nothing is known about an entry.
		return nil
	}

	pols, err := listPolicies(ctx, api, r.Cluster, e.PrincipalARN)
	if err := r.record("eks:ListAssociatedAccessPolicies", err); err != nil {
		return err
	}
	if err == nil {
		e.PoliciesKnown = true
		e.Policies = pols
	}
	r.Entry = e
	return nil
}

func (r *Report) inferConfigMap() {
	if r.AuthMode == "" {
		r.AuthMode = ModeConfigMap
		r.note("The authentication mode is CONFIG_MAP: EKS refused the access-entry call with InvalidRequestException, which it does only in that mode.")
	}
}

// matchEntry picks the access entry that maps p from the listed principal
// ARNs: the exact ARN, else (for a role whose path STS dropped) the role of
// the same partition, account and name under any path. candidates lists
// every same-name role entry when there is more than one.
func matchEntry(p Principal, arns []string, known string) (match string, candidates []string) {
	for _, a := range arns {
		if a == p.ARN {
			match = a
		}
	}
	if p.Kind != KindRole {
		return match, nil
	}
	for _, a := range arns {
		part, acct, _, name, ok := splitRoleARN(a)
		if ok && part == p.Partition && acct == p.Account && name == p.Name {
			candidates = append(candidates, a)
		}
	}
	if match == "" && len(candidates) > 0 {
		match = candidates[0]
		if slices.Contains(candidates, known) {
			match = known // the path the chain names, among several
		}
	}
	if len(candidates) < 2 {
		candidates = nil
	}
	return match, candidates
}

// maxPages bounds paging against a server that keeps returning tokens.
const maxPages = 1000

func listAccessEntries(ctx context.Context, api EKSAPI, cluster string) ([]string, error) {
	var arns []string
	var token *string
	for range maxPages {
		out, err := api.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String(cluster), NextToken: token})
		if err != nil {
			return nil, err
		}
		arns = append(arns, out.AccessEntries...)
		if aws.ToString(out.NextToken) == "" || aws.ToString(out.NextToken) == aws.ToString(token) {
			return arns, nil
		}
		token = out.NextToken
	}
	return nil, fmt.Errorf("more than %d pages of access entries", maxPages)
}

func listPolicies(ctx context.Context, api EKSAPI, cluster, principal string) ([]Policy, error) {
	pols := []Policy{}
	var token *string
	for range maxPages {
		out, err := api.ListAssociatedAccessPolicies(ctx, &eks.ListAssociatedAccessPoliciesInput{ClusterName: aws.String(cluster), PrincipalArn: aws.String(principal), NextToken: token})
		if err != nil {
			return nil, err
		}
		for _, ap := range out.AssociatedAccessPolicies {
			pol := Policy{ARN: aws.ToString(ap.PolicyArn), Scope: "cluster"}
			pol.Name = pol.ARN[strings.LastIndex(pol.ARN, "/")+1:]
			if ap.AccessScope != nil {
				if ap.AccessScope.Type != "" {
					pol.Scope = string(ap.AccessScope.Type)
				}
				if len(ap.AccessScope.Namespaces) > 0 {
					pol.Namespaces = append([]string(nil), ap.AccessScope.Namespaces...)
				}
			}
			pols = append(pols, pol)
		}
		if aws.ToString(out.NextToken) == "" || aws.ToString(out.NextToken) == aws.ToString(token) {
			return pols, nil
		}
		token = out.NextToken
	}
	return nil, fmt.Errorf("more than %d pages of associated access policies", maxPages)
}

func (r *Report) note(s string) { r.Notes = append(r.Notes, s) }

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func isCode(err error, code string) bool { return err != nil && errorCode(err) == code }
