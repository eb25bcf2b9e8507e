package apiserver

import (
	"net/http"
	"strconv"
	"strings"
)

// Node is a node the server lists at GET /api/v1/nodes, with the labels
// EKS puts on it.
type Node struct {
	Name   string
	Labels map[string]string
	// KubeletVersion, e.g. v1.31.4-eks-aeac579; OSImage, e.g.
	// "Amazon Linux 2023.6.20250123".
	KubeletVersion, OSImage string
	// NotReady makes the Ready condition False.
	NotReady bool
}

// SetNodes replaces the node list.
func (s *Server) SetNodes(nodes []Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodes = append([]Node(nil), nodes...)
}

// ForbidNodes makes listing nodes answer 403 Forbidden to every
// authenticated user, as RBAC does for a user without list on nodes.
func (s *Server) ForbidNodes(forbid bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodesForbidden = forbid
}

// NodeListCalls counts the authenticated GET /api/v1/nodes requests.
func (s *Server) NodeListCalls() int64 { return s.nodeLists.Load() }

// serveNodes answers a NodeList, paged by limit and continue as the real
// API server pages (continue is opaque to clients).
func (s *Server) serveNodes(w http.ResponseWriter, r *http.Request, user User) {
	s.nodeLists.Add(1)
	s.mu.Lock()
	nodes, forbidden := append([]Node(nil), s.nodes...), s.nodesForbidden
	s.mu.Unlock()
	if forbidden {
		writeStatus(w, http.StatusForbidden, `nodes is forbidden: User "`+user.Username+`" cannot list resource "nodes" in API group "" at the cluster scope`)
		return
	}
	start := 0
	if c := r.URL.Query().Get("continue"); c != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "offset-"))
		if err != nil || n < 0 || n > len(nodes) {
			writeStatus(w, http.StatusBadRequest, "invalid continue token")
			return
		}
		start = n
	}
	end := len(nodes)
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && start+l < end {
		end = start + l
	}
	meta := map[string]any{"resourceVersion": "12345"}
	if end < len(nodes) {
		meta["continue"] = "offset-" + strconv.Itoa(end)
	}
	items := []any{}
	for _, n := range nodes[start:end] {
		ready := "True"
		if n.NotReady {
			ready = "False"
		}
		labels := map[string]string{"kubernetes.io/hostname": n.Name, "kubernetes.io/os": "linux"}
		for k, v := range n.Labels {
			labels[k] = v
		}
		items = append(items, map[string]any{
			"metadata": map[string]any{"name": n.Name, "labels": labels, "uid": "uid-" + n.Name, "creationTimestamp": "2025-02-01T00:00:00Z"},
			"spec":     map[string]any{"providerID": "aws:///eu-west-1a/i-" + n.Name},
			"status": map[string]any{
				"conditions": []any{map[string]any{"type": "Ready", "status": ready, "reason": "KubeletReady"}},
				"nodeInfo": map[string]any{
					"kubeletVersion": n.KubeletVersion, "osImage": n.OSImage, "kubeProxyVersion": "", "operatingSystem": "linux",
					"architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.25", "kernelVersion": "6.1.0",
				},
			},
		})
	}
	writeJSON(w, map[string]any{"kind": "NodeList", "apiVersion": "v1", "metadata": meta, "items": items})
}

// coreResources is the discovery document of the core group (GET /api/v1),
// as far as kubectl needs it to find nodes.
var coreResources = map[string]any{
	"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
	"resources": []any{map[string]any{
		"name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node",
		"verbs": []string{"get", "list", "watch"}, "shortNames": []string{"no"},
	}},
}
