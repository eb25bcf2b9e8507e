package nodes

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReleaseParameter(t *testing.T) {
	for _, tc := range []struct {
		amiType, version, want string
	}{
		{"AL2023_x86_64_STANDARD", "1.31", "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version"},
		{"AL2023_ARM_64_STANDARD", "1.31", "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/arm64/standard/recommended/release_version"},
		{"AL2023_x86_64_NVIDIA", "1.32", "/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/x86_64/nvidia/recommended/release_version"},
		{"AL2023_ARM_64_NVIDIA", "1.32", "/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/arm64/nvidia/recommended/release_version"},
		{"AL2023_x86_64_NEURON", "1.30", "/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/neuron/recommended/release_version"},
		{"AL2_x86_64", "1.29", "/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/release_version"},
		{"AL2_x86_64_GPU", "1.29", "/aws/service/eks/optimized-ami/1.29/amazon-linux-2-gpu/recommended/release_version"},
		{"AL2_ARM_64", "1.29", "/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/release_version"},
		{"BOTTLEROCKET_x86_64", "1.31", "/aws/service/bottlerocket/aws-k8s-1.31/x86_64/latest/image_version"},
		{"BOTTLEROCKET_ARM_64", "1.31", "/aws/service/bottlerocket/aws-k8s-1.31/arm64/latest/image_version"},
		{"BOTTLEROCKET_x86_64_NVIDIA", "1.31", "/aws/service/bottlerocket/aws-k8s-1.31-nvidia/x86_64/latest/image_version"},
		{"BOTTLEROCKET_ARM_64_NVIDIA", "1.31", "/aws/service/bottlerocket/aws-k8s-1.31-nvidia/arm64/latest/image_version"},
		{"BOTTLEROCKET_x86_64_FIPS", "1.31", "/aws/service/bottlerocket/aws-k8s-1.31-fips/x86_64/latest/image_version"},
		{"BOTTLEROCKET_ARM_64_NVIDIA_FIPS", "1.31", "/aws/service/bottlerocket/aws-k8s-1.31-nvidia-fips/arm64/latest/image_version"},
	} {
		got, ok, why := ReleaseParameter(tc.amiType, tc.version)
		if !ok || got != tc.want {
			t.Errorf("ReleaseParameter(%s, %s) = %q, %v (%s); want %q", tc.amiType, tc.version, got, ok, why, tc.want)
		}
	}
	for _, tc := range []struct{ amiType, version, why string }{
		{"CUSTOM", "1.31", "custom AMI"},
		{"WINDOWS_CORE_2022_x86_64", "1.31", "Windows"},
		{"BOTTLEROCKET_RISCV", "1.31", "no known"},
		{"SOMETHING_NEW", "1.31", "no known"},
		{"AL2_x86_64", "1.31/../x", "not MAJOR.MINOR"},
		{"AL2_x86_64", "", "not MAJOR.MINOR"},
	} {
		got, ok, why := ReleaseParameter(tc.amiType, tc.version)
		if ok || got != "" || !strings.Contains(why, tc.why) {
			t.Errorf("ReleaseParameter(%s, %q) = %q, %v, %q; want not ok, saying %q", tc.amiType, tc.version, got, ok, why, tc.why)
		}
	}
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		current, latest string
		want            Lag
	}{
		{"1.31.4-20250123", "1.31.5-20250212", Lag{Behind: true, Days: 20, Summary: "20 days older build (2025-01-23, latest 2025-02-12)"}},
		{"1.31.5-20250211", "1.31.5-20250212", Lag{Behind: true, Days: 1, Summary: "1 day older build (2025-02-11, latest 2025-02-12)"}},
		{"1.31.5-20250212", "1.31.5-20250212", Lag{Summary: "current"}},
		{"1.31.4-20250212", "1.31.5-20250212", Lag{Behind: true, Summary: "same build date, older Kubernetes patch (1.31.4, latest 1.31.5)"}},
		// A region where SSM still points at an older build than the
		// group runs: not behind.
		{"1.31.5-20250301", "1.31.5-20250212", Lag{Summary: "current"}},
		{"1.28.0-c55d099c", "1.29.0-1a2b3c4d", Lag{Behind: true, Summary: "Bottlerocket 1.28.0, latest 1.29.0"}},
		{"1.29.0-1a2b3c4d", "1.29.0-1a2b3c4d", Lag{Summary: "current"}},
		{"1.9.10-aaaaaaaa", "1.10.0-bbbbbbbb", Lag{Behind: true, Summary: "Bottlerocket 1.9.10, latest 1.10.0"}},
	} {
		got, err := Compare(tc.current, tc.latest)
		if err != nil {
			t.Errorf("Compare(%s, %s): %v", tc.current, tc.latest, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("Compare(%s, %s) (-want +got):\n%s", tc.current, tc.latest, d)
		}
	}
	for _, tc := range [][2]string{
		{"1.31.4-20250123", "1.29.0-1a2b3c4d"}, // families differ
		{"ami-0123456789", "1.31.5-20250212"},
		{"1.31-20250123", "1.31.5-20250212"},
		{"1.31.5-20250212", ""},
		{"1.x.5-20250212", "1.31.5-20250212"},
	} {
		if got, err := Compare(tc[0], tc[1]); err == nil {
			t.Errorf("Compare(%q, %q) = %+v, want an error", tc[0], tc[1], got)
		}
	}
}

func TestCheckSkew(t *testing.T) {
	for _, tc := range []struct {
		cp, kubelet string
		want        Skew
	}{
		{"1.31", "v1.31.4-eks-aeac579", Skew{Minors: 0, Allowed: 3, OK: true}},
		{"1.31", "v1.28.15-eks-1234567", Skew{Minors: 3, Allowed: 3, OK: true}},
		{"1.31", "v1.27.16-eks-1234567", Skew{Minors: 4, Allowed: 3, Problem: "kubelet 1.27 is 4 minor versions behind the control plane (1.31); the skew policy allows 3"}},
		// Before 1.28 the policy allowed two minor versions.
		{"1.27", "v1.24.17-eks-1234567", Skew{Minors: 3, Allowed: 2, Problem: "kubelet 1.24 is 3 minor versions behind the control plane (1.27); the skew policy allows 2"}},
		{"1.27", "v1.25.16", Skew{Minors: 2, Allowed: 2, OK: true}},
		{"1.30", "v1.31.0", Skew{Minors: -1, Allowed: 3, Problem: "kubelet 1.31 is newer than the control plane (1.30): the skew policy does not allow it"}},
	} {
		got, err := CheckSkew(tc.cp, tc.kubelet)
		if err != nil {
			t.Errorf("CheckSkew(%s, %s): %v", tc.cp, tc.kubelet, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("CheckSkew(%s, %s) (-want +got):\n%s", tc.cp, tc.kubelet, d)
		}
	}
	for _, tc := range [][2]string{{"1.31", ""}, {"1.31", "vX"}, {"", "v1.31.0"}, {"1.31", "v2.0.0"}} {
		if got, err := CheckSkew(tc[0], tc[1]); err == nil {
			t.Errorf("CheckSkew(%q, %q) = %+v, want an error", tc[0], tc[1], got)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		labels    map[string]string
		wantType  ComputeType
		wantGroup string
	}{
		{map[string]string{LabelNodegroup: "ng-app", LabelCapacityType: "ON_DEMAND", "eks.amazonaws.com/nodegroup-image": "ami-0abc"}, Managed, "ng-app"},
		{map[string]string{LabelComputeType: "auto", LabelNodePool: "general-purpose"}, AutoMode, "general-purpose"},
		{map[string]string{LabelComputeType: "fargate"}, Fargate, ""},
		{map[string]string{LabelComputeType: "hybrid"}, Hybrid, ""},
		{map[string]string{"kubernetes.io/os": "linux"}, SelfManaged, ""},
		{map[string]string{LabelNodePool: "default"}, SelfManaged, "default"}, // a Karpenter you installed
		{nil, SelfManaged, ""},
	} {
		gotType, gotGroup := Classify(tc.labels)
		if gotType != tc.wantType || gotGroup != tc.wantGroup {
			t.Errorf("Classify(%v) = %s, %q; want %s, %q", tc.labels, gotType, gotGroup, tc.wantType, tc.wantGroup)
		}
	}
}
