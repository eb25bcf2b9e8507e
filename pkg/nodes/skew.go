package nodes

import (
	"fmt"
	"strconv"
	"strings"
)

// Skew is a kubelet's version checked against the control plane's under
// the Kubernetes version skew policy
// (https://kubernetes.io/releases/version-skew-policy/#kubelet): a kubelet
// must not be newer than kube-apiserver, and may be up to three minor
// versions older when kube-apiserver is 1.28 or newer (KEP-3935), two
// before that.
type Skew struct {
	// Minors is how many minor versions the kubelet is behind the
	// control plane (negative: ahead).
	Minors int `json:"minorsBehind"`
	// Allowed is the most the policy allows for this control plane.
	Allowed int `json:"allowed"`
	// OK is false when the kubelet is outside the policy.
	OK bool `json:"ok"`
	// Problem says what is wrong when OK is false.
	Problem string `json:"problem,omitempty"`
}

// CheckSkew compares a kubelet version ("v1.29.10-eks-94953ac") with the
// control plane's Kubernetes version ("1.31"). It fails when either is not
// a Kubernetes version or their major versions differ.
func CheckSkew(controlPlane, kubelet string) (Skew, error) {
	cpMajor, cpMinor, err := majorMinor(controlPlane)
	if err != nil {
		return Skew{}, fmt.Errorf("control plane version: %w", err)
	}
	kMajor, kMinor, err := majorMinor(kubelet)
	if err != nil {
		return Skew{}, fmt.Errorf("kubelet version: %w", err)
	}
	if cpMajor != kMajor {
		return Skew{}, fmt.Errorf("kubelet %s and control plane %s differ in major version", kubelet, controlPlane)
	}
	s := Skew{Minors: cpMinor - kMinor, Allowed: 2}
	if cpMajor > 1 || cpMinor >= 28 {
		s.Allowed = 3
	}
	switch {
	case s.Minors < 0:
		s.Problem = fmt.Sprintf("kubelet 1.%d is newer than the control plane (1.%d): the skew policy does not allow it", kMinor, cpMinor)
	case s.Minors > s.Allowed:
		s.Problem = fmt.Sprintf("kubelet 1.%d is %d minor versions behind the control plane (1.%d); the skew policy allows %d", kMinor, s.Minors, cpMinor, s.Allowed)
	default:
		s.OK = true
	}
	return s, nil
}

// majorMinor parses "1.31", "v1.31.4" or "v1.31.4-eks-abcdef".
func majorMinor(v string) (int, int, error) {
	s := strings.TrimPrefix(strings.TrimSpace(v), "v")
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return 0, 0, fmt.Errorf("%q is not a Kubernetes version", v)
	}
	minor := parts[1]
	if i := strings.IndexAny(minor, "-+"); i >= 0 {
		minor = minor[:i]
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma < 0 || mi < 0 {
		return 0, 0, fmt.Errorf("%q is not a Kubernetes version", v)
	}
	return ma, mi, nil
}
