package fakeaws

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Options configures a Server.
type Options struct {
	// Now is the server clock, used to check request dates and to issue
	// and expire sessions. Default time.Now.
	Now func() time.Time
	// SessionTokenSize is the length in characters of issued session
	// tokens. Default 1024, about what real STS issues for a role session.
	SessionTokenSize int
	// ListPageSize caps how many names one ListClusters page holds,
	// whatever maxResults asks, so tests exercise nextToken with a few
	// clusters. Default (0): maxResults alone decides, as in EKS.
	ListPageSize int
}

// Credentials are AWS credentials the server knows, as a client would use
// them. SessionToken and Expires are empty for long-term user keys.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
	// ARN is the caller ARN GetCallerIdentity reports for these
	// credentials: arn:aws:iam::ACCT:user/NAME or
	// arn:aws:sts::ACCT:assumed-role/NAME/SESSION.
	ARN string
}

// RoleOptions sets what AssumeRole demands of a role and what it issues.
type RoleOptions struct {
	// ExternalID, when set, must be passed as ExternalId.
	ExternalID string
	// MFASerial, when set, must be passed as SerialNumber together with
	// TokenCode equal to MFACode.
	MFASerial, MFACode string
	// Deny refuses every AssumeRole of this role.
	Deny bool
	// MaxSessionDuration is the role's maximum session duration
	// (DurationSeconds above it is a ValidationError). Default 1h.
	MaxSessionDuration time.Duration
	// MaxIssuedDuration, when not 0, caps how long issued sessions last
	// whatever DurationSeconds asked (the response's Expiration tells),
	// so tests can exercise renewals without waiting an hour.
	MaxIssuedDuration time.Duration
	// Trusted, when not empty, lists the principals allowed to assume the
	// role: IAM user ARNs, role ARNs (for callers that are sessions of
	// that role) or "arn:aws:iam::ACCT:root" for any principal of ACCT.
	// Empty trusts everyone.
	Trusted []string
}

// Server is a running fake STS + EKS endpoint. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT, for both STS (POST /)
	// and EKS (/clusters/...).
	URL string

	srv        *httptest.Server
	now        func() time.Time
	tokenSize  int
	mu         sync.Mutex
	delay      time.Duration
	keys       map[string]*identity
	roles      map[string]*role
	clusters   map[string][]*clusterState // by name; one per account and region
	pageSize   int
	calls      map[callKey]int
	failures   map[string][]injected
	eksDenials map[callKey]bool
	versions   map[string]ClusterVersion // DescribeClusterVersions (nodegroups.go)
	ssmParams  map[string]string         // region NUL name -> value (ssm.go)
	sso        *ssoState
}

type callKey struct{ action, arn string }

type injected struct {
	status int
	code   string
}

// identity is one set of credentials the server accepts.
type identity struct {
	secret, token  string
	expires        time.Time // zero: long-term keys
	revoked        bool
	account        string
	partition      string
	arn            string // caller ARN
	userID         string
	principal      string // user ARN, or the role ARN of a role session
	roleSession    bool
	sourceIdentity string
}

type role struct {
	arn, partition, account, path, name, id string
	opts                                    RoleOptions
}

// New starts a server on a loopback port. Close it when done.
func New(opts Options) *Server {
	s := NewUnstarted(opts)
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	return s
}

// NewUnstarted returns a server that is not listening: serve it yourself
// (it is an http.Handler) and set URL to where it is served. Close is then a
// no-op.
func NewUnstarted(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SessionTokenSize <= 0 {
		opts.SessionTokenSize = 1024
	}
	s := &Server{
		now:        opts.Now,
		tokenSize:  opts.SessionTokenSize,
		keys:       map[string]*identity{},
		roles:      map[string]*role{},
		clusters:   map[string][]*clusterState{},
		pageSize:   opts.ListPageSize,
		calls:      map[callKey]int{},
		failures:   map[string][]injected{},
		eksDenials: map[callKey]bool{},
		sso:        newSSOState(),
	}
	return s
}

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Handler returns the server's http.Handler, to mount it elsewhere.
func (s *Server) Handler() http.Handler { return s }

// AddUser creates an IAM user with long-term access keys (AKIA...).
func (s *Server) AddUser(account, name string) Credentials {
	id := &identity{
		secret:    randomSecret(),
		account:   account,
		partition: "aws",
		arn:       "arn:aws:iam::" + account + ":user/" + name,
		userID:    "AIDA" + randomID(17),
	}
	id.principal = id.arn
	akid := "AKIA" + randomID(16)
	s.mu.Lock()
	s.keys[akid] = id
	s.mu.Unlock()
	return Credentials{AccessKeyID: akid, SecretAccessKey: id.secret, ARN: id.arn}
}

// AddRole creates (or replaces) a role, arn:PARTITION:iam::ACCT:role/[PATH/]NAME.
// A malformed ARN is recorded as is and simply never matches a valid
// AssumeRole request.
func (s *Server) AddRole(arn string, o RoleOptions) {
	if o.MaxSessionDuration <= 0 {
		o.MaxSessionDuration = time.Hour
	}
	r := &role{arn: arn, id: "AROA" + randomID(17), opts: o}
	if p, ok := parseRoleARN(arn); ok {
		r.partition, r.account, r.path, r.name = p.partition, p.account, p.path, p.name
	}
	s.mu.Lock()
	s.roles[arn] = r
	s.mu.Unlock()
}

// Calls counts the authenticated requests of action that reached the
// server (including those then refused or failed by Fail). For AssumeRole
// arn is the requested role ARN; for GetCallerIdentity and EKS actions it is
// the caller's principal (user ARN, or role ARN for a role session). An empty
// arn counts every call of the action.
func (s *Server) Calls(action, arn string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[callKey{action, arn}]
}

// SetDelay makes every later request wait d before it is handled.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Fail makes the next n authenticated calls of action (an STS or EKS
// action name) fail with an AWS error of this HTTP status and code, e.g.
// Fail("AssumeRole", 2, 400, "Throttling").
func (s *Server) Fail(action string, n int, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.failures[action] = append(s.failures[action], injected{status, code})
	}
}

// Revoke makes every later request signed with accessKeyID fail with
// InvalidClientTokenId.
func (s *Server) Revoke(accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.keys[accessKeyID]; ok {
		id.revoked = true
	}
}

// RevokeSessions makes every role session issued so far fail, as after an
// STS restart or AWS's "Revoke active sessions": later requests signed by
// one get InvalidClientTokenId. Long-term user keys and sessions issued
// afterwards are not affected. It returns how many sessions it revoked.
func (s *Server) RevokeSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range s.keys {
		if id.roleSession && !id.revoked {
			id.revoked = true
			n++
		}
	}
	return n
}

// record counts one call and pops an injected failure, if any.
func (s *Server) record(action string, arns ...string) (injected, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[callKey{action, ""}]++
	for _, a := range arns {
		if a != "" {
			s.calls[callKey{action, a}]++
		}
	}
	q := s.failures[action]
	if len(q) == 0 {
		return injected{}, false
	}
	s.failures[action] = q[1:]
	return q[0], true
}

// apiError is an AWS error response, rendered per protocol.
type apiError struct {
	Status  int
	Code    string
	Message string
	Extra   map[string]string // EKS body fields besides message
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// ServeHTTP routes SSM (POST "/" with X-Amz-Target AmazonSSM.*), STS
// (path "/") and EKS (/clusters, paths under /clusters/, and
// /cluster-versions).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.delay
	s.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	reqID := newRequestID()
	w.Header().Set("X-Amzn-RequestId", reqID)
	switch {
	case isSSM(r):
		s.serveSSM(w, r, body)
	case r.URL.Path == "/cluster-versions":
		s.serveClusterVersions(w, r, body)
	case isSSORequest(r):
		s.serveSSO(w, r, body)
	case r.URL.Path == "/":
		s.serveSTS(w, r, body, reqID)
	case r.URL.Path == "/clusters" || strings.HasPrefix(r.URL.Path, "/clusters/"):
		s.serveEKS(w, r, body)
	default:
		writeEKSError(w, &apiError{Status: http.StatusNotFound, Code: "UnknownOperationException", Message: "no such operation"})
	}
}

// authenticate verifies r's signature for service and returns the identity
// that signed it.
func (s *Server) authenticate(r *http.Request, body []byte, service string) (*identity, *signedRequest, *apiError) {
	sr, serr := parseSignedRequest(r, body)
	if serr != nil {
		return nil, nil, sigToAPI(serr)
	}
	if sr.Service != service {
		return nil, nil, &apiError{Status: 403, Code: "SignatureDoesNotMatch", Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", service)}
	}
	now := s.now().UTC()
	const skew = 15 * time.Minute
	if sr.Time.After(now.Add(skew)) {
		return nil, nil, &apiError{Status: 403, Code: "SignatureDoesNotMatch", Message: fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			sr.AmzDate, now.Add(skew).Format(amzDateLayout), now.Format(amzDateLayout))}
	}
	// A presigned GetCallerIdentity URL is good for 15 minutes after
	// X-Amz-Date whatever its X-Amz-Expires says: that is what lets EKS
	// tokens (X-Amz-Expires=60) live 14 minutes. So both kinds of request
	// share one window.
	if sr.Time.Before(now.Add(-skew)) {
		return nil, nil, &apiError{Status: 403, Code: "SignatureDoesNotMatch", Message: fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			sr.AmzDate, now.Add(-skew).Format(amzDateLayout), now.Format(amzDateLayout))}
	}
	if r.Header.Get("X-K8s-Aws-Id") != "" && !sr.signs("x-k8s-aws-id") {
		return nil, nil, &apiError{Status: 403, Code: "SignatureDoesNotMatch", Message: "the x-k8s-aws-id header is present but not signed"}
	}

	s.mu.Lock()
	id, ok := s.keys[sr.AccessKeyID]
	var snapshot identity
	if ok {
		snapshot = *id
	}
	s.mu.Unlock()
	invalid := &apiError{Status: 403, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
	if !ok || snapshot.revoked {
		return nil, nil, invalid
	}
	if snapshot.token != "" || sr.SecurityToken != "" {
		if !constantTimeEqual(snapshot.token, sr.SecurityToken) {
			return nil, nil, invalid
		}
	}
	if !snapshot.expires.IsZero() && !now.Before(snapshot.expires) {
		return nil, nil, &apiError{Status: 400, Code: "ExpiredToken", Message: "The security token included in the request is expired"}
	}
	if !sr.verify(snapshot.secret) {
		return nil, nil, &apiError{Status: 403, Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	}
	return &snapshot, sr, nil
}

func sigToAPI(e *sigError) *apiError {
	status := http.StatusForbidden
	if e.Code == "IncompleteSignature" {
		status = http.StatusBadRequest
	}
	return &apiError{Status: status, Code: e.Code, Message: e.Message}
}

func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// randomID returns n random characters of upper-case base32, the alphabet
// of AWS access key and unique IDs.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// randomSecret returns a 40-character secret access key.
func randomSecret() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b) // 40 chars, no padding
}

// randomToken returns n characters of standard base64, like a session token.
func randomToken(n int) string {
	b := make([]byte, n*3/4+3)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)[:n]
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

type roleARN struct{ partition, account, path, name string }

// parseRoleARN splits arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
func parseRoleARN(arn string) (roleARN, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" || parts[3] != "" || !isAccount(parts[4]) {
		return roleARN{}, false
	}
	res, ok := strings.CutPrefix(parts[5], "role/")
	if !ok || res == "" || strings.HasSuffix(res, "/") {
		return roleARN{}, false
	}
	path, name := "/", res
	if i := strings.LastIndex(res, "/"); i >= 0 {
		path, name = "/"+res[:i+1], res[i+1:]
	}
	return roleARN{partition: parts[1], account: parts[4], path: path, name: name}, true
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
