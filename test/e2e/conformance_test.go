package e2e

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	vtoken "sigs.k8s.io/aws-iam-authenticator/pkg/token"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
	"github.com/eksxa/kubectl-eksxa/test/e2e/apiserver"
)

// routeSTS sends the verifier's STS calls to fake for the test's duration.
func routeSTS(t *testing.T, fake *fakeaws.Server) {
	t.Helper()
	restore, err := apiserver.RouteSTS(fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restore)
}

func keys(c fakeaws.Credentials) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, CanExpire: !c.Expires.IsZero(), Expires: c.Expires}
}

// TestVerifierAcceptsTokens runs tokens through the code EKS runs, for
// every partition, and checks that a token is bound to its cluster.
func TestVerifierAcceptsTokens(t *testing.T) {
	fake := fakeaws.New(fakeaws.Options{})
	defer fake.Close()
	routeSTS(t, fake)
	tests := []struct{ partition, region, account string }{
		{"aws", "us-east-1", "111111111111"},
		{"aws", "eu-west-1", "111111111111"},
		{"aws", "ap-northeast-1", "111111111111"},
		{"aws-cn", "cn-north-1", "333333333333"},
		{"aws-us-gov", "us-gov-west-1", "444444444444"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			user := fake.AddUser(tt.account, "alice-"+tt.region)
			tok, err := token.New(context.Background(), token.Input{Credentials: keys(user), Cluster: "prod", Region: tt.region, Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			before := fake.Calls("GetCallerIdentity", "")
			id, err := vtoken.NewVerifier("prod", tt.partition, tt.region).Verify(tok.Value)
			if err != nil {
				t.Fatalf("EKS verifier refused the token: %v", err)
			}
			if !strings.HasSuffix(id.ARN, ":user/alice-"+tt.region) || id.AccountID != tt.account {
				t.Errorf("identity = %+v, want user alice-%s in %s", id, tt.region, tt.account)
			}
			if got := fake.Calls("GetCallerIdentity", "") - before; got != 1 {
				t.Errorf("the verifier made %d GetCallerIdentity calls to the fake STS, want 1", got)
			}
			// The same token for another cluster: the verifier sends the
			// other name in x-k8s-aws-id, which breaks the signature.
			if _, err := vtoken.NewVerifier("staging", tt.partition, tt.region).Verify(tok.Value); err == nil {
				t.Error("a token for cluster prod was accepted for cluster staging")
			}
		})
	}
}

// TestVerifierAcceptsRoleSession checks a token signed by an assumed-role
// session maps to the role, as EKS canonicalises it.
func TestVerifierAcceptsRoleSession(t *testing.T) {
	fake := fakeaws.New(fakeaws.Options{})
	defer fake.Close()
	routeSTS(t, fake)
	user := fake.AddUser("111111111111", "alice")
	role := "arn:aws:iam::222222222222:role/platform/eks-admin"
	fake.AddRole(role, fakeaws.RoleOptions{})
	sess := assumeRole(t, fake, user, role, "alice")
	tok, err := token.New(context.Background(), token.Input{Credentials: sess, Cluster: "prod", Region: "eu-west-1", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Expiration.Before(sess.Expires.Add(time.Second)) {
		t.Errorf("token expiry %v is past the session's %v", tok.Expiration, sess.Expires)
	}
	id, err := vtoken.NewVerifier("prod", "aws", "eu-west-1").Verify(tok.Value)
	if err != nil {
		t.Fatal(err)
	}
	if id.CanonicalARN != "arn:aws:iam::222222222222:role/eks-admin" || id.SessionName != "alice" {
		t.Errorf("canonical ARN %q session %q, want the role without its path and session alice", id.CanonicalARN, id.SessionName)
	}
}

// TestTokenDateWindow: STS accepts a presigned token for 15 minutes after
// signing, whatever X-Amz-Expires says; the fake enforces the same window,
// and the token's own expiry (14 minutes) stays inside it.
func TestTokenDateWindow(t *testing.T) {
	signTime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var now atomic.Value
	now.Store(signTime)
	fake := fakeaws.New(fakeaws.Options{Now: func() time.Time { return now.Load().(time.Time) }})
	defer fake.Close()
	user := fake.AddUser("111111111111", "alice")
	tok, err := token.New(context.Background(), token.Input{Credentials: keys(user), Cluster: "demo", Region: "us-west-2", Now: signTime})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at      time.Duration
		cluster string
		want    int
	}{
		{time.Minute, "demo", http.StatusOK},
		{time.Minute, "other", http.StatusForbidden},
		{tok.Expiration.Sub(signTime), "demo", http.StatusOK},
		{16 * time.Minute, "demo", http.StatusForbidden},
	}
	for _, tt := range tests {
		now.Store(signTime.Add(tt.at))
		if got := replay(t, fake, tok.Value, tt.cluster); got != tt.want {
			t.Errorf("at +%v with x-k8s-aws-id %s: status %d, want %d", tt.at, tt.cluster, got, tt.want)
		}
	}
}

// replay sends a token's presigned URL to the fake STS as the EKS
// authenticator does and returns the HTTP status.
func replay(t *testing.T, fake *fakeaws.Server, tok, cluster string) int {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, token.Prefix))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, fake.URL+"/?"+u.RawQuery, nil)
	req.Host = u.Host
	req.Header.Set(token.ClusterIDHeader, cluster)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
