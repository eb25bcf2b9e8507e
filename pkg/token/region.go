package token

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/eksxa/kubectl-eksxa/pkg/quote"
)

// regionShape matches AWS region names by shape rather than by a fixed list,
// so that regions launched after this binary was built keep working:
// "us-east-1", "ap-southeast-7", "us-gov-west-1", "cn-north-1",
// "us-isob-east-1", "eusc-de-east-1".
var regionShape = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)

// Partition is an AWS partition: its ID and the DNS suffix of its endpoints.
type Partition struct {
	ID        string // aws, aws-cn, aws-us-gov, ...
	DNSSuffix string // amazonaws.com, amazonaws.com.cn, ...
}

// partitions maps a region-name prefix to its partition, longest prefix
// first. Every other well-shaped region is in the commercial partition.
var partitions = []struct {
	prefix string
	p      Partition
}{
	{"us-isob-", Partition{"aws-iso-b", "sc2s.sgov.gov"}},
	{"us-isof-", Partition{"aws-iso-f", "csp.hci.ic.gov"}},
	{"eu-isoe-", Partition{"aws-iso-e", "cloud.adc-e.uk"}},
	{"us-iso-", Partition{"aws-iso", "c2s.ic.gov"}},
	{"us-gov-", Partition{"aws-us-gov", "amazonaws.com"}},
	{"eusc-", Partition{"aws-eusc", "amazonaws.eu"}},
	{"cn-", Partition{"aws-cn", "amazonaws.com.cn"}},
}

var commercial = Partition{"aws", "amazonaws.com"}

// CheckRegion reports whether region is shaped like an AWS region name.
func CheckRegion(region string) error {
	if !regionShape.MatchString(region) {
		return fmt.Errorf("invalid region %s: want a name like us-east-1 or eu-west-2", quote.Q(region))
	}
	return nil
}

// PartitionOf returns the partition a region belongs to.
func PartitionOf(region string) (Partition, error) {
	if err := CheckRegion(region); err != nil {
		return Partition{}, err
	}
	for _, e := range partitions {
		if strings.HasPrefix(region, e.prefix) {
			return e.p, nil
		}
	}
	return commercial, nil
}

// STSHost returns the canonical regional STS host name of region, the only
// kind of host EKS accepts in a token: sts.REGION.DNS-SUFFIX.
func STSHost(region string) (string, error) {
	p, err := PartitionOf(region)
	if err != nil {
		return "", err
	}
	return "sts." + region + "." + p.DNSSuffix, nil
}
