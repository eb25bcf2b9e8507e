package fakeaws

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

type stsErrorDoc struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type, Code, Message string
	}
	RequestID string `xml:"RequestId"`
}

type gciDoc struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Result  struct {
		Arn, UserId, Account string
	} `xml:"GetCallerIdentityResult"`
}

// do sends req and returns the status and body.
func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestSignedRequestsThroughHTTP(t *testing.T) {
	clk := newClock()
	s := newServer(t, Options{Now: clk.Now})
	user := s.AddUser(acctA, "alice")
	s.AddRole("arn:aws:iam::"+acctB+":role/eks-admin", RoleOptions{})
	sess := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acctB + ":role/eks-admin"), RoleSessionName: aws.String("s1")})
	revoked := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acctB + ":role/eks-admin"), RoleSessionName: aws.String("s2")})
	s.Revoke(revoked.AccessKeyID)
	now := clk.Now()

	tests := []struct {
		name       string
		creds      Credentials
		at         time.Time
		service    string
		after      func(r *http.Request) // after signing
		wantStatus int
		wantCode   string
		wantMsg    string
		wantArn    string
	}{
		{name: "user keys", creds: user, wantStatus: 200, wantArn: "arn:aws:iam::111111111111:user/alice"},
		{name: "session keys", creds: sess, wantStatus: 200, wantArn: "arn:aws:sts::222222222222:assumed-role/eks-admin/s1"},
		{name: "tampered signature", creds: user, after: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1:]
			repl := "0"
			if last == "0" {
				repl = "1"
			}
			r.Header.Set("Authorization", a[:len(a)-1]+repl)
		}, wantStatus: 403, wantCode: "SignatureDoesNotMatch", wantMsg: "does not match the signature you provided"},
		{name: "wrong secret", creds: Credentials{AccessKeyID: user.AccessKeyID, SecretAccessKey: strings.ToUpper(user.SecretAccessKey) + "x"},
			wantStatus: 403, wantCode: "SignatureDoesNotMatch", wantMsg: "does not match"},
		{name: "body changed after signing", creds: user, after: func(r *http.Request) {
			body := "Action=GetCallerIdentity&Version=2011-06-15&X=1"
			r.Body = io.NopCloser(strings.NewReader(body))
			r.ContentLength = int64(len(body))
		}, wantStatus: 403, wantCode: "SignatureDoesNotMatch"},
		{name: "stale date", creds: user, at: now.Add(-16 * time.Minute), wantStatus: 403, wantCode: "SignatureDoesNotMatch", wantMsg: "Signature expired: "},
		{name: "future date", creds: user, at: now.Add(16 * time.Minute), wantStatus: 403, wantCode: "SignatureDoesNotMatch", wantMsg: "Signature not yet current: "},
		{name: "date within skew", creds: user, at: now.Add(-14 * time.Minute), wantStatus: 200, wantArn: "arn:aws:iam::111111111111:user/alice"},
		{name: "scoped to eks", creds: user, service: "eks", wantStatus: 403, wantCode: "SignatureDoesNotMatch", wantMsg: "correct service: 'sts'"},
		{name: "wrong session token", creds: sess, after: func(r *http.Request) {
			r.Header.Set("X-Amz-Security-Token", revoked.SessionToken)
		}, wantStatus: 403, wantCode: "InvalidClientTokenId"},
		{name: "session token missing", creds: Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey},
			wantStatus: 403, wantCode: "InvalidClientTokenId"},
		{name: "token with long-term keys", creds: Credentials{AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey, SessionToken: sess.SessionToken},
			wantStatus: 403, wantCode: "InvalidClientTokenId"},
		{name: "unknown key", creds: Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN00", SecretAccessKey: user.SecretAccessKey},
			wantStatus: 403, wantCode: "InvalidClientTokenId", wantMsg: "The security token included in the request is invalid."},
		{name: "revoked session", creds: revoked, wantStatus: 403, wantCode: "InvalidClientTokenId"},
		{name: "unsigned", creds: user, after: func(r *http.Request) { r.Header.Del("Authorization") },
			wantStatus: 403, wantCode: "MissingAuthenticationToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, body := gciRequest(t, s)
			at, service := tt.at, tt.service
			if at.IsZero() {
				at = now
			}
			if service == "" {
				service = "sts"
			}
			if err := v4.NewSigner().SignHTTP(context.Background(), awsCreds(tt.creds), req, sha256HexString(body), service, "us-east-1", at); err != nil {
				t.Fatal(err)
			}
			if tt.after != nil {
				tt.after(req)
			}
			status, got := do(t, req)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", status, tt.wantStatus, got)
			}
			if tt.wantStatus == 200 {
				var doc gciDoc
				if err := xml.Unmarshal([]byte(got), &doc); err != nil {
					t.Fatalf("decode %q: %v", got, err)
				}
				if doc.Result.Arn != tt.wantArn {
					t.Errorf("Arn = %q, want %q", doc.Result.Arn, tt.wantArn)
				}
				return
			}
			var doc stsErrorDoc
			if err := xml.Unmarshal([]byte(got), &doc); err != nil {
				t.Fatalf("decode %q: %v", got, err)
			}
			if doc.Error.Code != tt.wantCode || !strings.Contains(doc.Error.Message, tt.wantMsg) || doc.Error.Type != "Sender" || doc.RequestID == "" {
				t.Errorf("error = %+v, want code %s, message containing %q, type Sender, a request ID", doc, tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(got, tt.creds.SecretAccessKey) || (tt.creds.SessionToken != "" && strings.Contains(got, tt.creds.SessionToken)) {
				t.Errorf("error response leaks a secret: %s", got)
			}
		})
	}
}

func TestExpiredSessionIsRefused(t *testing.T) {
	clk := newClock()
	s := newServer(t, Options{Now: clk.Now})
	user := s.AddUser(acctA, "alice")
	arn := "arn:aws:iam::" + acctB + ":role/short"
	s.AddRole(arn, RoleOptions{MaxIssuedDuration: 2 * time.Minute})
	sess := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("sess")})
	if d := sess.Expires.Sub(clk.Now()); d > 2*time.Minute || d < 2*time.Minute-2*time.Second {
		t.Errorf("session lasts %v, want about 2m (MaxIssuedDuration)", d)
	}
	ctx := context.Background()
	if _, err := stsClient(s, sess).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	clk.Add(3 * time.Minute)
	_, err := stsClient(s, sess).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "ExpiredToken" {
		t.Fatalf("expired session: err = %v, want ExpiredToken", err)
	}
	if _, err := stsClient(s, user).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("long-term keys must not expire: %v", err)
	}
}

func TestRoleChainWithSDK(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	hop1 := "arn:aws:iam::" + acctB + ":role/jump"
	hop2 := "arn:aws:iam::333333333333:role/platform/eks-admin"
	s.AddRole(hop1, RoleOptions{Trusted: []string{"arn:aws:iam::" + acctA + ":root"}})
	s.AddRole(hop2, RoleOptions{Trusted: []string{hop1}})
	ctx := context.Background()

	before := time.Now()
	c1 := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(hop1), RoleSessionName: aws.String("alice")})
	c2 := assume(t, s, c1, &sts.AssumeRoleInput{RoleArn: aws.String(hop2), RoleSessionName: aws.String("alice@corp.example")})

	if !strings.HasPrefix(c2.AccessKeyID, "ASIA") || len(c2.AccessKeyID) != 20 {
		t.Errorf("access key ID %q, want ASIA + 16 characters", c2.AccessKeyID)
	}
	if len(c2.SecretAccessKey) != 40 {
		t.Errorf("secret is %d characters, want 40", len(c2.SecretAccessKey))
	}
	if len(c2.SessionToken) != 1024 {
		t.Errorf("session token is %d characters, want 1024", len(c2.SessionToken))
	}
	if c1.AccessKeyID == c2.AccessKeyID || c1.SessionToken == c2.SessionToken {
		t.Error("two sessions share credentials")
	}
	if d := c2.Expires.Sub(before); d < time.Hour-5*time.Second || d > time.Hour+5*time.Second {
		t.Errorf("default session lasts %v, want 1h", d)
	}
	if want := "arn:aws:sts::333333333333:assumed-role/eks-admin/alice@corp.example"; c2.ARN != want {
		t.Errorf("AssumedRoleUser.Arn = %q, want %q (path dropped)", c2.ARN, want)
	}

	out, err := stsClient(s, c2).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{aws.ToString(out.Account), aws.ToString(out.Arn)}
	if diff := cmp.Diff([]string{"333333333333", c2.ARN}, got); diff != "" {
		t.Errorf("GetCallerIdentity (-want +got):\n%s", diff)
	}
	if uid := aws.ToString(out.UserId); !strings.HasPrefix(uid, "AROA") || !strings.HasSuffix(uid, ":alice@corp.example") {
		t.Errorf("UserId = %q, want AROA...:alice@corp.example", uid)
	}

	counts := map[string]int{
		"hop1": s.Calls("AssumeRole", hop1), "hop2": s.Calls("AssumeRole", hop2),
		"all": s.Calls("AssumeRole", ""), "gci": s.Calls("GetCallerIdentity", ""),
		"gci hop2": s.Calls("GetCallerIdentity", hop2),
	}
	if diff := cmp.Diff(map[string]int{"hop1": 1, "hop2": 1, "all": 2, "gci": 1, "gci hop2": 1}, counts); diff != "" {
		t.Errorf("call counts (-want +got):\n%s", diff)
	}

	// The user may not skip the first hop: hop2 trusts only hop1.
	_, err = stsClient(s, user).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(hop2), RoleSessionName: aws.String("alice")})
	if apiCode(err) != "AccessDenied" {
		t.Errorf("untrusted caller: err = %v, want AccessDenied", err)
	}
}

func TestAssumeRoleRules(t *testing.T) {
	const (
		plain    = "arn:aws:iam::222222222222:role/plain"
		long     = "arn:aws:iam::222222222222:role/long"
		external = "arn:aws:iam::222222222222:role/external"
		mfa      = "arn:aws:iam::222222222222:role/mfa"
		denied   = "arn:aws:iam::222222222222:role/denied"
		unknown  = "arn:aws:iam::222222222222:role/unknown"
		serial   = "arn:aws:iam::111111111111:mfa/alice"
	)
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	s.AddRole(plain, RoleOptions{})
	s.AddRole(long, RoleOptions{MaxSessionDuration: 12 * time.Hour})
	s.AddRole(external, RoleOptions{ExternalID: "ext-123"})
	s.AddRole(mfa, RoleOptions{MFASerial: serial, MFACode: "123456", MaxSessionDuration: 12 * time.Hour})
	s.AddRole(denied, RoleOptions{Deny: true})
	roleSession := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("hop1")})

	tests := []struct {
		name     string
		caller   Credentials
		in       sts.AssumeRoleInput
		wantCode string
		wantMsg  string
		wantLife time.Duration
	}{
		{name: "long role, 12h from user keys", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(long), DurationSeconds: aws.Int32(43200)}, wantLife: 12 * time.Hour},
		{name: "chained over 1h", caller: roleSession, in: sts.AssumeRoleInput{RoleArn: aws.String(long), DurationSeconds: aws.Int32(7200)},
			wantCode: "ValidationError", wantMsg: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
		{name: "chained at 1h", caller: roleSession, in: sts.AssumeRoleInput{RoleArn: aws.String(long), DurationSeconds: aws.Int32(3600)}, wantLife: time.Hour},
		{name: "over role maximum", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(plain), DurationSeconds: aws.Int32(7200)},
			wantCode: "ValidationError", wantMsg: "MaxSessionDuration"},
		{name: "under 15 minutes", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(plain), DurationSeconds: aws.Int32(899)},
			wantCode: "ValidationError", wantMsg: "greater than or equal to 900"},
		{name: "bad session name", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("has space")},
			wantCode: "ValidationError", wantMsg: "roleSessionName"},
		{name: "external id missing", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(external)},
			wantCode: "AccessDenied", wantMsg: "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: " + external},
		{name: "external id wrong", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(external), ExternalId: aws.String("ext-999")}, wantCode: "AccessDenied"},
		{name: "external id right", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(external), ExternalId: aws.String("ext-123")}, wantLife: time.Hour},
		{name: "mfa missing", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(mfa)}, wantCode: "AccessDenied", wantMsg: "not authorized"},
		{name: "mfa wrong code", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(mfa), SerialNumber: aws.String(serial), TokenCode: aws.String("654321")},
			wantCode: "AccessDenied", wantMsg: "invalid MFA one time pass code"},
		{name: "mfa wrong serial", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(mfa), SerialNumber: aws.String(serial + "x"), TokenCode: aws.String("123456")},
			wantCode: "AccessDenied"},
		{name: "mfa malformed code", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(mfa), SerialNumber: aws.String(serial), TokenCode: aws.String("12ab")},
			wantCode: "ValidationError"},
		{name: "mfa right, 12h", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(mfa), SerialNumber: aws.String(serial), TokenCode: aws.String("123456"), DurationSeconds: aws.Int32(43200)},
			wantLife: 12 * time.Hour},
		{name: "denied role", caller: user, in: sts.AssumeRoleInput{RoleArn: aws.String(denied)},
			wantCode: "AccessDenied", wantMsg: "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: " + denied},
		{name: "unknown role", caller: roleSession, in: sts.AssumeRoleInput{RoleArn: aws.String(unknown)},
			wantCode: "AccessDenied", wantMsg: "User: arn:aws:sts::222222222222:assumed-role/plain/hop1 is not authorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.RoleSessionName == nil {
				in.RoleSessionName = aws.String("test")
			}
			before := time.Now()
			out, err := stsClient(s, tt.caller).AssumeRole(context.Background(), &in)
			if tt.wantCode != "" {
				if apiCode(err) != tt.wantCode || !strings.Contains(apiMessage(err), tt.wantMsg) {
					t.Fatalf("err = %v, want %s containing %q", err, tt.wantCode, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			life := aws.ToTime(out.Credentials.Expiration).Sub(before)
			if life < tt.wantLife-5*time.Second || life > tt.wantLife+5*time.Second {
				t.Errorf("session lasts %v, want %v", life, tt.wantLife)
			}
		})
	}
}

func TestSourceIdentityIsKeptAlongTheChain(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	r1, r2 := "arn:aws:iam::222222222222:role/one", "arn:aws:iam::222222222222:role/two"
	s.AddRole(r1, RoleOptions{})
	s.AddRole(r2, RoleOptions{})
	out, err := stsClient(s, user).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(r1), RoleSessionName: aws.String("sess"), SourceIdentity: aws.String("alice"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.SourceIdentity); got != "alice" {
		t.Errorf("SourceIdentity = %q, want alice", got)
	}
	c1 := Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	out2, err := stsClient(s, c1).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(r2), RoleSessionName: aws.String("sess")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out2.SourceIdentity); got != "alice" {
		t.Errorf("chained SourceIdentity = %q, want alice (inherited)", got)
	}
	_, err = stsClient(s, c1).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(r2), RoleSessionName: aws.String("sess"), SourceIdentity: aws.String("mallory")})
	if apiCode(err) != "AccessDenied" {
		t.Errorf("changing SourceIdentity: err = %v, want AccessDenied", err)
	}
}

func TestSessionTokenSize(t *testing.T) {
	s := newServer(t, Options{SessionTokenSize: 2000})
	user := s.AddUser(acctA, "alice")
	s.AddRole("arn:aws:iam::222222222222:role/r", RoleOptions{})
	c := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/r"), RoleSessionName: aws.String("sess")})
	if len(c.SessionToken) != 2000 {
		t.Errorf("session token is %d characters, want 2000", len(c.SessionToken))
	}
}

func TestFailInjection(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	arn := "arn:aws:iam::222222222222:role/r"
	s.AddRole(arn, RoleOptions{})
	ctx := context.Background()

	// The SDK's standard retryer retries Throttling: two failures, then success.
	s.Fail("AssumeRole", 2, 400, "Throttling")
	assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("sess")})
	if got := s.Calls("AssumeRole", arn); got != 3 {
		t.Errorf("Calls = %d, want 3 (2 throttled + 1)", got)
	}

	s.Fail("GetCallerIdentity", 1, 500, "InternalFailure")
	noRetry := func(o *sts.Options) { o.Retryer = aws.NopRetryer{} }
	_, err := stsClient(s, user, noRetry).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InternalFailure" {
		t.Errorf("err = %v, want InternalFailure", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Errorf("err = %v, want HTTP 500", err)
	}
	if _, err := stsClient(s, user, noRetry).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("after the injected failure: %v", err)
	}
}

func TestRevoke(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	arn := "arn:aws:iam::222222222222:role/r"
	s.AddRole(arn, RoleOptions{})
	c := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("sess")})
	ctx := context.Background()
	if _, err := stsClient(s, c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	s.Revoke(c.AccessKeyID)
	if _, err := stsClient(s, c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("revoked: err = %v, want InvalidClientTokenId", err)
	}
}

func TestConcurrentAssumeRoleWithDelay(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	arn := "arn:aws:iam::222222222222:role/r"
	s.AddRole(arn, RoleOptions{})
	s.SetDelay(50 * time.Millisecond)
	const n = 16
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		keys = map[string]bool{}
		errs []error
	)
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := stsClient(s, user).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("sess")})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			keys[*out.Credentials.AccessKeyId] = true
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(keys) != n || s.Calls("AssumeRole", arn) != n {
		t.Errorf("%d distinct keys, %d calls; want %d of each", len(keys), s.Calls("AssumeRole", arn), n)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Error("SetDelay did not delay the requests")
	}
}

// presignGCI builds a GetCallerIdentity URL presigned with the SDK's signer
// the way an EKS token is: GET, X-Amz-Expires, signed x-k8s-aws-id.
func presignGCI(t *testing.T, c Credentials, host, cluster string, at time.Time, expires int) (string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://"+host+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires="+strconv.Itoa(expires), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-k8s-aws-id", cluster)
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), awsCreds(c), req, sha256HexString(""), "sts", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return u, hdr
}

func TestPresignedGetCallerIdentity(t *testing.T) {
	clk := newClock()
	s := newServer(t, Options{Now: clk.Now})
	user := s.AddUser(acctA, "alice")
	arn := "arn:aws:iam::222222222222:role/eks-admin"
	s.AddRole(arn, RoleOptions{})
	sess := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("alice")})
	const stsHost = "sts.us-east-1.amazonaws.com"
	now := clk.Now()

	tests := []struct {
		name       string
		at         time.Time
		expires    int
		mutate     func(r *http.Request)
		wantStatus int
		wantMsg    string
	}{
		{name: "valid", wantStatus: 200},
		{name: "cluster header changed", mutate: func(r *http.Request) { r.Header.Set("x-k8s-aws-id", "other") }, wantStatus: 403, wantMsg: "does not match"},
		{name: "cluster header dropped", mutate: func(r *http.Request) { r.Header.Del("x-k8s-aws-id") }, wantStatus: 403, wantMsg: "does not match"},
		{name: "host changed", mutate: func(r *http.Request) { r.Host = "sts.eu-west-1.amazonaws.com" }, wantStatus: 403, wantMsg: "does not match"},
		{name: "expires raised", mutate: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=60", "X-Amz-Expires=900", 1)
		}, wantStatus: 403, wantMsg: "does not match"},
		{name: "token swapped", mutate: func(r *http.Request) {
			q := r.URL.Query()
			q.Set("X-Amz-Security-Token", strings.Repeat("A", len(sess.SessionToken)))
			r.URL.RawQuery = q.Encode()
		}, wantStatus: 403, wantMsg: "security token included in the request is invalid"},
		// X-Amz-Expires is 60, but STS honours such URLs for 15 minutes.
		{name: "past X-Amz-Expires, inside 15 minutes", at: now.Add(-14 * time.Minute), wantStatus: 200},
		{name: "expired URL", at: now.Add(-16 * time.Minute), wantStatus: 403, wantMsg: "Signature expired"},
		{name: "within expiry", at: now.Add(-50 * time.Second), wantStatus: 200},
		{name: "from the future", at: now.Add(20 * time.Minute), wantStatus: 403, wantMsg: "Signature not yet current"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.at
			if at.IsZero() {
				at = now
			}
			u, hdr := presignGCI(t, sess, stsHost, "demo", at, 60)
			if !strings.Contains(u, "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id") {
				t.Fatalf("presigned URL does not sign x-k8s-aws-id: %s", u)
			}
			// Send it to the fake as aws-iam-authenticator's verifier does:
			// GET, signed headers copied, Host kept, JSON accepted.
			req, err := http.NewRequest(http.MethodGet, strings.Replace(u, "https://"+stsHost, s.URL, 1), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = stsHost
			req.Header.Set("x-k8s-aws-id", hdr.Get("x-k8s-aws-id"))
			req.Header.Set("Accept", "application/json")
			if tt.mutate != nil {
				tt.mutate(req)
			}
			status, body := do(t, req)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantMsg) {
				t.Fatalf("status %d body %s; want %d containing %q", status, body, tt.wantStatus, tt.wantMsg)
			}
			if status != 200 {
				return
			}
			var got struct {
				GetCallerIdentityResponse struct {
					GetCallerIdentityResult struct{ Account, Arn, UserId string }
				}
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			r := got.GetCallerIdentityResponse.GetCallerIdentityResult
			if r.Account != acctB || r.Arn != "arn:aws:sts::222222222222:assumed-role/eks-admin/alice" || !strings.HasSuffix(r.UserId, ":alice") {
				t.Errorf("identity = %+v", r)
			}
		})
	}
	if got := s.Calls("GetCallerIdentity", arn); got != 3 {
		t.Errorf("GetCallerIdentity calls for the role = %d, want 3 (the three valid URLs)", got)
	}
}

func TestPresignedURLMustSignClusterHeader(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	// Presign without the header, then add it when sending: an unsigned
	// x-k8s-aws-id must not be trusted.
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), awsCreds(user), req, sha256HexString(""), "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	get, _ := http.NewRequest(http.MethodGet, u, nil)
	if status, body := do(t, get); status != 200 {
		t.Fatalf("presigned without header: %d %s", status, body)
	}
	get.Header.Set("x-k8s-aws-id", "demo")
	if status, body := do(t, get); status != 403 || !strings.Contains(body, "x-k8s-aws-id") {
		t.Errorf("unsigned x-k8s-aws-id: %d %s, want 403 naming the header", status, body)
	}
}

func TestSTSRejectsUnknownActionAndVersion(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	for _, body := range []string{"Action=GetSessionTokenX&Version=2011-06-15", "Action=GetCallerIdentity&Version=2010-01-01"} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := v4.NewSigner().SignHTTP(context.Background(), awsCreds(user), req, sha256HexString(body), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		if status, got := do(t, req); status != 400 || !strings.Contains(got, "<Code>InvalidAction</Code>") {
			t.Errorf("%s: %d %s, want 400 InvalidAction", body, status, got)
		}
	}
}

func TestAddSession(t *testing.T) {
	clk := newClock()
	s := newServer(t, Options{Now: clk.Now})
	c, ok := s.AddSession("arn:aws-cn:iam::222222222222:role/ops/deployer", "ci", 10*time.Minute)
	if !ok {
		t.Fatal("AddSession refused a valid role ARN")
	}
	if want := clk.Now().Add(10 * time.Minute).Truncate(time.Second); !c.Expires.Equal(want) {
		t.Errorf("Expires = %v, want %v", c.Expires, want)
	}
	out, err := stsClient(s, c).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws-cn:sts::222222222222:assumed-role/deployer/ci"; got != want || c.ARN != want {
		t.Errorf("Arn = %q (Credentials.ARN %q), want %q", got, c.ARN, want)
	}
	if n := s.Calls("AssumeRole", ""); n != 0 {
		t.Errorf("AddSession counted %d AssumeRole calls", n)
	}
	if _, ok := s.AddSession("arn:aws:iam::222:role/x", "ci", time.Minute); ok {
		t.Error("AddSession accepted a malformed role ARN")
	}
}

func TestNewUnstartedServesAsHandler(t *testing.T) {
	s := NewUnstarted(Options{})
	defer s.Close() // a no-op, must not panic
	user := s.AddUser(acctA, "alice")
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	s.URL = hs.URL
	out, err := stsClient(s, user).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Arn); got != user.ARN {
		t.Errorf("Arn = %q, want %q", got, user.ARN)
	}
}

func TestSTSResponseShape(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	s.AddRole("arn:aws:iam::222222222222:role/r", RoleOptions{})
	body := "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fr&RoleSessionName=sess&Version=2011-06-15"
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := v4.NewSigner().SignHTTP(context.Background(), awsCreds(user), req, sha256HexString(body), "sts", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	status, got := do(t, req)
	if status != 200 {
		t.Fatalf("status %d: %s", status, got)
	}
	for _, want := range []string{
		`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA`,
		`</SessionToken><Expiration>`,
		`Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/r/sess</Arn><AssumedRoleId>AROA`,
		`:sess</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("response lacks %q:\n%s", want, got)
		}
	}
	if !strings.HasPrefix(got, "<AssumeRoleResponse") {
		t.Errorf("response does not start with the root element: %.60s", got)
	}
}

func TestRevokeSessions(t *testing.T) {
	s := newServer(t, Options{})
	user := s.AddUser(acctA, "alice")
	arn := "arn:aws:iam::222222222222:role/r"
	s.AddRole(arn, RoleOptions{})
	old := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("sess")})
	if n := s.RevokeSessions(); n != 1 {
		t.Errorf("RevokeSessions revoked %d sessions, want 1", n)
	}
	ctx := context.Background()
	if _, err := stsClient(s, old).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("revoked session: err = %v, want InvalidClientTokenId", err)
	}
	// The user's keys still work, and so does a session issued afterwards.
	fresh := assume(t, s, user, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("sess")})
	if _, err := stsClient(s, fresh).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("session issued after the revocation: %v", err)
	}
}
