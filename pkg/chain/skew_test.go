package chain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// stsError is an STS error as the SDK returns it, with the response's
// Date header when date is not "".
func stsError(code, msg, date string) error {
	api := &smithy.GenericAPIError{Code: code, Message: msg}
	resp := &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{}}
	if date != "" {
		resp.Header.Set("Date", date)
	}
	return &smithy.OperationError{ServiceID: "STS", OperationName: "AssumeRole", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: api},
	}}
}

func TestClockSkew(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		err      error
		want     time.Duration
		wantOK   bool
		wantHint string
	}{
		{"ahead, from the message",
			stsError("SignatureDoesNotMatch", "Signature not yet current: 20260101T002000Z is still later than 20260101T001500Z (20260101T000000Z + 15 min.)", ""),
			20 * time.Minute, true, "your clock is 20 minutes off (ahead of AWS's)"},
		{"behind, from the message",
			stsError("SignatureDoesNotMatch", "Signature expired: 20251231T234000Z is now earlier than 20251231T234500Z (20260101T000000Z - 15 min.)", ""),
			-20 * time.Minute, true, "your clock is 20 minutes off (behind AWS's)"},
		{"message wins over the Date header",
			stsError("SignatureDoesNotMatch", "Signature expired: 20251231T230000Z is now earlier than 20251231T234500Z (20260101T000000Z - 15 min.)", now.Format(http.TimeFormat)),
			-time.Hour, true, "your clock is 60 minutes off"},
		{"from the Date header",
			stsError("SignatureDoesNotMatch", "The request signature we calculated does not match", now.Add(-47*time.Minute).Format(http.TimeFormat)),
			47 * time.Minute, true, "your clock is 47 minutes off (ahead of AWS's)"},
		{"small skew from the Date header is not a skew",
			stsError("SignatureDoesNotMatch", "The request signature we calculated does not match", now.Add(-time.Minute).Format(http.TimeFormat)),
			0, false, ""},
		{"Date header on an unrelated error",
			stsError("AccessDenied", "not authorized", now.Add(-time.Hour).Format(http.TimeFormat)),
			0, false, ""},
		{"garbage Date header", stsError("SignatureDoesNotMatch", "no", "yesterday"), 0, false, ""},
		{"garbage timestamps",
			stsError("SignatureDoesNotMatch", "Signature expired: 20261399T999999Z is now earlier than 20251231T234500Z (20260101T000000Z - 15 min.)", ""),
			0, false, ""},
		{"not an API error", errors.New("Signature expired: 20251231T234000Z is now earlier than 20251231T234500Z (20260101T000000Z - 15 min.)"), 0, false, ""},
		{"nil", nil, 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ClockSkew(tt.err, now)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("ClockSkew = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
			if ok && !strings.Contains(SkewHint(got), tt.wantHint) {
				t.Errorf("hint %q lacks %q", SkewHint(got), tt.wantHint)
			}
		})
	}
}

func TestSkewHintRounds(t *testing.T) {
	for _, tt := range []struct {
		skew time.Duration
		want string
	}{
		{19*time.Minute + 59*time.Second, "20 minutes off"},
		{-time.Minute, "1 minute off (behind"},
	} {
		if got := SkewHint(tt.skew); !strings.Contains(got, tt.want) {
			t.Errorf("SkewHint(%v) = %q, want %q in it", tt.skew, got, tt.want)
		}
	}
}

func TestHopErrorNamesSkewAndNetwork(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	hops := []Hop{{RoleARN: "arn:aws:iam::222222222222:role/a"}}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"skew", stsError("SignatureDoesNotMatch", "Signature expired: 20251231T234000Z is now earlier than 20251231T234500Z (20260101T000000Z - 15 min.)", ""),
			"hop 1/1 (arn:aws:iam::222222222222:role/a): SignatureDoesNotMatch: Signature expired: 20251231T234000Z is now earlier than 20251231T234500Z (20260101T000000Z - 15 min.); your clock is 20 minutes off (behind AWS's)"},
		{"deadline", fmt.Errorf("operation error STS: AssumeRole: %w", context.DeadlineExceeded), "; STS did not answer in time"},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, "; STS could not be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Runner{NewClient: func(aws.Credentials) AssumeRoleAPI { return errClient{tt.err} }, Now: func() time.Time { return now }}
			_, err := r.Run(context.Background(), aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "s"}, hops)
			var he *HopError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want a HopError containing %q", err, tt.want)
			}
		})
	}
}

// errClient fails every AssumeRole with err.
type errClient struct{ err error }

func (c errClient) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return nil, c.err
}
