package access

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const secretToken = "k8s-aws-v1.c2VjcmV0LXRva2VuLXRoYXQtbXVzdC1uZXZlci1iZS1wcmludGVk"

// apiServer is a TLS server answering /version as a kube-apiserver
// would for three tokens: one it authenticates, one it authenticates but
// forbids, and any other it refuses.
func apiServer(t *testing.T) (*httptest.Server, []byte) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/version" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		switch r.Header.Get("Authorization") {
		case "Bearer " + secretToken:
			_, _ = w.Write([]byte(`{"major":"1","minor":"33"}`))
		case "Bearer forbidden":
			w.WriteHeader(http.StatusForbidden)
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return srv, ca
}

func TestLiveCheck(t *testing.T) {
	srv, ca := apiServer(t)
	for _, tt := range []struct {
		token string
		want  int
	}{
		{secretToken, 200},
		{"forbidden", 403},
		{"someone-else", 401},
	} {
		got, err := LiveCheck(context.Background(), nil, srv.URL, ca, tt.token)
		if err != nil || got != tt.want {
			t.Errorf("LiveCheck(%s) = %d, %v; want %d", tt.token, got, err, tt.want)
		}
	}
	// A client of the caller's is used (its transport cloned, not changed).
	c := &http.Client{Transport: &http.Transport{}}
	if got, err := LiveCheck(context.Background(), c, srv.URL+"/", ca, secretToken); err != nil || got != 200 {
		t.Errorf("with a client: %d, %v", got, err)
	}
	if tc := c.Transport.(*http.Transport).TLSClientConfig; tc != nil && tc.RootCAs != nil {
		t.Error("the caller's transport was modified")
	}
}

func TestLiveCheckErrorsHoldNoToken(t *testing.T) {
	srv, ca := apiServer(t)
	other := httptest.NewTLSServer(http.NotFoundHandler())
	other.Close()
	otherCA := selfSigned(t)
	for name, call := range map[string]func() (int, error){
		"untrusted CA":    func() (int, error) { return LiveCheck(context.Background(), nil, srv.URL, otherCA, secretToken) },
		"no CA, no trust": func() (int, error) { return LiveCheck(context.Background(), nil, srv.URL, nil, secretToken) },
		"closed server":   func() (int, error) { return LiveCheck(context.Background(), nil, other.URL, ca, secretToken) },
		"bad CA data":     func() (int, error) { return LiveCheck(context.Background(), nil, srv.URL, []byte("junk"), secretToken) },
		"bad endpoint":    func() (int, error) { return LiveCheck(context.Background(), nil, "::nope", ca, secretToken) },
		"foreign transport": func() (int, error) {
			return LiveCheck(context.Background(), &http.Client{Transport: roundTripFunc(nil)}, srv.URL, ca, secretToken)
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := call()
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), secretToken) || strings.Contains(err.Error(), "c2VjcmV0") {
				t.Fatalf("error carries the token: %v", err)
			}
		})
	}
}

// selfSigned is the PEM of a fresh self-signed CA (httptest servers all
// share one certificate, so another server's will not do).
func selfSigned(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other-ca"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAddLiveCheck(t *testing.T) {
	unknown := func() Report {
		return Report{AuthMode: ModeAPIAndConfigMap, Verdict: Unknown, Reason: "r", Fix: &Fix{Terraform: "tf", AWSAuth: "x", IAMPolicy: "p"}}
	}
	allowed := func() Report {
		return Report{AuthMode: ModeAPI, Verdict: Allowed, Reason: "r", Entry: &Entry{PrincipalARN: "e"}}
	}
	tests := []struct {
		name    string
		r       Report
		status  int
		err     error
		want    Verdict
		wantFix *Fix
		note    string
	}{
		{"unknown, got in", unknown(), 200, nil, Allowed, &Fix{IAMPolicy: "p"}, "aws-auth"},
		{"unknown, forbidden is in", unknown(), 403, nil, Allowed, &Fix{IAMPolicy: "p"}, "aws-auth"},
		{"unknown, refused", unknown(), 401, nil, Denied, &Fix{Terraform: "tf", AWSAuth: "x", IAMPolicy: "p"}, ""},
		{"entry yet refused", allowed(), 401, nil, Denied, nil, "recreated"},
		{"server error says nothing", unknown(), 500, nil, Unknown, &Fix{Terraform: "tf", AWSAuth: "x", IAMPolicy: "p"}, "HTTP 500"},
		{"call failed", allowed(), 0, context.DeadlineExceeded, Allowed, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			r.AddLiveCheck(tt.status, tt.err)
			if r.Verdict != tt.want {
				t.Errorf("verdict %s, want %s", r.Verdict, tt.want)
			}
			if (r.Fix == nil) != (tt.wantFix == nil) || (r.Fix != nil && *r.Fix != *tt.wantFix) {
				t.Errorf("fix %+v, want %+v", r.Fix, tt.wantFix)
			}
			if tt.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", r.Notes, tt.note)
			}
			if r.Live == nil || r.Live.Status != tt.status || (tt.err != nil) != (r.Live.Error != "") {
				t.Errorf("live %+v", r.Live)
			}
		})
	}
}

func TestWriteTextLiveAndWriteErrors(t *testing.T) {
	r := Report{Cluster: "demo", Region: "eu-west-1", AuthMode: ModeAPI, Verdict: Unknown, Reason: "r",
		Principal: Principal{ARN: "arn:aws:iam::1:user/u", Kind: KindUser}, Checked: []Check{}}
	r.AddLiveCheck(401, nil)
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"GET /version answered 401 Unauthorized", "Verdict: DENIED"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, b.String())
		}
	}
	if err := r.WriteText(failWriter{}); err == nil {
		t.Error("WriteText to a failing writer: no error")
	}
	if err := r.WriteJSON(failWriter{}); err == nil {
		t.Error("WriteJSON to a failing writer: no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }
