package kubeapi

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for _, tc := range []struct{ endpoint, path, want, err string }{
		{"https://ABC.gr7.eu-west-1.eks.amazonaws.com", "/version", "https://ABC.gr7.eu-west-1.eks.amazonaws.com/version", ""},
		{"https://h/prefix/", "/api/v1/nodes", "https://h/prefix/api/v1/nodes", ""},
		{"https://h/?q=1#f", "/version", "https://h/version", ""},
		{"h.example", "/version", "", `cluster endpoint "h.example" is not an http(s) URL`},
		{"ftp://h", "/version", "", "not an http(s) URL"},
		{"", "/version", "", "not an http(s) URL"},
	} {
		u, err := URL(tc.endpoint, tc.path)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("URL(%q): err %v, want %q", tc.endpoint, err, tc.err)
			}
			continue
		}
		if err != nil || u.String() != tc.want {
			t.Errorf("URL(%q, %q) = %v, %v; want %s", tc.endpoint, tc.path, u, err, tc.want)
		}
	}
}

// TestTrusting: the copy reaches a server signed by the given CA, the
// default client does not, and bad inputs are errors.
func TestTrusting(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	c, err := Trusting(nil, caPEM)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatalf("with the cluster CA: %v", err)
	}
	_ = resp.Body.Close()
	if c.Timeout != DefaultTimeout {
		t.Errorf("timeout %s, want %s", c.Timeout, DefaultTimeout)
	}
	plain, err := Trusting(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := plain.Get(srv.URL); err == nil {
		_ = resp.Body.Close()
		t.Error("without the cluster CA the self-signed server was trusted")
	}

	if _, err := Trusting(nil, []byte("not pem")); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("bad PEM: %v", err)
	}
	odd := &http.Client{Transport: roundTripper(func(*http.Request) (*http.Response, error) { return nil, nil })}
	if _, err := Trusting(odd, caPEM); err == nil || !strings.Contains(err.Error(), "not *http.Transport") {
		t.Errorf("foreign transport: %v", err)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
