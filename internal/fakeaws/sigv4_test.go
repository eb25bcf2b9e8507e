package fakeaws

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The vectors below are the worked examples of the public SigV4
// documentation and test suite (credentials AKIDEXAMPLE /
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 2015-08-30T12:36:00Z).
const (
	exampleAKID   = "AKIDEXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	exampleDate   = "20150830T123600Z"
)

func TestSigningKeyDocumentedExamples(t *testing.T) {
	// "Examples of how to derive a signing key for Signature Version 4" and
	// the key of the IAM ListUsers walk-through.
	tests := []struct{ date, want string }{
		{"20120215", "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"},
		{"20150830", "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"},
	}
	for _, tt := range tests {
		got := hex.EncodeToString(signingKey(exampleSecret, tt.date, "us-east-1", "iam"))
		if got != tt.want {
			t.Errorf("signingKey(%s) = %s, want %s", tt.date, got, tt.want)
		}
	}
}

func TestSigV4TestSuiteVectors(t *testing.T) {
	tests := []struct {
		name          string
		method, url   string
		headers       map[string]string
		service       string
		signedHeaders string
		canonical     string
		stringToSign  string
		signature     string
	}{
		{
			name:   "get-vanilla",
			method: "GET", url: "http://example.amazonaws.com/",
			service:       "service",
			signedHeaders: "host;x-amz-date",
			canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
				"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
				"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
			signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		{
			name:   "iam ListUsers (documentation example)",
			method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
			headers:       map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			service:       "iam",
			signedHeaders: "content-type;host;x-amz-date",
			canonical: "GET\n/\nAction=ListUsers&Version=2010-05-08\n" +
				"content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
				"content-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n" +
				"f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
			signature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.url, nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			r.Header.Set("X-Amz-Date", exampleDate)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+exampleAKID+"/20150830/us-east-1/"+tt.service+
				"/aws4_request, SignedHeaders="+tt.signedHeaders+", Signature="+tt.signature)
			sr, err := parseSignedRequest(r, nil)
			if err != nil {
				t.Fatalf("parseSignedRequest: %v", err)
			}
			if diff := cmp.Diff(tt.canonical, sr.CanonicalRequest); diff != "" {
				t.Errorf("canonical request (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stringToSign, sr.StringToSign); diff != "" {
				t.Errorf("string to sign (-want +got):\n%s", diff)
			}
			if !sr.verify(exampleSecret) {
				t.Errorf("documented signature %s rejected", tt.signature)
			}
			if sr.verify(exampleSecret + "x") {
				t.Errorf("signature accepted with the wrong secret")
			}
			sr.Signature = strings.Replace(sr.Signature, sr.Signature[:1], "0", 1)
			if sr.Signature != tt.signature && sr.verify(exampleSecret) {
				t.Errorf("tampered signature accepted")
			}
		})
	}
}

func TestParseSignedRequestRejects(t *testing.T) {
	good := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	tests := []struct {
		name     string
		mutate   func(r *http.Request)
		wantCode string
		wantMsg  string
	}{
		{"no auth at all", func(r *http.Request) { r.Header.Del("Authorization") }, "MissingAuthenticationToken", "missing Authentication Token"},
		{"host not signed", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date", 1))
		}, "SignatureDoesNotMatch", "'Host' or ':authority' must be a 'SignedHeader'"},
		{"date not signed", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "SignedHeaders=host;x-amz-date", "SignedHeaders=host", 1))
		}, "SignatureDoesNotMatch", "'X-Amz-Date' must be a 'SignedHeader'"},
		{"no host header", func(r *http.Request) { r.Host = "" }, "SignatureDoesNotMatch", "no Host header"},
		{"no date", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, "IncompleteSignature", "'X-Amz-Date'"},
		{"scope date differs", func(r *http.Request) { r.Header.Set("X-Amz-Date", "20150831T000000Z") }, "SignatureDoesNotMatch", "Date in Credential scope does not match"},
		{"bad terminator", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "aws4_request", "aws5_request", 1))
		}, "SignatureDoesNotMatch", "valid terminator"},
		{"wrong algorithm", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1))
		}, "IncompleteSignature", "Unsupported AWS 'algorithm'"},
		{"no signature", func(r *http.Request) {
			r.Header.Set("Authorization", good[:strings.Index(good, ", Signature=")])
		}, "IncompleteSignature", "requires 'Signature'"},
		{"short credential", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "/us-east-1", "", 1))
		}, "IncompleteSignature", "5 slash-delimited"},
		{"unsorted signed headers", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "host;x-amz-date", "x-amz-date;host", 1))
		}, "SignatureDoesNotMatch", "sorted"},
		{"both header and query auth", func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" }, "IncompleteSignature", "Found both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://example.amazonaws.com/", nil)
			r.Header.Set("X-Amz-Date", exampleDate)
			r.Header.Set("Authorization", good)
			if _, err := parseSignedRequest(r, nil); err != nil {
				t.Fatalf("unmutated request rejected: %v", err)
			}
			tt.mutate(r)
			_, err := parseSignedRequest(r, nil)
			if err == nil {
				t.Fatal("accepted, want rejection")
			}
			if err.Code != tt.wantCode || !strings.Contains(err.Message, tt.wantMsg) {
				t.Errorf("got %s: %s; want %s containing %q", err.Code, err.Message, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestUnsignedHeaderValueChangeBreaksSignature(t *testing.T) {
	// A change to any signed header value, or to the body, must change the
	// canonical request and so fail verification.
	base := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "http://example.amazonaws.com/", nil)
		r.Header.Set("X-Amz-Date", exampleDate)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
		return r
	}
	tests := []struct {
		name   string
		mutate func(r *http.Request) []byte
	}{
		{"other host", func(r *http.Request) []byte { r.Host = "example2.amazonaws.com"; return nil }},
		{"body added", func(r *http.Request) []byte { return []byte("x") }},
		{"path changed", func(r *http.Request) []byte { r.URL.Path = "/x"; return nil }},
		{"query added", func(r *http.Request) []byte { r.URL.RawQuery = "a=b"; return nil }},
		{"method changed", func(r *http.Request) []byte { r.Method = "POST"; return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			body := tt.mutate(r)
			sr, err := parseSignedRequest(r, body)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if sr.verify(exampleSecret) {
				t.Error("mutated request verified")
			}
		})
	}
}

func TestCanonicalQueryOrdersByNameThenValue(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "http://h/?b=2&a-b=1&a=2&a=1&sp=a%20b&plus=%2B&X-Amz-Signature=zz", nil)
	got := canonicalQuery(r.URL.Query())
	want := "a=1&a=2&a-b=1&b=2&plus=%2B&sp=a%20b"
	if got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
}

func TestCanonicalURIDoubleEncodes(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "http://h/clusters/c/access-entries/arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx", nil)
	got := canonicalURI(r.URL)
	want := "/clusters/c/access-entries/arn%253Aaws%253Aiam%253A%253A1%253Arole%252Fx"
	if got != want {
		t.Errorf("canonicalURI = %q, want %q", got, want)
	}
}

func TestCanonicalHeadersTrimAndJoin(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "http://example.amazonaws.com/", nil)
	r.Header.Add("X-Test", "  a   b  ")
	r.Header.Add("X-Test", "c")
	got := canonicalHeaders(r, []string{"host", "x-missing", "x-test"})
	want := "host:example.amazonaws.com\nx-missing:\nx-test:a b,c\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("canonicalHeaders (-want +got):\n%s", diff)
	}
	if v := r.Header.Values("X-Test"); v[0] != "  a   b  " {
		t.Errorf("canonicalHeaders modified the request's header: %q", v)
	}
}
