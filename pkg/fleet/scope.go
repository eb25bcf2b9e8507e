package fleet

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

var accountRe = regexp.MustCompile(`^[0-9]{12}$`)

// ParseAccounts checks AWS account IDs (12 digits each) and returns them
// sorted, without duplicates. Items are trimmed; an empty item is an error.
func ParseAccounts(items []string) ([]string, error) {
	var out []string
	for _, a := range items {
		a = strings.TrimSpace(a)
		if !accountRe.MatchString(a) {
			return nil, fmt.Errorf("account %q is not an AWS account ID (12 digits)", a)
		}
		out = append(out, a)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ParseRegions checks region names by shape (token.CheckRegion) and that
// they share one partition, and returns them sorted, without duplicates.
// A session of one partition cannot reach another.
func ParseRegions(items []string) ([]string, error) {
	var out []string
	first := ""
	for _, r := range items {
		r = strings.TrimSpace(r)
		p, err := token.PartitionOf(r)
		if err != nil {
			return nil, err
		}
		if first == "" {
			first = r
		} else if q, _ := token.PartitionOf(first); q.ID != p.ID {
			return nil, fmt.Errorf("regions %s (%s) and %s (%s) are in different AWS partitions; scan one partition at a time", first, q.ID, r, p.ID)
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// AccountRole is --account-role: a hop SPEC without the account, such as
// "eks-admin,external-id=platform" or "team/eks-admin,duration=1h": a role
// name (with an optional IAM path) and the hop settings of chain.ParseHop.
type AccountRole struct {
	name     string // [path/]name
	settings string // ",key=value..." as given, "" for none
}

// ParseAccountRole checks spec by building its hop into account (one of
// the accounts it will be used for, so that an error shows a real ARN):
// every setting chain.ParseHop knows is accepted and checked.
func ParseAccountRole(spec, account string) (AccountRole, error) {
	name, settings, _ := strings.Cut(spec, ",")
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return AccountRole{}, errors.New("want a role name, such as eks-admin or eks-admin,external-id=ID")
	case strings.HasPrefix(name, "arn:"):
		return AccountRole{}, fmt.Errorf("%q is a role ARN; give the role name only (eks-admin): --accounts supplies the account", name)
	case strings.HasPrefix(name, "role/"):
		name = strings.TrimPrefix(name, "role/")
	}
	ar := AccountRole{name: strings.Trim(name, "/")}
	if settings != "" {
		ar.settings = "," + settings
	}
	if _, err := ar.Hop(account, "aws"); err != nil {
		return AccountRole{}, err
	}
	return ar, nil
}

// Hop is the hop into account: arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME
// with the role's settings.
func (ar AccountRole) Hop(account, partition string) (chain.Hop, error) {
	return chain.ParseHop(fmt.Sprintf("arn:%s:iam::%s:role/%s%s", partition, account, ar.name, ar.settings))
}
