package nodes

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReleaseParameter returns the name of the public SSM parameter that holds
// the latest recommended release version of the EKS-optimized AMI for a
// managed node group's AMI type (as DescribeNodegroup names it) and
// Kubernetes minor version ("1.31"). ok is false, with the reason, for AMI
// types AWS publishes no such parameter for.
//
// The parameters, per AMI type (V is the Kubernetes version):
//
//	AL2023_x86_64_STANDARD   /aws/service/eks/optimized-ami/V/amazon-linux-2023/x86_64/standard/recommended/release_version
//	AL2023_ARM_64_STANDARD   /aws/service/eks/optimized-ami/V/amazon-linux-2023/arm64/standard/recommended/release_version
//	AL2023_x86_64_NVIDIA     /aws/service/eks/optimized-ami/V/amazon-linux-2023/x86_64/nvidia/recommended/release_version
//	AL2023_ARM_64_NVIDIA     /aws/service/eks/optimized-ami/V/amazon-linux-2023/arm64/nvidia/recommended/release_version
//	AL2023_x86_64_NEURON     /aws/service/eks/optimized-ami/V/amazon-linux-2023/x86_64/neuron/recommended/release_version
//	AL2_x86_64               /aws/service/eks/optimized-ami/V/amazon-linux-2/recommended/release_version
//	AL2_x86_64_GPU           /aws/service/eks/optimized-ami/V/amazon-linux-2-gpu/recommended/release_version
//	AL2_ARM_64               /aws/service/eks/optimized-ami/V/amazon-linux-2-arm64/recommended/release_version
//	BOTTLEROCKET_x86_64      /aws/service/bottlerocket/aws-k8s-V/x86_64/latest/image_version
//	BOTTLEROCKET_ARM_64      /aws/service/bottlerocket/aws-k8s-V/arm64/latest/image_version
//	BOTTLEROCKET_x86_64_NVIDIA       /aws/service/bottlerocket/aws-k8s-V-nvidia/x86_64/latest/image_version
//	BOTTLEROCKET_ARM_64_NVIDIA       /aws/service/bottlerocket/aws-k8s-V-nvidia/arm64/latest/image_version
//	BOTTLEROCKET_x86_64_FIPS         /aws/service/bottlerocket/aws-k8s-V-fips/x86_64/latest/image_version
//	BOTTLEROCKET_ARM_64_FIPS         /aws/service/bottlerocket/aws-k8s-V-fips/arm64/latest/image_version
//	BOTTLEROCKET_x86_64_NVIDIA_FIPS  /aws/service/bottlerocket/aws-k8s-V-nvidia-fips/x86_64/latest/image_version
//	BOTTLEROCKET_ARM_64_NVIDIA_FIPS  /aws/service/bottlerocket/aws-k8s-V-nvidia-fips/arm64/latest/image_version
//
// Sources:
//
//   - Amazon Linux: "Retrieve recommended Amazon Linux AMI IDs",
//     https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id.html
//     (the paths per AMI type, under .../recommended/), and "Calling the
//     EKS optimized AMI public parameter in Parameter Store",
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters-eks.html
//     (the .../recommended parameter is a JSON document whose
//     release_version field is also published as its own sub-parameter).
//   - Bottlerocket: "Retrieve recommended Bottlerocket AMI IDs",
//     https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id-bottlerocket.html
//     (aws-k8s-V[-nvidia|-fips]/ARCH/latest/; image_version, next to
//     image_id, is the version managed node groups report as their
//     release version).
//   - The same mapping is what terraform-aws-modules/terraform-aws-eks
//     (modules/eks-managed-node-group, use_latest_ami_release_version)
//     feeds to aws_eks_node_group.release_version.
//
// Windows AMI types, CUSTOM (an AMI from the group's launch template) and
// types this list does not know return ok false.
func ReleaseParameter(amiType, k8sVersion string) (name string, ok bool, why string) {
	if amiType == "CUSTOM" {
		return "", false, "custom AMI from the node group's launch template: EKS does not track its release; update the AMI in the launch template"
	}
	if strings.HasPrefix(amiType, "WINDOWS_") {
		return "", false, "AWS publishes no release_version parameter for the EKS-optimized Windows AMIs"
	}
	if !validMinor(k8sVersion) {
		return "", false, fmt.Sprintf("Kubernetes version %q is not MAJOR.MINOR", k8sVersion)
	}
	al := "/aws/service/eks/optimized-ami/" + k8sVersion + "/"
	switch amiType {
	case "AL2023_x86_64_STANDARD":
		return al + "amazon-linux-2023/x86_64/standard/recommended/release_version", true, ""
	case "AL2023_ARM_64_STANDARD":
		return al + "amazon-linux-2023/arm64/standard/recommended/release_version", true, ""
	case "AL2023_x86_64_NVIDIA":
		return al + "amazon-linux-2023/x86_64/nvidia/recommended/release_version", true, ""
	case "AL2023_ARM_64_NVIDIA":
		return al + "amazon-linux-2023/arm64/nvidia/recommended/release_version", true, ""
	case "AL2023_x86_64_NEURON":
		return al + "amazon-linux-2023/x86_64/neuron/recommended/release_version", true, ""
	case "AL2_x86_64":
		return al + "amazon-linux-2/recommended/release_version", true, ""
	case "AL2_x86_64_GPU":
		return al + "amazon-linux-2-gpu/recommended/release_version", true, ""
	case "AL2_ARM_64":
		return al + "amazon-linux-2-arm64/recommended/release_version", true, ""
	}
	if rest, isBR := strings.CutPrefix(amiType, "BOTTLEROCKET_"); isBR {
		arch, flavor := "", ""
		switch {
		case strings.HasPrefix(rest, "x86_64"):
			arch, rest = "x86_64", strings.TrimPrefix(rest, "x86_64")
		case strings.HasPrefix(rest, "ARM_64"):
			arch, rest = "arm64", strings.TrimPrefix(rest, "ARM_64")
		}
		switch rest {
		case "":
		case "_NVIDIA":
			flavor = "-nvidia"
		case "_FIPS":
			flavor = "-fips"
		case "_NVIDIA_FIPS":
			flavor = "-nvidia-fips"
		default:
			arch = ""
		}
		if arch != "" {
			return "/aws/service/bottlerocket/aws-k8s-" + k8sVersion + flavor + "/" + arch + "/latest/image_version", true, ""
		}
	}
	return "", false, fmt.Sprintf("AMI type %s has no known public release-version parameter", amiType)
}

// validMinor reports whether v is MAJOR.MINOR with decimal numbers.
func validMinor(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	return ok && isDigits(major) && isDigits(minor)
}

func isDigits(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Release is a managed node group release version, parsed.
//
// Amazon Linux releases are KUBERNETES_PATCH-BUILD_DATE, e.g.
// "1.31.4-20250123": the Kubernetes patch version the AMI's kubelet is
// built from and the date (YYYYMMDD) of the AMI build. Bottlerocket
// releases are BOTTLEROCKET_VERSION-COMMIT, e.g. "1.29.0-c55d099c".
type Release struct {
	// Raw is the version as EKS or SSM gave it.
	Raw string
	// Version is the dotted version before the dash: the Kubernetes
	// patch version (Amazon Linux) or the Bottlerocket version.
	Version [3]int
	// Built is the AMI build date of an Amazon Linux release; zero for
	// Bottlerocket.
	Built time.Time
	// Suffix is what follows the dash when it is not a date (the
	// Bottlerocket commit).
	Suffix string
}

// ParseRelease parses an Amazon Linux or Bottlerocket release version.
func ParseRelease(s string) (Release, error) {
	r := Release{Raw: s}
	ver, suffix, ok := strings.Cut(strings.TrimPrefix(s, "v"), "-")
	if !ok || suffix == "" {
		return Release{}, fmt.Errorf("release version %q is not VERSION-BUILD", s)
	}
	parts := strings.Split(ver, ".")
	if len(parts) != 3 {
		return Release{}, fmt.Errorf("release version %q: %q is not MAJOR.MINOR.PATCH", s, ver)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || !isDigits(p) {
			return Release{}, fmt.Errorf("release version %q: %q is not a number", s, p)
		}
		r.Version[i] = n
	}
	if len(suffix) == 8 && isDigits(suffix[:4]) && isDigits(suffix[4:]) {
		t, err := time.Parse("20060102", suffix)
		if err == nil {
			r.Built = t
			return r, nil
		}
	}
	r.Suffix = suffix
	return r, nil
}

// Lag says how a node group's release compares with the latest one.
type Lag struct {
	// Behind is true when the current release is older than the latest.
	Behind bool
	// Days is how many days older the current AMI build is than the
	// latest, for Amazon Linux releases (0 when the builds are the same
	// day or the dates are unknown).
	Days int
	// Summary is the comparison in words, e.g. "20 days older build
	// (2025-01-23, latest 2025-02-12)" or "Bottlerocket 1.28.0, latest
	// 1.29.0".
	Summary string
}

// Compare compares a node group's current release with the latest
// recommended one. Both must be of the same family (both dated Amazon
// Linux releases, or both Bottlerocket); otherwise it fails.
func Compare(current, latest string) (Lag, error) {
	cur, err := ParseRelease(current)
	if err != nil {
		return Lag{}, err
	}
	lat, err := ParseRelease(latest)
	if err != nil {
		return Lag{}, err
	}
	if cur.Built.IsZero() != lat.Built.IsZero() {
		return Lag{}, fmt.Errorf("release versions %q and %q are not of the same AMI family", current, latest)
	}
	if !cur.Built.IsZero() {
		days := int(lat.Built.Sub(cur.Built).Hours() / 24)
		switch {
		case days > 0:
			return Lag{Behind: true, Days: days, Summary: fmt.Sprintf("%d %s older build (%s, latest %s)", days, plural(days, "day", "days"), cur.Built.Format("2006-01-02"), lat.Built.Format("2006-01-02"))}, nil
		case days == 0 && versionLess(cur.Version, lat.Version):
			return Lag{Behind: true, Summary: fmt.Sprintf("same build date, older Kubernetes patch (%s, latest %s)", dotted(cur.Version), dotted(lat.Version))}, nil
		}
		return Lag{Summary: "current"}, nil
	}
	if versionLess(cur.Version, lat.Version) {
		return Lag{Behind: true, Summary: fmt.Sprintf("Bottlerocket %s, latest %s", dotted(cur.Version), dotted(lat.Version))}, nil
	}
	return Lag{Summary: "current"}, nil
}

func versionLess(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func dotted(v [3]int) string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
