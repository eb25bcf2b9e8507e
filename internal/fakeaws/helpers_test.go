package fakeaws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const (
	acctA = "111111111111"
	acctB = "222222222222"
)

// clock is a settable server clock starting at the real time (the SDK signs
// with the real time, so the two must stay within 15 minutes).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

func awsCreds(c Credentials) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}

// noBackoff retries like the SDK's standard retryer, without waiting.
func noBackoff() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

func stsClient(s *Server, c Credentials, optFns ...func(*sts.Options)) *sts.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		Retryer:     noBackoff,
	}
	return sts.NewFromConfig(cfg, append([]func(*sts.Options){func(o *sts.Options) { o.BaseEndpoint = aws.String(s.URL) }}, optFns...)...)
}

func eksClient(s *Server, c Credentials, region string) *eks.Client {
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
	return eks.NewFromConfig(cfg, func(o *eks.Options) { o.BaseEndpoint = aws.String(s.URL) })
}

// assume runs AssumeRole through the real SDK client and returns the
// issued credentials.
func assume(t *testing.T, s *Server, c Credentials, in *sts.AssumeRoleInput) Credentials {
	t.Helper()
	out, err := stsClient(s, c).AssumeRole(context.Background(), in)
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", aws.ToString(in.RoleArn), err)
	}
	return Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
		Expires:         aws.ToTime(out.Credentials.Expiration),
		ARN:             aws.ToString(out.AssumedRoleUser.Arn),
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func sha256HexString(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// gciRequest is a GetCallerIdentity POST to the server, not yet signed.
func gciRequest(t *testing.T, s *Server) (*http.Request, string) {
	t.Helper()
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return req, body
}
