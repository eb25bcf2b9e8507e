package awscreds

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
)

var session = aws.Credentials{
	AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token",
	CanExpire: true, Expires: time.Date(2026, 3, 4, 6, 0, 0, 0, time.FixedZone("CET", 3600)),
}

func TestWriteProcess(t *testing.T) {
	tests := []struct {
		name  string
		creds aws.Credentials
		want  map[string]any
	}{
		{"session", session, map[string]any{
			"Version": 1.0, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret",
			"SessionToken": "token", "Expiration": "2026-03-04T05:00:00Z",
		}},
		{"long-term keys: no token, no expiry", aws.Credentials{AccessKeyID: "AKIAX", SecretAccessKey: "s"}, map[string]any{
			"Version": 1.0, "AccessKeyId": "AKIAX", "SecretAccessKey": "s",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteProcess(&b, tt.creds); err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatalf("not JSON: %v: %q", err, b.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	var b bytes.Buffer
	if err := WriteProcess(&b, aws.Credentials{}); err == nil || b.Len() != 0 {
		t.Errorf("empty credentials: err %v, wrote %q", err, b.String())
	}
}

func TestEnviron(t *testing.T) {
	parent := []string{
		"PATH=/bin", "AWS_PROFILE=tf", "aws_default_profile=x", "AWS_ACCESS_KEY_ID=AKIAPARENT",
		"AWS_SECRET_ACCESS_KEY=parent", "AWS_SESSION_TOKEN=parent", "AWS_REGION=us-west-2",
		"AWS_WEB_IDENTITY_TOKEN_FILE=/t", "AWS_ROLE_ARN=arn", "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://x",
		"AWS_CONFIG_FILE=/c", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:1", "AWS_CREDENTIAL_EXPIRATION=old",
		"EKSXA_CREDENTIAL_PROCESS=1", "HOME=/h",
	}
	got := Environ(parent, session, "eu-west-1")
	want := []string{
		"PATH=/bin", "AWS_CONFIG_FILE=/c", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:1", "HOME=/h",
		"AWS_ACCESS_KEY_ID=ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=token",
		"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1", "AWS_CREDENTIAL_EXPIRATION=2026-03-04T05:00:00Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got = Environ([]string{"AWS_SESSION_TOKEN=parent"}, aws.Credentials{AccessKeyID: "AKIAX", SecretAccessKey: "s"}, "")
	if diff := cmp.Diff([]string{"AWS_ACCESS_KEY_ID=AKIAX", "AWS_SECRET_ACCESS_KEY=s"}, got); diff != "" {
		t.Errorf("long-term keys (-want +got):\n%s", diff)
	}
}
