package access

import (
	"fmt"
	"strings"
)

// Principal kinds.
const (
	KindRole          = "role"
	KindUser          = "user"
	KindFederatedUser = "federated-user"
	KindRoot          = "root"
)

// Principal is the IAM principal the cluster maps for a caller.
type Principal struct {
	// ARN is the IAM ARN the cluster maps (arn:P:iam::A:role/NAME for a
	// role session, without the role's path, which STS does not report;
	// the user ARN, path included, for an IAM user). For a principal that
	// cannot be mapped it is the caller ARN.
	ARN       string `json:"arn"`
	Partition string `json:"partition"`
	Account   string `json:"account"`
	// Kind is role, user, federated-user or root.
	Kind string `json:"kind"`
	// Name is the role or user name, without any path.
	Name string `json:"name"`
	// SessionName is the role session name of an assumed-role caller.
	SessionName string `json:"sessionName,omitempty"`
	// PathDropped is true for a role session: the caller ARN carries no
	// role path, so the role's real ARN may have one that ARN lacks.
	PathDropped bool `json:"pathDropped"`
}

// Mappable reports whether an access entry or aws-auth can map the
// principal: roles and IAM users can; federated users and the root user
// cannot.
func (p Principal) Mappable() bool { return p.Kind == KindRole || p.Kind == KindUser }

// PrincipalOf returns the IAM principal the cluster maps for callerARN,
// the Arn of sts GetCallerIdentity. It accepts assumed-role session ARNs,
// IAM user ARNs, role ARNs, federated-user ARNs and root ARNs in any
// partition (aws, aws-cn, aws-us-gov, ...); the last two are returned with
// their Kind and Mappable() false.
func PrincipalOf(callerARN string) (Principal, error) {
	parts := strings.SplitN(callerARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return Principal{}, fmt.Errorf("caller ARN %q is not an ARN", callerARN)
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if !validPartition(partition) {
		return Principal{}, fmt.Errorf("caller ARN %q: unknown partition %q", callerARN, partition)
	}
	if region != "" || !validAccount(account) {
		return Principal{}, fmt.Errorf("caller ARN %q: not an IAM or STS principal ARN (account %q)", callerARN, account)
	}
	p := Principal{Partition: partition, Account: account}
	segs := strings.Split(resource, "/")
	for _, s := range segs[1:] {
		if s == "" {
			return Principal{}, fmt.Errorf("caller ARN %q: empty name segment", callerARN)
		}
	}
	switch {
	case service == "sts" && segs[0] == "assumed-role" && len(segs) == 3:
		p.Kind, p.Name, p.SessionName, p.PathDropped = KindRole, segs[1], segs[2], true
		p.ARN = roleARN(partition, account, "/", p.Name)
	case service == "sts" && segs[0] == "federated-user" && len(segs) == 2:
		p.Kind, p.Name, p.ARN = KindFederatedUser, segs[1], callerARN
	case service == "iam" && resource == "root":
		p.Kind, p.Name, p.ARN = KindRoot, "root", callerARN
	case service == "iam" && segs[0] == "user" && len(segs) >= 2:
		p.Kind, p.Name, p.ARN = KindUser, segs[len(segs)-1], callerARN
	case service == "iam" && segs[0] == "role" && len(segs) >= 2:
		p.Kind, p.Name, p.ARN = KindRole, segs[len(segs)-1], callerARN
	default:
		return Principal{}, fmt.Errorf("caller ARN %q: not an IAM user, role, assumed-role, federated-user or root ARN", callerARN)
	}
	return p, nil
}

// roleARN builds arn:P:iam::A:role/PATH/NAME; path is "/" or "/a/b/".
func roleARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", partition, account, path, name)
}

// splitRoleARN parses an IAM role ARN into partition, account, path ("/"
// or "/a/b/") and name.
func splitRoleARN(arn string) (partition, account, path, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" {
		return "", "", "", "", false
	}
	res, isRole := strings.CutPrefix(parts[5], "role/")
	if !isRole || res == "" || strings.HasSuffix(res, "/") {
		return "", "", "", "", false
	}
	path, name = "/", res
	if i := strings.LastIndex(res, "/"); i >= 0 {
		path, name = "/"+res[:i+1], res[i+1:]
	}
	return parts[1], parts[4], path, name, true
}

func validPartition(s string) bool {
	if s != "aws" && !strings.HasPrefix(s, "aws-") {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return !strings.HasSuffix(s, "-") && !strings.Contains(s, "--")
}

func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
