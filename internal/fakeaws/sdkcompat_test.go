package fakeaws

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestVerifierAgreesWithSDKSigner sends requests with awkward paths, queries
// and headers, signed (and presigned) by the SDK, over real HTTP to a
// handler that checks them with this package's verifier: the two readings
// of the spec must agree on the wire, and disagree once the secret differs.
func TestVerifierAgreesWithSDKSigner(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: exampleSecret, SessionToken: "tok+/=en"}
	secret := exampleSecret
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sr, err := parseSignedRequest(r, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if sr.SecurityToken != creds.SessionToken {
			http.Error(w, "token", http.StatusForbidden)
			return
		}
		if !sr.verify(secret) {
			http.Error(w, "mismatch\n"+sr.CanonicalRequest, http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer hs.Close()

	tests := []struct {
		name, method, path, query, body string
		headers                         map[string]string
	}{
		{name: "root", method: "GET", path: "/"},
		{name: "escaped ARN segment", method: "GET", path: "/clusters/demo/access-entries/arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fplatform%2Feks-admin/access-policies"},
		{name: "query specials", method: "GET", path: "/x", query: "b=2&a=1&a=0&space=a%20b&plus=%2B&tilde=~&utf8=%C3%A9&empty="},
		{name: "form post", method: "POST", path: "/", body: "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&Version=2011-06-15",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}},
		{name: "spaced header", method: "GET", path: "/", headers: map[string]string{"X-Amz-Meta-Note": "  two   spaces  ", "x-k8s-aws-id": "demo"}},
	}
	for _, presign := range []bool{false, true} {
		for _, tt := range tests {
			if presign && tt.method != "GET" {
				continue // presigned URLs are GETs
			}
			name := tt.name
			if presign {
				name = "presigned " + name
			}
			t.Run(name, func(t *testing.T) {
				u := hs.URL + tt.path
				if tt.query != "" {
					u += "?" + tt.query
				}
				if presign {
					sep := "?"
					if tt.query != "" {
						sep = "&"
					}
					u += sep + "X-Amz-Expires=60"
				}
				for _, sec := range []string{exampleSecret, exampleSecret + "x"} {
					req, err := http.NewRequest(tt.method, u, strings.NewReader(tt.body))
					if err != nil {
						t.Fatal(err)
					}
					if tt.body == "" {
						req.Body, req.ContentLength = http.NoBody, 0
					}
					for k, v := range tt.headers {
						req.Header.Set(k, v)
					}
					signer := v4.NewSigner()
					c := creds
					c.SecretAccessKey = sec
					if presign {
						signed, hdr, err := signer.PresignHTTP(context.Background(), c, req, sha256HexString(tt.body), "svc", "eu-west-1", time.Now())
						if err != nil {
							t.Fatal(err)
						}
						req, _ = http.NewRequest(tt.method, signed, nil)
						for k, v := range hdr {
							if !strings.EqualFold(k, "host") {
								req.Header[k] = v
							}
						}
					} else if err := signer.SignHTTP(context.Background(), c, req, sha256HexString(tt.body), "svc", "eu-west-1", time.Now()); err != nil {
						t.Fatal(err)
					}
					status, body := do(t, req)
					if want := map[bool]int{true: 200, false: 403}[sec == secret]; status != want {
						t.Errorf("secret ok=%v: status %d, want %d; %s", sec == secret, status, want, body)
					}
				}
			})
		}
	}
}
