package nodes

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
)

// EKSAPI is the part of the EKS API the report reads. *eks.Client
// satisfies it.
type EKSAPI interface {
	DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, optFns ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
	DescribeClusterVersions(ctx context.Context, in *eks.DescribeClusterVersionsInput, optFns ...func(*eks.Options)) (*eks.DescribeClusterVersionsOutput, error)
	ListNodegroups(ctx context.Context, in *eks.ListNodegroupsInput, optFns ...func(*eks.Options)) (*eks.ListNodegroupsOutput, error)
	DescribeNodegroup(ctx context.Context, in *eks.DescribeNodegroupInput, optFns ...func(*eks.Options)) (*eks.DescribeNodegroupOutput, error)
	ListFargateProfiles(ctx context.Context, in *eks.ListFargateProfilesInput, optFns ...func(*eks.Options)) (*eks.ListFargateProfilesOutput, error)
}

// SSMAPI reads one SSM parameter. *ssm.Client satisfies it.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

var (
	_ EKSAPI = (*eks.Client)(nil)
	_ SSMAPI = (*ssm.Client)(nil)
)

// ErrClusterNotFound is returned (wrapped) by Gather when EKS knows no
// such cluster for the caller's account in the region.
var ErrClusterNotFound = errors.New("cluster not found")

// Input is what Gather needs.
type Input struct {
	Cluster, Region string
	// Partition is the region's AWS partition (aws, aws-cn, ...), for
	// the ARNs in grants.
	Partition string
	// Principal is the ARN the calls are signed as, for messages.
	Principal string
	EKS       EKSAPI
	SSM       SSMAPI
	// ListNodes lists the cluster's nodes at endpoint, trusting caPEM
	// (see the package function ListNodes). Nil: the nodes are unknown.
	ListNodes func(ctx context.Context, endpoint string, caPEM []byte) ([]Node, error)
}

// Gather builds the report. It fails only when the cluster does not exist
// (ErrClusterNotFound) or DescribeCluster fails for a reason other than a
// refusal; every other failure makes its part Unknown.
func Gather(ctx context.Context, in Input) (*Report, error) {
	r := &Report{Cluster: in.Cluster, Region: in.Region}
	endpoint, ca, err := r.controlPlane(ctx, in)
	if err != nil {
		return nil, err
	}
	r.nodeGroups(ctx, in)
	r.fargate(ctx, in)
	r.nodes(ctx, in, endpoint, ca)
	return r, nil
}

// controlPlane fills ControlPlane and AutoMode and returns the endpoint and
// CA for the node list.
func (r *Report) controlPlane(ctx context.Context, in Input) (string, []byte, error) {
	out, err := in.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(in.Cluster)})
	if err != nil {
		if code, msg, denied := refusal(err); denied {
			r.ControlPlane.Unknown = &Unknown{
				Reason: fmt.Sprintf("eks:DescribeCluster was refused (%s: %s)", code, msg),
				Grant:  "IAM: eks:DescribeCluster on " + in.clusterARN(),
			}
			return "", nil, nil
		}
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "ResourceNotFoundException" {
			return "", nil, fmt.Errorf("%w: no cluster %q in %s for %s: check --cluster-name, --region and that the chain ends in the cluster's account", ErrClusterNotFound, in.Cluster, in.Region, in.Principal)
		}
		return "", nil, fmt.Errorf("DescribeCluster %s in %s: %w", in.Cluster, in.Region, err)
	}
	c := out.Cluster
	if c == nil {
		return "", nil, fmt.Errorf("DescribeCluster %s in %s: the answer holds no cluster", in.Cluster, in.Region)
	}
	cp := &r.ControlPlane
	cp.Version, cp.PlatformVersion, cp.Status = aws.ToString(c.Version), aws.ToString(c.PlatformVersion), string(c.Status)
	am := &AutoModeConfig{NodePools: []string{}}
	if cc := c.ComputeConfig; cc != nil && aws.ToBool(cc.Enabled) {
		am.Enabled = true
		am.NodePools = append(am.NodePools, cc.NodePools...)
	}
	r.AutoMode = am
	if cp.Version != "" {
		cp.Support, cp.SupportUnknown = supportStatus(ctx, in.EKS, cp.Version)
	}
	var ca []byte
	if c.CertificateAuthority != nil && aws.ToString(c.CertificateAuthority.Data) != "" {
		if ca, err = base64.StdEncoding.DecodeString(aws.ToString(c.CertificateAuthority.Data)); err != nil {
			ca = nil
		}
	}
	return aws.ToString(c.Endpoint), ca, nil
}

// supportStatus asks DescribeClusterVersions about version. When that is
// refused or fails the status is nil and the Unknown says why (SPEC: a
// denied call makes its part unknown with the permission to grant); when
// EKS does not describe the version both are nil.
func supportStatus(ctx context.Context, api EKSAPI, version string) (*Support, *Unknown) {
	out, err := api.DescribeClusterVersions(ctx, &eks.DescribeClusterVersionsInput{ClusterVersions: []string{version}})
	if err != nil {
		if _, _, denied := refusal(err); denied {
			// The action takes no resource: IAM grants it on "*".
			return nil, &Unknown{Reason: "eks:DescribeClusterVersions refused", Grant: "IAM: eks:DescribeClusterVersions on *"}
		}
		return nil, &Unknown{Reason: fmt.Sprintf("eks:DescribeClusterVersions: %v", err)}
	}
	for _, v := range out.ClusterVersions {
		if aws.ToString(v.ClusterVersion) != version {
			continue
		}
		s := &Support{Status: string(v.VersionStatus)}
		if v.EndOfStandardSupportDate != nil {
			s.EndOfStandardSupport = v.EndOfStandardSupportDate.UTC().Format("2006-01-02")
		}
		if v.EndOfExtendedSupportDate != nil {
			s.EndOfExtendedSupport = v.EndOfExtendedSupportDate.UTC().Format("2006-01-02")
		}
		if s.Status == "" {
			return nil, nil
		}
		return s, nil
	}
	return nil, nil
}

func (r *Report) nodeGroups(ctx context.Context, in Input) {
	r.NodeGroups.Items = []NodeGroup{}
	var names []string
	var next *string
	for {
		out, err := in.EKS.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(in.Cluster), NextToken: next})
		if err != nil {
			r.NodeGroups.Unknown = eksUnknown("eks:ListNodegroups", in.clusterARN(), err)
			return
		}
		names = append(names, out.Nodegroups...)
		if next = out.NextToken; aws.ToString(next) == "" {
			break
		}
	}
	sort.Strings(names)
	// DescribeNodegroup a few at a time (a fleet cluster has dozens of
	// groups); the SSM lookups then run in order, each parameter once.
	groups := make([]NodeGroup, len(names))
	sem := make(chan struct{}, describeConcurrency)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			groups[i] = describeNodegroup(ctx, in, name)
		}()
	}
	wg.Wait()
	lookups := map[string]lookup{}
	for i := range groups {
		if groups[i].State == "" {
			r.compareRelease(ctx, in, &groups[i], lookups)
		}
	}
	r.NodeGroups.Items = groups
}

// describeConcurrency is how many DescribeNodegroup calls run at once.
const describeConcurrency = 4

// describeNodegroup reads one group; its State is unknown when that
// fails, empty otherwise (compareRelease sets it).
func describeNodegroup(ctx context.Context, in Input, name string) NodeGroup {
	out, err := in.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(in.Cluster), NodegroupName: aws.String(name)})
	if err != nil || out.Nodegroup == nil {
		g := NodeGroup{Name: name, State: StateUnknown, lookupFailed: true, detailsUnknown: true}
		if err != nil {
			g.Unknown = eksUnknown("eks:DescribeNodegroup", in.nodegroupARN(name), err)
		} else {
			g.Unknown = &Unknown{Reason: "DescribeNodegroup answered without a node group"}
		}
		return g
	}
	ng := out.Nodegroup
	g := NodeGroup{
		Name:              name,
		AMIType:           string(ng.AmiType),
		ReleaseVersion:    aws.ToString(ng.ReleaseVersion),
		KubernetesVersion: aws.ToString(ng.Version),
		CapacityType:      string(ng.CapacityType),
		Status:            string(ng.Status),
	}
	if sc := ng.ScalingConfig; sc != nil {
		g.DesiredSize, g.MinSize, g.MaxSize = aws.ToInt32(sc.DesiredSize), aws.ToInt32(sc.MinSize), aws.ToInt32(sc.MaxSize)
	}
	return g
}

// lookup is one SSM parameter read, shared by the groups that need it.
type lookup struct {
	value   string
	unknown *Unknown
	failed  bool
}

// compareRelease fills the group's latest release, state and fix.
func (r *Report) compareRelease(ctx context.Context, in Input, g *NodeGroup, lookups map[string]lookup) {
	g.State = StateUnknown
	if cp := r.ControlPlane.Version; cp != "" && g.KubernetesVersion != "" && g.KubernetesVersion != cp {
		g.Notes = append(g.Notes, fmt.Sprintf("Kubernetes %s on a %s control plane: `aws eks update-nodegroup-version --kubernetes-version %s` moves it to that version's latest release", g.KubernetesVersion, cp, cp))
	}
	name, ok, why := ReleaseParameter(g.AMIType, g.KubernetesVersion)
	if !ok {
		g.Unknown = &Unknown{Reason: why}
		return
	}
	g.SSMParameter = name
	l, seen := lookups[name]
	if !seen {
		l = readParameter(ctx, in, name, lookups)
		lookups[name] = l
	}
	if l.unknown != nil {
		g.Unknown, g.lookupFailed = l.unknown, l.failed
		return
	}
	g.LatestReleaseVersion = l.value
	if g.ReleaseVersion == "" {
		g.Unknown = &Unknown{Reason: "EKS reports no release version for this group"}
		return
	}
	lag, err := Compare(g.ReleaseVersion, l.value)
	if err != nil {
		g.Unknown = &Unknown{Reason: err.Error()}
		return
	}
	if !lag.Behind {
		g.State = StateCurrent
		return
	}
	g.State, g.DaysBehind, g.Behind = StateBehind, lag.Days, lag.Summary
	g.Fix = &Fix{
		Terraform: fmt.Sprintf("release_version = %q", l.value),
		AWSCLI: fmt.Sprintf("aws eks update-nodegroup-version --cluster-name %s --nodegroup-name %s --release-version %s --region %s",
			shellQuote(in.Cluster), shellQuote(g.Name), shellQuote(l.value), shellQuote(in.Region)),
	}
}

// readParameter reads one public SSM parameter. After a refusal, the
// other parameters are not asked for: the same policy refuses them.
func readParameter(ctx context.Context, in Input, name string, lookups map[string]lookup) lookup {
	for _, l := range lookups {
		if l.failed && l.unknown != nil && l.unknown.Grant != "" {
			return l
		}
	}
	if in.SSM == nil {
		return lookup{unknown: &Unknown{Reason: "no SSM client"}, failed: true}
	}
	out, err := in.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	if err != nil {
		if code, msg, denied := refusal(err); denied {
			return lookup{failed: true, unknown: &Unknown{
				Reason: fmt.Sprintf("ssm:GetParameter was refused (%s: %s)", code, msg),
				Grant: fmt.Sprintf("IAM: ssm:GetParameter on arn:%[1]s:ssm:%[2]s::parameter/aws/service/eks/optimized-ami/* and arn:%[1]s:ssm:%[2]s::parameter/aws/service/bottlerocket/*",
					in.Partition, in.Region),
			}}
		}
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "ParameterNotFound" {
			return lookup{unknown: &Unknown{Reason: fmt.Sprintf("AWS publishes no parameter %s in %s (the Kubernetes version may be out of support, or the AMI type not offered there)", name, in.Region)}}
		}
		return lookup{failed: true, unknown: &Unknown{Reason: fmt.Sprintf("ssm:GetParameter %s: %v", name, err)}}
	}
	if out.Parameter == nil || aws.ToString(out.Parameter.Value) == "" {
		return lookup{failed: true, unknown: &Unknown{Reason: fmt.Sprintf("SSM parameter %s has no value", name)}}
	}
	return lookup{value: strings.TrimSpace(aws.ToString(out.Parameter.Value))}
}

func (r *Report) fargate(ctx context.Context, in Input) {
	r.FargateProfiles.Names = []string{}
	var next *string
	for {
		out, err := in.EKS.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(in.Cluster), NextToken: next})
		if err != nil {
			r.FargateProfiles.Names = []string{}
			r.FargateProfiles.Unknown = eksUnknown("eks:ListFargateProfiles", in.clusterARN(), err)
			return
		}
		r.FargateProfiles.Names = append(r.FargateProfiles.Names, out.FargateProfileNames...)
		if next = out.NextToken; aws.ToString(next) == "" {
			break
		}
	}
	sort.Strings(r.FargateProfiles.Names)
}

func (r *Report) nodes(ctx context.Context, in Input, endpoint string, ca []byte) {
	r.Nodes.Counts = map[ComputeType]int{}
	r.Nodes.Items = []NodeInfo{}
	switch {
	case r.ControlPlane.Unknown != nil:
		r.Nodes.Unknown = &Unknown{Reason: "the cluster endpoint is unknown: eks:DescribeCluster was refused", Grant: r.ControlPlane.Unknown.Grant}
		return
	case endpoint == "":
		r.Nodes.Unknown = &Unknown{Reason: fmt.Sprintf("the cluster has no endpoint yet (status %s)", r.ControlPlane.Status)}
		return
	case in.ListNodes == nil:
		r.Nodes.Unknown = &Unknown{Reason: "the node list was not asked for"}
		return
	}
	list, err := in.ListNodes(ctx, endpoint, ca)
	if err != nil {
		r.Nodes.Unknown = kubeUnknown(in, err)
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	for _, n := range list {
		ct, group := Classify(n.Labels)
		info := NodeInfo{Name: n.Name, ComputeType: ct, Group: group, CapacityType: n.Labels[LabelCapacityType],
			KubeletVersion: n.KubeletVersion, OSImage: n.OSImage, Ready: n.Ready}
		if r.ControlPlane.Version != "" {
			if s, err := CheckSkew(r.ControlPlane.Version, n.KubeletVersion); err != nil {
				info.SkewError = err.Error()
			} else {
				info.Skew = &s
			}
		}
		r.Nodes.Counts[ct]++
		r.Nodes.Items = append(r.Nodes.Items, info)
	}
}

// kubeUnknown says why the node list could not be read, and what access
// would let it through.
func kubeUnknown(in Input, err error) *Unknown {
	var api *APIError
	if errors.As(err, &api) {
		switch api.Status {
		case http.StatusUnauthorized:
			return &Unknown{
				Reason: fmt.Sprintf("the cluster refused the token (401 Unauthorized): it does not map %s", in.Principal),
				Grant:  "an access entry (or an aws-auth mapping) for the principal; `kubectl eksxa doctor` with the same flags says which, and prints the fix",
			}
		case http.StatusForbidden:
			return &Unknown{
				Reason: fmt.Sprintf("the cluster's RBAC forbids listing nodes (403 Forbidden: %s)", api.Message),
				Grant:  "Kubernetes RBAC: list on nodes (cluster scope), e.g. the access policy AmazonEKSAdminViewPolicy associated at cluster scope, or a ClusterRoleBinding to a ClusterRole with list on nodes",
			}
		}
	}
	return &Unknown{Reason: "listing nodes: " + err.Error()}
}

// eksUnknown turns a failed EKS call into an Unknown, naming the
// permission and resource to grant when it was refused.
func eksUnknown(action, resource string, err error) *Unknown {
	if code, msg, denied := refusal(err); denied {
		return &Unknown{
			Reason: fmt.Sprintf("%s was refused (%s: %s)", action, code, msg),
			Grant:  fmt.Sprintf("IAM: %s on %s", action, resource),
		}
	}
	return &Unknown{Reason: fmt.Sprintf("%s: %v", action, err)}
}

// account is the account of the principal's ARN (the cluster's account,
// at the end of a chain into it), or "ACCOUNT" when it cannot be told.
func (in Input) account() string {
	parts := strings.SplitN(in.Principal, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && len(parts[4]) == 12 && isDigits(parts[4][:4]) && isDigits(parts[4][4:8]) && isDigits(parts[4][8:]) {
		return parts[4]
	}
	return "ACCOUNT"
}

// clusterARN is the cluster's ARN as IAM policies name it.
func (in Input) clusterARN() string {
	return fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", in.Partition, in.Region, in.account(), in.Cluster)
}

// nodegroupARN is the ARN pattern of a node group (its last segment is an
// ID EKS assigns).
func (in Input) nodegroupARN(name string) string {
	return fmt.Sprintf("arn:%s:eks:%s:%s:nodegroup/%s/%s/*", in.Partition, in.Region, in.account(), in.Cluster, name)
}

// refusal reports whether err is an AWS authorization refusal.
func refusal(err error) (code, msg string, denied bool) {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnauthorizedException":
			return api.ErrorCode(), api.ErrorMessage(), true
		}
	}
	return "", "", false
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -._/:=,@+.
func shellQuote(s string) string {
	safe := s != ""
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && !strings.ContainsRune("-._/:=,@+", c) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
