package token

import (
	"strings"
	"testing"
)

func TestCheckClusterName(t *testing.T) {
	for _, ok := range []string{"prod", "P", "0", "prod-eu_1", strings.Repeat("a", 100)} {
		if err := CheckClusterName(ok); err != nil {
			t.Errorf("CheckClusterName(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "-prod", "_prod", "prod.eu", "prod eu", " prod", "prod/x", "arn:aws:eks", "prød", strings.Repeat("a", 101)} {
		if err := CheckClusterName(bad); err == nil {
			t.Errorf("CheckClusterName(%q) = nil, want an error", bad)
		}
	}
}

func TestParseClusterARN(t *testing.T) {
	good := map[string]ClusterARN{
		"arn:aws:eks:eu-west-1:111111111111:cluster/prod":              {"aws", "eu-west-1", "111111111111", "prod"},
		"arn:aws-cn:eks:cn-north-1:222222222222:cluster/a_b-1":         {"aws-cn", "cn-north-1", "222222222222", "a_b-1"},
		"arn:aws-us-gov:eks:us-gov-east-1:333333333333:cluster/gov":    {"aws-us-gov", "us-gov-east-1", "333333333333", "gov"},
		"arn:aws:eks:ap-southeast-7:444444444444:cluster/new-region-1": {"aws", "ap-southeast-7", "444444444444", "new-region-1"},
	}
	for s, want := range good {
		got, err := ParseClusterARN(s)
		if err != nil || got != want {
			t.Errorf("ParseClusterARN(%q) = %+v, %v; want %+v", s, got, err, want)
		}
	}
	bad := map[string]string{
		"arn:aws:eks:eu-west-1:111111111111":                      "six colon-separated fields",
		"arn:aws:iam::111111111111:role/x":                        `the service is "iam"`,
		"arn:aws:eks:eu-west-1:111111111111:nodegroup/prod/ng/id": "is not cluster/NAME",
		"arn:aws:eks:eu-west-1:111111111111:cluster/":             `the cluster name "" is not one`,
		"arn:aws:eks:eu-west-1:111111111111:cluster/a/b":          `the cluster name "a/b" is not one`,
		"arn:aws:eks:eu-west-1:11111111111x:cluster/prod":         "is not 12 digits",
		"arn:aws:eks:moon:111111111111:cluster/prod":              `the region "moon" is not a region name`,
		"arn:aws:eks:cn-north-1:111111111111:cluster/prod":        "region cn-north-1 is in partition aws-cn, not aws",
		"arn:aws-cn:eks:us-east-1:111111111111:cluster/prod":      "region us-east-1 is in partition aws, not aws-cn",
		"arn:aws:eks:us-gov-west-1:111111111111:cluster/prod":     "partition aws-us-gov, not aws",
	}
	for s, want := range bad {
		if _, err := ParseClusterARN(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseClusterARN(%q) = %v, want an error containing %q", s, err, want)
		}
	}
}
