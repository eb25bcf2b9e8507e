package token

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxClusterNameLen is the longest name EKS gives a cluster, in bytes.
const MaxClusterNameLen = 100

// clusterName is the name rule of EKS CreateCluster (Amazon EKS API
// reference, CreateCluster, "name": 1 to 100 characters, alphanumerics
// (case-sensitive), hyphens and underscores, starting with an
// alphanumeric; the API model's pattern ^[0-9A-Za-z][A-Za-z0-9\-_]*$).
var clusterName = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]*$`)

// CheckClusterName reports whether name is a name EKS can give a cluster
// (see clusterName). A token for any other name is refused by every
// cluster, so asking for one is a usage error.
func CheckClusterName(name string) error {
	if len(name) > MaxClusterNameLen || !clusterName.MatchString(name) {
		return fmt.Errorf("%q is not an EKS cluster name: EKS names are 1 to %d letters, digits, hyphens and underscores, starting with a letter or digit (or give the cluster's ARN, arn:aws:eks:REGION:ACCOUNT:cluster/NAME)", name, MaxClusterNameLen)
	}
	return nil
}

// ClusterARN is an EKS cluster's ARN taken apart:
// arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME.
type ClusterARN struct {
	Partition string // aws, aws-cn, aws-us-gov, ...
	Region    string
	Account   string // 12 digits
	Name      string
}

// IsARN reports whether s is meant as an ARN (it starts with "arn:"), so
// that a malformed ARN is reported as one rather than as a bad name.
func IsARN(s string) bool { return strings.HasPrefix(s, "arn:") }

// ParseClusterARN takes an EKS cluster ARN apart and checks every part: the
// service is eks, the resource is cluster/NAME with a name EKS can have
// (CheckClusterName), the region is shaped like one (CheckRegion), the
// account is 12 digits, and the partition is the region's (PartitionOf):
// arn:aws:eks:cn-north-1:... names no cluster.
func ParseClusterARN(s string) (ClusterARN, error) {
	bad := func(why string, a ...any) (ClusterARN, error) {
		return ClusterARN{}, fmt.Errorf("%q is not an EKS cluster ARN: %s (want arn:aws:eks:REGION:ACCOUNT:cluster/NAME)", s, fmt.Sprintf(why, a...))
	}
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return bad("it does not have six colon-separated fields")
	}
	a := ClusterARN{Partition: f[1], Region: f[3], Account: f[4]}
	if f[2] != "eks" {
		return bad("the service is %q, not eks", f[2])
	}
	name, ok := strings.CutPrefix(f[5], "cluster/")
	if !ok {
		return bad("the resource %q is not cluster/NAME", f[5])
	}
	if err := CheckClusterName(name); err != nil {
		return bad("the cluster name %q is not one EKS can have", name)
	}
	a.Name = name
	if len(a.Account) != 12 || strings.Trim(a.Account, "0123456789") != "" {
		return bad("the account %q is not 12 digits", a.Account)
	}
	p, err := PartitionOf(a.Region)
	if err != nil {
		return bad("the region %q is not a region name", a.Region)
	}
	if p.ID != a.Partition {
		return bad("region %s is in partition %s, not %s", a.Region, p.ID, a.Partition)
	}
	return a, nil
}
