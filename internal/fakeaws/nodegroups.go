package fakeaws

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Nodegroup is a managed node group of a fake cluster.
type Nodegroup struct {
	Name string
	// AMIType, e.g. AL2023_x86_64_STANDARD, BOTTLEROCKET_ARM_64 or CUSTOM.
	AMIType string
	// ReleaseVersion, e.g. 1.31.4-20250123 (empty for CUSTOM).
	ReleaseVersion string
	// Version is the group's Kubernetes version; default the cluster's.
	Version string
	// CapacityType is ON_DEMAND (default), SPOT or CAPACITY_BLOCK.
	CapacityType string
	// Status is ACTIVE (default), UPDATING, DEGRADED, ...
	Status                        string
	DesiredSize, MinSize, MaxSize int32
	InstanceTypes                 []string
}

// AutoModeConfig is DescribeCluster's computeConfig for an Auto Mode
// cluster.
type AutoModeConfig struct {
	Enabled bool
	// NodePools, e.g. general-purpose and system.
	NodePools   []string
	NodeRoleARN string
}

// ClusterVersion is one Kubernetes version as DescribeClusterVersions
// describes it.
type ClusterVersion struct {
	// Version, e.g. "1.31".
	Version string
	// Status is STANDARD_SUPPORT, EXTENDED_SUPPORT or UNSUPPORTED.
	Status                                     string
	EndOfStandardSupport, EndOfExtendedSupport time.Time
}

// SetClusterVersion adds (or replaces) what DescribeClusterVersions says of
// a Kubernetes version.
func (s *Server) SetClusterVersion(v ClusterVersion) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.versions == nil {
		s.versions = map[string]ClusterVersion{}
	}
	s.versions[v.Version] = v
}

// eksPageSize is how many names a List call of the fake returns at most
// when the request sets no maxResults (EKS's default is 100; the fake pages
// sooner so that clients' paging is exercised).
const eksPageSize = 2

// dataPlaneAction names the EKS action of a GET on /clusters/NAME/...
// segments, or "".
func dataPlaneAction(segs []string) string {
	switch {
	case len(segs) == 3 && segs[2] == "node-groups":
		return "ListNodegroups"
	case len(segs) == 4 && segs[2] == "node-groups" && segs[3] != "":
		return "DescribeNodegroup"
	case len(segs) == 3 && segs[2] == "fargate-profiles":
		return "ListFargateProfiles"
	}
	return ""
}

// serveDataPlane answers the node group and Fargate actions for cluster c;
// false when action is not one of them.
func (s *Server) serveDataPlane(w http.ResponseWriter, r *http.Request, action string, c *clusterState, segs []string, clusterARN string) bool {
	switch action {
	case "ListNodegroups":
		names := make([]string, 0, len(c.Nodegroups))
		for _, g := range c.Nodegroups {
			names = append(names, g.Name)
		}
		page, next, err := pageOf(names, r)
		if err != nil {
			writeEKSError(w, err)
			return true
		}
		writeJSON(w, map[string]any{"nodegroups": page, "nextToken": next})
	case "ListFargateProfiles":
		page, next, err := pageOf(append([]string(nil), c.FargateProfiles...), r)
		if err != nil {
			writeEKSError(w, err)
			return true
		}
		writeJSON(w, map[string]any{"fargateProfileNames": page, "nextToken": next})
	case "DescribeNodegroup":
		for _, g := range c.Nodegroups {
			if g.Name == segs[3] {
				writeJSON(w, map[string]any{"nodegroup": describeNodegroup(c, g, clusterARN)})
				return true
			}
		}
		writeEKSError(w, &apiError{Status: 404, Code: "ResourceNotFoundException", Message: fmt.Sprintf("No node group found for name: %s.", segs[3]),
			Extra: map[string]string{"clusterName": c.Name, "nodegroupName": segs[3]}})
	default:
		return false
	}
	return true
}

// pageOf pages sorted names by the request's maxResults and nextToken (an
// offset, opaque to clients).
func pageOf(names []string, r *http.Request) ([]string, any, *apiError) {
	sort.Strings(names)
	size := eksPageSize
	if v := r.URL.Query().Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, nil, &apiError{Status: 400, Code: "InvalidParameterException", Message: "maxResults must be between 1 and 100"}
		}
		size = n
	}
	start := 0
	if tok := r.URL.Query().Get("nextToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || n < 0 || n > len(names) || !strings.HasPrefix(tok, "page-") {
			return nil, nil, &apiError{Status: 400, Code: "InvalidParameterException", Message: "The nextToken is invalid."}
		}
		start = n
	}
	end := min(start+size, len(names))
	page := append([]string{}, names[start:end]...)
	if end < len(names) {
		return page, fmt.Sprintf("page-%d", end), nil
	}
	return page, nil, nil
}

func describeNodegroup(c *clusterState, g Nodegroup, clusterARN string) map[string]any {
	version := firstSet(g.Version, c.Version, defaultVersion)
	status := firstSet(g.Status, "ACTIVE")
	capacity := firstSet(g.CapacityType, "ON_DEMAND")
	account := strings.Split(clusterARN, ":")[4]
	created := float64(c.created.Unix())
	ng := map[string]any{
		"nodegroupName": g.Name,
		"nodegroupArn":  strings.Replace(clusterARN, ":cluster/", ":nodegroup/", 1) + "/" + g.Name + "/" + c.id[:8],
		"clusterName":   c.Name,
		"version":       version,
		"createdAt":     created,
		"modifiedAt":    created,
		"status":        status,
		"capacityType":  capacity,
		"scalingConfig": map[string]any{"minSize": g.MinSize, "maxSize": g.MaxSize, "desiredSize": g.DesiredSize},
		"instanceTypes": append([]string{}, g.InstanceTypes...),
		"subnets":       []string{"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"},
		"amiType":       g.AMIType,
		"nodeRole":      fmt.Sprintf("arn:aws:iam::%s:role/%s-node", account, c.Name),
		"labels":        map[string]string{},
		"resources":     map[string]any{"autoScalingGroups": []any{map[string]string{"name": "eks-" + g.Name + "-" + c.id[:8]}}},
		"health":        map[string]any{"issues": []any{}},
		"updateConfig":  map[string]any{"maxUnavailable": 1},
		"tags":          map[string]string{},
	}
	if g.ReleaseVersion != "" {
		ng["releaseVersion"] = g.ReleaseVersion
	}
	return ng
}

// computeConfig is DescribeCluster's computeConfig for c, or nil.
func computeConfig(c *clusterState) map[string]any {
	if c.AutoMode == nil {
		return nil
	}
	cc := map[string]any{"enabled": c.AutoMode.Enabled, "nodePools": append([]string{}, c.AutoMode.NodePools...)}
	if c.AutoMode.NodeRoleARN != "" {
		cc["nodeRoleArn"] = c.AutoMode.NodeRoleARN
	}
	return cc
}

// serveClusterVersions answers DescribeClusterVersions (GET
// /cluster-versions?clusterVersions=1.31...).
func (s *Server) serveClusterVersions(w http.ResponseWriter, r *http.Request, body []byte) {
	caller, _, aerr := s.authenticate(r, body, "eks")
	if aerr != nil {
		writeEKSError(w, eksAuthError(aerr))
		return
	}
	const action = "DescribeClusterVersions"
	if r.Method != http.MethodGet {
		writeEKSError(w, &apiError{Status: 404, Code: "UnknownOperationException", Message: fmt.Sprintf("%s %s is not an operation of this fake", r.Method, r.URL.Path)})
		return
	}
	if inj, ok := s.record(action, caller.principal); ok {
		writeEKSError(w, injectedError(inj))
		return
	}
	s.mu.Lock()
	denied := s.eksDenials[callKey{action, caller.principal}] || s.eksDenials[callKey{action, caller.arn}]
	var all []ClusterVersion
	for _, v := range s.versions {
		all = append(all, v)
	}
	s.mu.Unlock()
	if denied {
		writeEKSError(w, &apiError{Status: 403, Code: "AccessDeniedException", Message: fmt.Sprintf("User: %s is not authorized to perform: eks:%s", caller.arn, action)})
		return
	}
	want := map[string]bool{}
	for _, v := range r.URL.Query()["clusterVersions"] {
		want[v] = true
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Version < all[j].Version })
	out := []map[string]any{}
	for _, v := range all {
		if len(want) > 0 && !want[v.Version] {
			continue
		}
		cv := map[string]any{"clusterVersion": v.Version, "clusterType": "eks", "versionStatus": v.Status, "status": legacyStatus(v.Status), "defaultVersion": false}
		if !v.EndOfStandardSupport.IsZero() {
			cv["endOfStandardSupportDate"] = float64(v.EndOfStandardSupport.Unix())
		}
		if !v.EndOfExtendedSupport.IsZero() {
			cv["endOfExtendedSupportDate"] = float64(v.EndOfExtendedSupport.Unix())
		}
		out = append(out, cv)
	}
	writeJSON(w, map[string]any{"clusterVersions": out})
}

// legacyStatus is the deprecated status field that goes with a
// versionStatus.
func legacyStatus(versionStatus string) string {
	switch versionStatus {
	case "STANDARD_SUPPORT":
		return "standard-support"
	case "EXTENDED_SUPPORT":
		return "extended-support"
	}
	return "unsupported"
}

func firstSet(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
