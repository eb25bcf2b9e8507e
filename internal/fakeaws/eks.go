package fakeaws

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Cluster is an EKS cluster the fake serves.
type Cluster struct {
	Name, Region, Account string
	// Endpoint is the API server URL DescribeCluster reports.
	Endpoint string
	// CAData is the PEM of the cluster CA; DescribeCluster returns it
	// base64-encoded, as EKS does.
	CAData []byte
	// AuthMode is CONFIG_MAP, API_AND_CONFIG_MAP or API. Default
	// API_AND_CONFIG_MAP.
	AuthMode      string
	AccessEntries []AccessEntry
	// Version and PlatformVersion are what DescribeCluster reports;
	// default 1.33 and eks.1.
	Version, PlatformVersion string
	// AutoMode, when set, is DescribeCluster's computeConfig.
	AutoMode *AutoModeConfig
	// Nodegroups and FargateProfiles (names) are the cluster's data
	// plane (nodegroups.go).
	Nodegroups      []Nodegroup
	FargateProfiles []string
}

// AccessEntry is one EKS access entry.
type AccessEntry struct {
	PrincipalARN, Username string
	Groups                 []string
	Policies               []AccessPolicy
}

// AccessPolicy is an access policy associated with an access entry.
type AccessPolicy struct {
	// PolicyARN, e.g. arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy.
	PolicyARN string
	// ScopeType is "cluster" (default) or "namespace".
	ScopeType  string
	Namespaces []string
}

type clusterState struct {
	Cluster
	created time.Time
	id      string
}

// AddCluster adds a cluster, or replaces the one with the same name,
// account and region. A cluster with an Account is visible only to callers
// of that account; with a Region, only to requests signed for that region
// (as in real EKS, where clusters are regional). Clusters of the same name
// may live in several accounts and regions.
func (s *Server) AddCluster(c Cluster) {
	if c.AuthMode == "" {
		c.AuthMode = "API_AND_CONFIG_MAP"
	}
	c.CAData = append([]byte(nil), c.CAData...)
	c.AccessEntries = append([]AccessEntry(nil), c.AccessEntries...)
	c.Nodegroups = append([]Nodegroup(nil), c.Nodegroups...)
	c.FargateProfiles = append([]string(nil), c.FargateProfiles...)
	cs := &clusterState{Cluster: c, created: s.now().UTC().Truncate(time.Second), id: strings.ToLower(randomID(32))}
	s.mu.Lock()
	defer s.mu.Unlock()
	same := s.clusters[c.Name]
	for i, old := range same {
		if old.Account == c.Account && old.Region == c.Region {
			same[i] = cs
			return
		}
	}
	s.clusters[c.Name] = append(same, cs)
}

// RemoveCluster deletes the cluster of that name, account and region (as
// given to AddCluster), as if it had been deleted in EKS.
func (s *Server) RemoveCluster(name, account, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clusters[name] = slices.DeleteFunc(s.clusters[name], func(c *clusterState) bool {
		return c.Account == account && c.Region == region
	})
	if len(s.clusters[name]) == 0 {
		delete(s.clusters, name)
	}
}

// visible reports whether c can be seen by a caller of account signing for
// region. The caller holds s.mu.
func (c *clusterState) visible(account, region string) bool {
	return (c.Account == "" || c.Account == account) && (c.Region == "" || c.Region == region)
}

// findCluster returns the cluster called name that a caller of account
// signing for region sees. The caller holds s.mu.
func (s *Server) findCluster(name, account, region string) (*clusterState, bool) {
	for _, c := range s.clusters[name] {
		if c.visible(account, region) {
			return c, true
		}
	}
	return nil, false
}

// DenyEKS makes every later call of the EKS action (e.g. "ListAccessEntries")
// by principalARN (a user ARN, a role ARN for all its sessions, or one
// session's assumed-role ARN) fail with AccessDeniedException.
func (s *Server) DenyEKS(principalARN, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eksDenials[callKey{action, principalARN}] = true
}

func (s *Server) serveEKS(w http.ResponseWriter, r *http.Request, body []byte) {
	// Split the escaped path so that an escaped principal ARN stays one
	// segment.
	var segs []string
	for _, raw := range strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/") {
		seg, err := url.PathUnescape(raw)
		if err != nil {
			writeEKSError(w, &apiError{Status: 400, Code: "InvalidParameterException", Message: "malformed path"})
			return
		}
		segs = append(segs, seg)
	}
	action := ""
	if r.Method == http.MethodGet {
		switch {
		case len(segs) == 1:
			action = "ListClusters"
		case len(segs) == 2:
			action = "DescribeCluster"
		case len(segs) == 3 && segs[2] == "access-entries":
			action = "ListAccessEntries"
		case len(segs) == 4 && segs[2] == "access-entries":
			action = "DescribeAccessEntry"
		case len(segs) == 5 && segs[2] == "access-entries" && segs[4] == "access-policies":
			action = "ListAssociatedAccessPolicies"
		default:
			action = dataPlaneAction(segs)
		}
	}
	caller, sr, aerr := s.authenticate(r, body, "eks")
	if aerr != nil {
		writeEKSError(w, eksAuthError(aerr))
		return
	}
	if action == "" || (action != "ListClusters" && segs[1] == "") {
		writeEKSError(w, &apiError{Status: 404, Code: "UnknownOperationException", Message: fmt.Sprintf("%s %s is not an operation of this fake", r.Method, r.URL.Path)})
		return
	}
	if inj, ok := s.record(action, caller.principal); ok {
		e := injectedError(inj)
		writeEKSError(w, e)
		return
	}
	if action == "ListClusters" {
		s.listClusters(w, r, caller, sr.Region)
		return
	}
	name := segs[1]
	region, account := sr.Region, caller.account
	clusterARN := fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", caller.partition, region, account, name)

	s.mu.Lock()
	denied := s.eksDenials[callKey{action, caller.principal}] || s.eksDenials[callKey{action, caller.arn}]
	cs, ok := s.findCluster(name, caller.account, sr.Region)
	var c clusterState
	if ok {
		c = *cs
	}
	s.mu.Unlock()
	if denied {
		writeEKSError(w, &apiError{Status: 403, Code: "AccessDeniedException", Message: fmt.Sprintf("User: %s is not authorized to perform: eks:%s on resource: %s", caller.arn, action, clusterARN)})
		return
	}
	if !ok {
		writeEKSError(w, &apiError{Status: 404, Code: "ResourceNotFoundException", Message: fmt.Sprintf("No cluster found for name: %s.", name), Extra: map[string]string{"clusterName": name}})
		return
	}

	if action == "DescribeCluster" {
		writeJSON(w, map[string]any{"cluster": describeCluster(&c, clusterARN)})
		return
	}
	if s.serveDataPlane(w, r, action, &c, segs, clusterARN) {
		return
	}
	if c.AuthMode == "CONFIG_MAP" {
		writeEKSError(w, &apiError{Status: 400, Code: "InvalidRequestException", Message: "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.", Extra: map[string]string{"clusterName": name}})
		return
	}
	if action == "ListAccessEntries" {
		arns := []string{}
		for _, e := range c.AccessEntries {
			arns = append(arns, e.PrincipalARN)
		}
		writeJSON(w, map[string]any{"accessEntries": arns})
		return
	}
	principal := segs[3]
	var entry *AccessEntry
	for i := range c.AccessEntries {
		if c.AccessEntries[i].PrincipalARN == principal {
			entry = &c.AccessEntries[i]
		}
	}
	if entry == nil {
		writeEKSError(w, &apiError{Status: 404, Code: "ResourceNotFoundException", Message: "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.", Extra: map[string]string{"clusterName": name}})
		return
	}
	created := float64(c.created.Unix())
	switch action {
	case "DescribeAccessEntry":
		username := entry.Username
		if username == "" {
			username = defaultUsername(entry.PrincipalARN)
		}
		groups := append([]string{}, entry.Groups...)
		writeJSON(w, map[string]any{"accessEntry": map[string]any{
			"clusterName":      name,
			"principalArn":     entry.PrincipalARN,
			"kubernetesGroups": groups,
			"accessEntryArn":   accessEntryARN(caller.partition, region, account, name, entry.PrincipalARN, c.id),
			"createdAt":        created,
			"modifiedAt":       created,
			"tags":             map[string]string{},
			"username":         username,
			"type":             "STANDARD",
		}})
	case "ListAssociatedAccessPolicies":
		pols := []map[string]any{}
		for _, p := range entry.Policies {
			scope := p.ScopeType
			if scope == "" {
				scope = "cluster"
			}
			pols = append(pols, map[string]any{
				"policyArn":    p.PolicyARN,
				"accessScope":  map[string]any{"type": scope, "namespaces": append([]string{}, p.Namespaces...)},
				"associatedAt": created,
				"modifiedAt":   created,
			})
		}
		writeJSON(w, map[string]any{"clusterName": name, "principalArn": entry.PrincipalARN, "associatedAccessPolicies": pols})
	}
}

func describeCluster(c *clusterState, arn string) map[string]any {
	m := map[string]any{
		"name":                 c.Name,
		"arn":                  arn,
		"createdAt":            float64(c.created.Unix()),
		"version":              firstSet(c.Version, defaultVersion),
		"endpoint":             c.Endpoint,
		"status":               "ACTIVE",
		"platformVersion":      firstSet(c.PlatformVersion, "eks.1"),
		"certificateAuthority": map[string]any{"data": base64.StdEncoding.EncodeToString(c.CAData)},
		"accessConfig":         map[string]any{"authenticationMode": c.AuthMode},
		"id":                   c.id,
		"tags":                 map[string]string{},
	}
	if cc := computeConfig(c); cc != nil {
		m["computeConfig"] = cc
	}
	return m
}

// defaultVersion is the Kubernetes version of a cluster that sets none.
const defaultVersion = "1.33"

// defaultUsername is the username EKS gives an access entry created
// without one.
func defaultUsername(principal string) string {
	if p, ok := parseRoleARN(principal); ok {
		return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/{{SessionName}}", p.partition, p.account, p.name)
	}
	return principal
}

func accessEntryARN(partition, region, account, cluster, principal, clusterID string) string {
	kind, name := "user", principal
	if p, ok := parseRoleARN(principal); ok {
		kind, name = "role", p.name
	} else if i := strings.LastIndex(principal, "/"); i >= 0 {
		name = principal[i+1:]
	}
	return fmt.Sprintf("arn:%s:eks:%s:%s:access-entry/%s/%s/%s/%s/%s", partition, region, account, cluster, kind, account, name, clusterID[:8])
}

// eksAuthError renders a SigV4 failure the way REST-JSON services name it.
func eksAuthError(e *apiError) *apiError {
	code := map[string]string{
		"SignatureDoesNotMatch":      "InvalidSignatureException",
		"InvalidClientTokenId":       "UnrecognizedClientException",
		"ExpiredToken":               "ExpiredTokenException",
		"MissingAuthenticationToken": "MissingAuthenticationTokenException",
		"IncompleteSignature":        "IncompleteSignatureException",
	}[e.Code]
	if code == "" {
		code = e.Code
	}
	status := e.Status
	if code == "ExpiredTokenException" {
		status = http.StatusForbidden
	}
	return &apiError{Status: status, Code: code, Message: e.Message}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func writeEKSError(w http.ResponseWriter, e *apiError) {
	body := map[string]string{"message": e.Message}
	for k, v := range e.Extra {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body)
}
