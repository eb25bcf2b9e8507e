// Package apiserver is a minimal Kubernetes API server over TLS whose only
// authenticator is the one EKS runs: every bearer token is checked with
// sigs.k8s.io/aws-iam-authenticator's Verifier, which replays the token's
// presigned URL to STS. It serves just enough for real kubectl commands:
// /version, discovery, SelfSubjectReview (kubectl auth whoami) and the node
// list (kubectl get nodes, kubectl eksxa nodes).
package apiserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	vtoken "sigs.k8s.io/aws-iam-authenticator/pkg/token"
)

// User is what an IAM principal is mapped to, as an EKS access entry or an
// aws-auth mapRoles line would map it.
type User struct {
	Username string
	Groups   []string
}

// Server is a running fake API server.
type Server struct {
	URL    string
	CAData []byte // PEM of the server's certificate, for the kubeconfig

	srv      *httptest.Server
	verifier vtoken.Verifier

	mu      sync.Mutex
	mapping map[string]User // canonical principal ARN -> user

	verified, rejected atomic.Int64

	nodes          []Node // nodes.go
	nodesForbidden bool
	nodeLists      atomic.Int64
}

// New starts a server for cluster in region (partition "aws", "aws-cn", ...).
func New(cluster, partition, region string) *Server {
	s := &Server{
		verifier: vtoken.NewVerifier(cluster, partition, region),
		mapping:  map[string]User{},
	}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	s.CAData = certPEM(s.srv)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Map lets the principal (an IAM role or user ARN, without path for roles,
// as EKS canonicalises them) in as user.
func (s *Server) Map(principalARN string, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mapping[principalARN] = u
}

// Unmap stops letting the principal in.
func (s *Server) Unmap(principalARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mapping, principalARN)
}

// Verified counts the tokens the verifier accepted.
func (s *Server) Verified() int64 { return s.verified.Load() }

// Rejected counts the tokens the verifier refused.
func (s *Server) Rejected() int64 { return s.rejected.Load() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	user, ok := s.authenticate(r)
	if !ok {
		writeStatus(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/version":
		writeJSON(w, map[string]string{"major": "1", "minor": "32", "gitVersion": "v1.32.0-eks-fake", "platform": "linux/amd64"})
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/nodes":
		s.serveNodes(w, r, user)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1":
		writeJSON(w, coreResources)
	case r.Method == http.MethodGet && r.URL.Path == "/api":
		writeJSON(w, map[string]any{"kind": "APIVersions", "versions": []string{"v1"}, "serverAddressByClientCIDRs": []any{}})
	case r.Method == http.MethodGet && r.URL.Path == "/apis":
		writeJSON(w, map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": []any{map[string]any{
			"name":             "authentication.k8s.io",
			"versions":         []any{map[string]string{"groupVersion": "authentication.k8s.io/v1", "version": "v1"}},
			"preferredVersion": map[string]string{"groupVersion": "authentication.k8s.io/v1", "version": "v1"},
		}}})
	case r.Method == http.MethodPost && r.URL.Path == "/apis/authentication.k8s.io/v1/selfsubjectreviews":
		writeJSON(w, map[string]any{
			"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
			"metadata": map[string]any{"creationTimestamp": nil},
			"status":   map[string]any{"userInfo": map[string]any{"username": user.Username, "groups": user.Groups}},
		})
	default:
		writeStatus(w, http.StatusNotFound, "the server could not find the requested resource")
	}
}

// authenticate verifies the bearer token and maps its principal.
func (s *Server) authenticate(r *http.Request) (User, bool) {
	tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found {
		s.rejected.Add(1)
		return User{}, false
	}
	id, err := s.verifier.Verify(tok)
	if err != nil {
		s.rejected.Add(1)
		return User{}, false
	}
	s.mu.Lock()
	u, ok := s.mapping[id.CanonicalARN]
	s.mu.Unlock()
	if !ok {
		s.rejected.Add(1)
		return User{}, false
	}
	s.verified.Add(1)
	u.Username = strings.ReplaceAll(u.Username, "{{SessionName}}", id.SessionName)
	return u, true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeStatus(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": msg, "reason": http.StatusText(code), "code": code,
	})
}

// RouteSTS sends every request that the process makes through
// http.DefaultTransport to target (the fake STS) instead, keeping the
// original Host header, which is signed. The EKS verifier's HTTP client uses
// the default transport, so this is how it reaches the fake STS.
func RouteSTS(target string) (restore func(), err error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	orig := http.DefaultTransport
	base := orig.(*http.Transport).Clone()
	http.DefaultTransport = roundTripper(func(r *http.Request) (*http.Response, error) {
		if !strings.HasPrefix(r.URL.Host, "sts.") {
			return base.RoundTrip(r)
		}
		r = r.Clone(r.Context())
		r.Host = r.URL.Host
		r.URL.Scheme, r.URL.Host = u.Scheme, u.Host
		return base.RoundTrip(r)
	})
	return func() { http.DefaultTransport = orig }, nil
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
