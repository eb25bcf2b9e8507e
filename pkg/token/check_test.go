package token

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestCheckAcceptsNew(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"} {
		tok, err := New(context.Background(), Input{Credentials: staticCreds, Cluster: "demo", Region: region, Now: signTime})
		if err != nil {
			t.Fatalf("%s: %v", region, err)
		}
		if err := Check(tok.Value, region); err != nil {
			t.Errorf("%s: Check(New()) = %v", region, err)
		}
	}
}

// TestCheckRules breaks one verifier rule at a time in an otherwise good
// presigned URL.
func TestCheckRules(t *testing.T) {
	const good = "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260102%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20260102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=abc"
	enc := func(u string) string { return Prefix + base64.RawURLEncoding.EncodeToString([]byte(u)) }
	tests := []struct {
		name, token, want string
	}{
		{"good", enc(good), ""},
		{"no prefix", base64.RawURLEncoding.EncodeToString([]byte(good)), "lacks the"},
		{"padded base64", Prefix + base64.URLEncoding.EncodeToString([]byte(good+"x")), "not unpadded base64url"},
		{"http", enc(strings.Replace(good, "https://", "http://", 1)), `scheme is "http"`},
		{"global host", enc(strings.Replace(good, "sts.eu-west-1.amazonaws.com", "sts.amazonaws.com", 1)), `host is "sts.amazonaws.com"`},
		{"other region's host", enc(strings.Replace(good, "sts.eu-west-1", "sts.us-east-1", 1)), "only accepts sts.eu-west-1.amazonaws.com"},
		{"local endpoint", enc(strings.Replace(good, "sts.eu-west-1.amazonaws.com", "127.0.0.1:4566", 1)), `host is "127.0.0.1:4566"`},
		{"path", enc(strings.Replace(good, ".com/?", ".com/x?", 1)), `path is "/x"`},
		{"extra parameter", enc(good + "&X-Amz-User-Agent=x"), `"X-Amz-User-Agent"`},
		{"duplicate parameter", enc(good + "&action=GetCallerIdentity"), "more than once"},
		{"other action", enc(strings.Replace(good, "Action=GetCallerIdentity", "Action=AssumeRole", 1)), "Action is not GetCallerIdentity"},
		{"cluster header not signed", enc(strings.Replace(good, "host%3Bx-k8s-aws-id", "host", 1)), "does not sign the x-k8s-aws-id header"},
		{"expires too long", enc(strings.Replace(good, "X-Amz-Expires=60", "X-Amz-Expires=901", 1)), `X-Amz-Expires "901"`},
		{"expires missing", enc(strings.Replace(good, "&X-Amz-Expires=60", "", 1)), `X-Amz-Expires ""`},
		{"bad date", enc(strings.Replace(good, "20260102T030405Z", "2026-01-02", 1)), "X-Amz-Date"},
		{"too large", enc(good + "&X-Amz-Security-Token=" + strings.Repeat("A", 3100)), "over the 4096 bytes EKS accepts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.token, "eu-west-1")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "AKIAIOSFODNN7EXAMPLE") || strings.Contains(err.Error(), "AAAAAAAAAA") {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

// TestNewTooLarge: the token EKS would refuse is never made, and the error
// names the session token's size; the limit is on the whole token and a
// token of exactly MaxLen bytes is fine, as in the verifier.
func TestNewTooLarge(t *testing.T) {
	var sawOK, sawBig bool
	for n := 2300; n <= 2700; n++ {
		creds := staticCreds
		creds.SessionToken = strings.Repeat("Z", n)
		tok, err := New(context.Background(), Input{Credentials: creds, Cluster: "demo", Region: "eu-west-1", Now: signTime})
		var big *TooLargeError
		switch {
		case err == nil:
			if len(tok.Value) > MaxLen {
				t.Fatalf("session token %d: a %d-byte token was made", n, len(tok.Value))
			}
			sawOK = true
		case errors.As(err, &big):
			if big.Size <= MaxLen || big.SessionTokenSize != n || tok.Value != "" {
				t.Fatalf("session token %d: %+v, token %q", n, big, tok.Value)
			}
			for _, want := range []string{"the session token of the credentials that sign it is", "session tags", "session policies"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "ZZZZ") {
				t.Fatalf("error shows the session token: %v", err)
			}
			sawBig = true
		default:
			t.Fatalf("session token %d: %v", n, err)
		}
	}
	if !sawOK || !sawBig {
		t.Errorf("the range did not cross the limit: ok %v, too large %v", sawOK, sawBig)
	}
}
