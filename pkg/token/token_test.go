package token

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
)

var (
	signTime    = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	staticCreds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
)

// decode returns the presigned URL inside a token.
func decode(t *testing.T, tok string) *url.URL {
	t.Helper()
	if !strings.HasPrefix(tok, Prefix) {
		t.Fatalf("token %q lacks prefix %q", tok, Prefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, Prefix))
	if err != nil {
		t.Fatalf("token is not unpadded base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatalf("token holds no URL: %v", err)
	}
	return u
}

func TestNewGolden(t *testing.T) {
	tok, err := New(context.Background(), Input{Credentials: staticCreds, Cluster: "demo", Region: "us-west-2", Now: signTime})
	if err != nil {
		t.Fatal(err)
	}
	// Pinned so that any change in how the token is built shows here. That
	// such tokens are accepted is proved elsewhere, against the fake STS's
	// own SigV4 verifier and the verifier EKS runs.
	const want = "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260102%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Date=20260102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=5843fbe0aa0dc12e4c412a7875fc32226958d788bfb0ec0d57416d6e43f9d2cd"
	got := decode(t, tok.Value).String()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("presigned URL (-want +got):\n%s", diff)
	}
	if !tok.Expiration.Equal(signTime.Add(14 * time.Minute)) {
		t.Errorf("expiration = %v, want sign time + 14m", tok.Expiration)
	}
}

func TestNewURL(t *testing.T) {
	tok, err := New(context.Background(), Input{Credentials: staticCreds, Cluster: "prod-eu", Region: "eu-central-1", Now: signTime})
	if err != nil {
		t.Fatal(err)
	}
	u := decode(t, tok.Value)
	q := u.Query()
	for k, want := range map[string]string{
		"Action":              "GetCallerIdentity",
		"Version":             "2011-06-15",
		"X-Amz-Expires":       "60",
		"X-Amz-SignedHeaders": "host;x-k8s-aws-id",
		"X-Amz-Credential":    "AKIAIOSFODNN7EXAMPLE/20260102/eu-central-1/sts/aws4_request",
		"X-Amz-Date":          "20260102T030405Z",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if u.Scheme != "https" || u.Host != "sts.eu-central-1.amazonaws.com" || u.Path != "/" {
		t.Errorf("URL = %s, want https://sts.eu-central-1.amazonaws.com/", u)
	}
	if strings.Contains(tok.Value, "=") {
		t.Errorf("token has padding: %s", tok.Value)
	}
}

func TestNewSessionToken(t *testing.T) {
	creds := staticCreds
	creds.SessionToken = "FwoGZXIvYXdzEXAMPLE"
	tok, err := New(context.Background(), Input{Credentials: creds, Cluster: "c", Region: "us-east-1", Now: signTime})
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, tok.Value).Query().Get("X-Amz-Security-Token"); got != creds.SessionToken {
		t.Errorf("X-Amz-Security-Token = %q, want the session token", got)
	}
}

func TestNewExpiration(t *testing.T) {
	tests := []struct {
		name  string
		creds aws.Credentials
		want  time.Time
	}{
		{"static credentials", staticCreds, signTime.Add(14 * time.Minute)},
		{"credentials outlive the token", expiring(signTime.Add(time.Hour)), signTime.Add(14 * time.Minute)},
		{"credentials expire first", expiring(signTime.Add(5 * time.Minute)), signTime.Add(5 * time.Minute)},
		{"credentials expire at the same time", expiring(signTime.Add(14 * time.Minute)), signTime.Add(14 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := New(context.Background(), Input{Credentials: tt.creds, Cluster: "c", Region: "us-east-1", Now: signTime})
			if err != nil {
				t.Fatal(err)
			}
			if !tok.Expiration.Equal(tt.want) {
				t.Errorf("expiration = %v, want %v", tok.Expiration, tt.want)
			}
		})
	}
}

func expiring(at time.Time) aws.Credentials {
	c := staticCreds
	c.SessionToken = "session"
	c.CanExpire = true
	c.Expires = at
	return c
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"no cluster", Input{Credentials: staticCreds, Region: "us-east-1"}, "cluster name is empty"},
		{"no credentials", Input{Cluster: "c", Region: "us-east-1"}, "no credentials"},
		{"bad region", Input{Credentials: staticCreds, Cluster: "c", Region: "mars"}, `invalid region "mars"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), staticCreds.SecretAccessKey) {
				t.Errorf("error leaks the secret key: %v", err)
			}
		})
	}
}

func TestSTSHost(t *testing.T) {
	tests := []struct {
		region, host, partition string
	}{
		{"us-east-1", "sts.us-east-1.amazonaws.com", "aws"},
		{"eu-west-2", "sts.eu-west-2.amazonaws.com", "aws"},
		{"ap-southeast-7", "sts.ap-southeast-7.amazonaws.com", "aws"},
		{"mx-central-1", "sts.mx-central-1.amazonaws.com", "aws"},
		{"cn-north-1", "sts.cn-north-1.amazonaws.com.cn", "aws-cn"},
		{"cn-northwest-1", "sts.cn-northwest-1.amazonaws.com.cn", "aws-cn"},
		{"us-gov-west-1", "sts.us-gov-west-1.amazonaws.com", "aws-us-gov"},
		{"us-iso-east-1", "sts.us-iso-east-1.c2s.ic.gov", "aws-iso"},
		{"us-isob-east-1", "sts.us-isob-east-1.sc2s.sgov.gov", "aws-iso-b"},
		{"eusc-de-east-1", "sts.eusc-de-east-1.amazonaws.eu", "aws-eusc"},
		{"xx-future-9", "sts.xx-future-9.amazonaws.com", "aws"},
	}
	for _, tt := range tests {
		host, err := STSHost(tt.region)
		if err != nil {
			t.Errorf("STSHost(%q): %v", tt.region, err)
			continue
		}
		p, _ := PartitionOf(tt.region)
		if host != tt.host || p.ID != tt.partition {
			t.Errorf("%s: host %q partition %q, want %q %q", tt.region, host, p.ID, tt.host, tt.partition)
		}
	}
	for _, bad := range []string{"", "us-east", "US-EAST-1", "us-east-1 ", "us_east_1", "sts.amazonaws.com", "us-east-1/../x", "1-east-1", "us-east-123"} {
		if _, err := STSHost(bad); err == nil {
			t.Errorf("STSHost(%q) = nil error, want one", bad)
		}
	}
}

func TestParseExecInfo(t *testing.T) {
	tests := []struct {
		raw     string
		want    ExecInfo
		wantErr string
	}{
		{"", ExecInfo{APIVersion: APIVersionV1beta1}, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`, ExecInfo{APIVersionV1, true}, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}}`, ExecInfo{APIVersionV1beta1, false}, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"server":"https://x"},"interactive":false}}`, ExecInfo{APIVersionV1, false}, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential"}`, ExecInfo{}, `asks for apiVersion "client.authentication.k8s.io/v1alpha1", which kubectl-eksxa does not serve: write ` + "`apiVersion: client.authentication.k8s.io/v1`" + ` (or client.authentication.k8s.io/v1beta1) in the exec entry of the kubeconfig's user`},
		{`{"kind":"ExecCredential"}`, ExecInfo{}, "has no apiVersion"},
		{`{"apiVersion":"client.authentication.k8s.io/v1","kind":"Pod"}`, ExecInfo{}, `has kind "Pod"`},
		{`{not json`, ExecInfo{}, "not valid JSON"},
		{`[]`, ExecInfo{}, "not valid JSON"},
	}
	for _, tt := range tests {
		got, err := ParseExecInfo(tt.raw)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseExecInfo(%s) err = %v, want %q", tt.raw, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseExecInfo(%s): %v", tt.raw, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseExecInfo(%s) (-want +got):\n%s", tt.raw, diff)
		}
	}
}

func TestWriteExecCredential(t *testing.T) {
	tok := Token{Value: "k8s-aws-v1.abc", Expiration: signTime.Add(14 * time.Minute)}
	for _, v := range []string{APIVersionV1, APIVersionV1beta1} {
		var buf bytes.Buffer
		if err := WriteExecCredential(&buf, v, tok); err != nil {
			t.Fatal(err)
		}
		want := `{"kind":"ExecCredential","apiVersion":"` + v + `","spec":{"interactive":false},"status":{"expirationTimestamp":"2026-01-02T03:18:05Z","token":"k8s-aws-v1.abc"}}` + "\n"
		if diff := cmp.Diff(want, buf.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", v, diff)
		}
		var back map[string]any
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Errorf("%s: output is not one JSON document: %v", v, err)
		}
	}
	if err := WriteExecCredential(&bytes.Buffer{}, "v2", tok); err == nil {
		t.Error("unknown apiVersion: want an error")
	}
}
