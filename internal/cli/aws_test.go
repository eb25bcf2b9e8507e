package cli

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

const callerXML = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`

func TestWarnClockSkew(t *testing.T) {
	tests := []struct {
		name string
		skew time.Duration // server clock minus ours
		want string
	}{
		{"in sync", 0, ""},
		{"a little off", 2 * time.Minute, ""},
		{"server 20 minutes ahead", 20 * time.Minute, "kubectl-eksxa: warning: your clock is 20 minutes off (behind AWS's)"},
		{"server an hour behind", -time.Hour, "kubectl-eksxa: warning: your clock is 60 minutes off (ahead of AWS's)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", testNow.Add(tt.skew).Format(http.TimeFormat))
				w.Header().Set("Content-Type", "text/xml")
				_, _ = w.Write([]byte(callerXML))
			}))
			defer srv.Close()
			var errb bytes.Buffer
			c := sts.New(sts.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				Credentials:  staticProvider{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"},
				APIOptions:   []func(*middleware.Stack) error{warnClockSkew(&errb, func() time.Time { return testNow })},
			})
			for i := 0; i < 2; i++ { // warned once per process, not per call
				if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
					t.Fatal(err)
				}
			}
			got := errb.String()
			if tt.want == "" && got != "" || tt.want != "" && (!strings.HasPrefix(got, tt.want) || strings.Count(got, "\n") != 1) {
				t.Errorf("stderr %q, want one line starting %q", got, tt.want)
			}
		})
	}
}

// hangingSTS never answers until its context is done.
type hangingSTS struct{}

func (hangingSTS) AssumeRole(ctx context.Context, _ *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestBoundedClient(t *testing.T) {
	newClient := boundedClient(func(aws.Credentials) chain.AssumeRoleAPI { return hangingSTS{} }, 50*time.Millisecond)
	_, err := newClient(aws.Credentials{}).AssumeRole(context.Background(), &sts.AssumeRoleInput{})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer from STS within") {
		t.Errorf("hung STS: error %v, want a deadline that says STS did not answer", err)
	}
	// The caller giving up is not STS's silence.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = newClient(aws.Credentials{}).AssumeRole(ctx, &sts.AssumeRoleInput{})
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "no answer") {
		t.Errorf("canceled call: error %v", err)
	}
}

func TestHTTPClientBounds(t *testing.T) {
	c := newHTTPClient()
	if got := c.GetDialer().Timeout; got != dialTimeout {
		t.Errorf("dial timeout %s, want %s", got, dialTimeout)
	}
	if got := c.GetTransport().ResponseHeaderTimeout; got != attemptTimeout {
		t.Errorf("response header timeout %s, want %s", got, attemptTimeout)
	}
}
