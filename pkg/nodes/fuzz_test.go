package nodes

import (
	"strings"
	"testing"
)

// FuzzRelease feeds the strings EKS, SSM and the node list hand over
// (release versions, Kubernetes versions, AMI types, kubelet versions) to
// the arithmetic: no panic; "behind" is never true both ways; a parameter
// name stays under AWS's public /aws/service/ tree.
func FuzzRelease(f *testing.F) {
	for _, s := range [][4]string{
		{"1.31.4-20250123", "1.31.5-20250212", "AL2023_x86_64_STANDARD", "1.31"},
		{"1.28.0-c55d099c", "1.29.0-1a2b3c4d", "BOTTLEROCKET_ARM_64_NVIDIA_FIPS", "v1.27.16-eks-a737599"},
		{"v1.2.3-99999999", "1.2.3-20251301", "WINDOWS_CORE_2022_x86_64", "1.31/../../x"},
		{"", "-", "CUSTOM", "1."},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, current, latest, amiType, version string) {
		a, errA := Compare(current, latest)
		b, errB := Compare(latest, current)
		if errA == nil && errB == nil && a.Behind && b.Behind {
			t.Errorf("%q and %q are each behind the other", current, latest)
		}
		if errA == nil && a.Days < 0 {
			t.Errorf("Compare(%q, %q): %d days behind", current, latest, a.Days)
		}
		if name, ok, why := ReleaseParameter(amiType, version); ok {
			if !strings.HasPrefix(name, "/aws/service/") || strings.Contains(name, "..") || strings.ContainsAny(name, " \n?#") {
				t.Errorf("ReleaseParameter(%q, %q) = %q", amiType, version, name)
			}
		} else if why == "" {
			t.Errorf("ReleaseParameter(%q, %q): not ok and no reason", amiType, version)
		}
		if s, err := CheckSkew(version, current); err == nil && s.OK != (s.Minors >= 0 && s.Minors <= s.Allowed) {
			t.Errorf("CheckSkew(%q, %q) = %+v", version, current, s)
		}
		Classify(map[string]string{LabelComputeType: amiType, LabelNodegroup: version})
	})
}
