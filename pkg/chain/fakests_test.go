package chain

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Secrets the fake hands out carry these markers so tests can assert that no
// error or log line ever shows one.
const (
	secretMarker = "SECRETKEY"
	tokenMarker  = "SESSIONTOKEN"
	baseAKID     = "AKIABASE00000EXAMPLE"
	goodMFACode  = "123456"
)

var baseCreds = aws.Credentials{AccessKeyID: baseAKID, SecretAccessKey: "base-" + secretMarker}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stsCall is one AssumeRole request the fake saw.
type stsCall struct {
	Signer, RoleARN, SessionName, ExternalID, SerialNumber, TokenCode, SourceIdentity string
	Duration                                                                          int
}

type issued struct {
	token, arn string
	expires    time.Time
}

// fakeSTS answers AssumeRole like STS does for what these tests need: it
// knows which credentials signed each call, refuses unknown, expired and
// revoked sessions, enforces the role-chaining limit, MFA and denials.
type fakeSTS struct {
	t     *testing.T
	clock *fakeClock
	srv   *httptest.Server

	mu      sync.Mutex
	calls   []stsCall
	issued  map[string]issued
	revoked map[string]string // AKID -> error code to answer with
	deny    map[string]bool   // role ARN -> AccessDenied
	mfa     map[string]string // role ARN -> required MFA serial
	n       int
}

var credRe = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

func newFakeSTS(t *testing.T, clock *fakeClock) *fakeSTS {
	f := &fakeSTS{t: t, clock: clock, issued: map[string]issued{}, revoked: map[string]string{}, deny: map[string]bool{}, mfa: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client is a Runner.NewClient built from the real SDK pointed at the fake.
func (f *fakeSTS) client() func(aws.Credentials) AssumeRoleAPI {
	cfg := aws.Config{
		Region:     "us-east-1",
		HTTPClient: f.srv.Client(),
		Retryer:    func() aws.Retryer { return aws.NopRetryer{} },
	}
	return NewSDKClient(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(f.srv.URL) })
}

func (f *fakeSTS) Calls() []stsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]stsCall(nil), f.calls...)
}

func (f *fakeSTS) revoke(akid, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked[akid] = code
}

func (f *fakeSTS) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`, code, msg)
}

func (f *fakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "AssumeRole" {
		f.t.Errorf("fake STS: unexpected request %s %s: %v", r.Method, r.URL, r.PostForm)
		f.fail(w, 400, "InvalidAction", "not AssumeRole")
		return
	}
	m := credRe.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		f.fail(w, 403, "MissingAuthenticationToken", "unsigned")
		return
	}
	p := r.PostForm
	dur, _ := strconv.Atoi(p.Get("DurationSeconds"))
	c := stsCall{Signer: m[1], RoleARN: p.Get("RoleArn"), SessionName: p.Get("RoleSessionName"), ExternalID: p.Get("ExternalId"),
		SerialNumber: p.Get("SerialNumber"), TokenCode: p.Get("TokenCode"), SourceIdentity: p.Get("SourceIdentity"), Duration: dur}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	now := f.clock.Now()
	signer, isSession := f.issued[c.Signer]
	switch {
	case f.revoked[c.Signer] != "":
		f.fail(w, 403, f.revoked[c.Signer], "The security token included in the request is invalid.")
		return
	case c.Signer != baseAKID && !isSession:
		f.fail(w, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	case isSession && r.Header.Get("X-Amz-Security-Token") != signer.token:
		f.fail(w, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	case isSession && !now.Before(signer.expires):
		f.fail(w, 403, "ExpiredToken", "The security token included in the request is expired")
		return
	case isSession && dur > 3600:
		f.fail(w, 400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		return
	case f.deny[c.RoleARN]:
		who := "arn:aws:iam::000000000000:user/base"
		if isSession {
			who = signer.arn
		}
		f.fail(w, 403, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", who, c.RoleARN))
		return
	case f.mfa[c.RoleARN] != "" && (c.SerialNumber != f.mfa[c.RoleARN] || c.TokenCode != goodMFACode):
		f.fail(w, 403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
		return
	}
	if dur == 0 {
		dur = 3600
	}
	f.n++
	akid := fmt.Sprintf("ASIAFAKE%012d", f.n)
	roleName := c.RoleARN[strings.LastIndex(c.RoleARN, "/")+1:]
	account := strings.Split(c.RoleARN, ":")[4]
	is := issued{
		token:   fmt.Sprintf("%s-%d-%s", tokenMarker, f.n, strings.Repeat("x", 900)),
		arn:     fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, roleName, c.SessionName),
		expires: now.Add(time.Duration(dur) * time.Second),
	}
	f.issued[akid] = is
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>%s</AccessKeyId>
      <SecretAccessKey>%s-%d</SecretAccessKey>
      <SessionToken>%s</SessionToken>
      <Expiration>%s</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>req-%d</RequestId></ResponseMetadata>
</AssumeRoleResponse>`, is.arn, c.SessionName, akid, secretMarker, f.n, is.token, is.expires.UTC().Format(time.RFC3339), f.n)
}

// memCache is an in-memory SessionCache that counts its use.
type memCache struct {
	mu                sync.Mutex
	m                 map[int]Session
	gets, puts, drops int
}

func newMemCache() *memCache { return &memCache{m: map[int]Session{}} }

func (c *memCache) Get(i int) (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	s, ok := c.m[i]
	return s, ok
}

func (c *memCache) Put(i int, s Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.puts++
	c.m[i] = s
}

func (c *memCache) Delete(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drops++
	delete(c.m, i)
}

func (c *memCache) akid(i int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[i].Credentials.AccessKeyID
}
