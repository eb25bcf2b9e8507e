package sso

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fakeOIDC answers like sso-oidc: pending polls until approved after
// pendingPolls, counting calls and recording the waits between polls.
type fakeOIDC struct {
	now          *time.Time
	pendingPolls int
	slowDowns    int
	deny         bool
	calls        map[string]int
	refreshErr   error
}

func (f *fakeOIDC) RegisterClient(_ context.Context, in *ssooidc.RegisterClientInput, _ ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error) {
	f.calls["RegisterClient"]++
	if aws.ToString(in.ClientType) != "public" || aws.ToString(in.ClientName) == "" {
		return nil, &types.InvalidClientMetadataException{}
	}
	return &ssooidc.RegisterClientOutput{ClientId: aws.String("client-1"), ClientSecret: aws.String("client-secret"),
		ClientSecretExpiresAt: f.now.Add(90 * 24 * time.Hour).Unix()}, nil
}

func (f *fakeOIDC) StartDeviceAuthorization(_ context.Context, in *ssooidc.StartDeviceAuthorizationInput, _ ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error) {
	f.calls["StartDeviceAuthorization"]++
	return &ssooidc.StartDeviceAuthorizationOutput{DeviceCode: aws.String("device-secret"), UserCode: aws.String("ABCD-EFGH"),
		VerificationUri: aws.String("https://device.example/"), VerificationUriComplete: aws.String("https://device.example/?user_code=ABCD-EFGH"),
		ExpiresIn: 600, Interval: 2}, nil
}

func (f *fakeOIDC) CreateToken(_ context.Context, in *ssooidc.CreateTokenInput, _ ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error) {
	grant := aws.ToString(in.GrantType)
	f.calls[grant]++
	if grant == "refresh_token" {
		if f.refreshErr != nil {
			return nil, f.refreshErr
		}
		return &ssooidc.CreateTokenOutput{AccessToken: aws.String("access-refreshed"), ExpiresIn: 3600, RefreshToken: aws.String("refresh-2")}, nil
	}
	switch {
	case f.slowDowns > 0:
		f.slowDowns--
		return nil, &types.SlowDownException{}
	case f.pendingPolls > 0:
		f.pendingPolls--
		return nil, &types.AuthorizationPendingException{}
	case f.deny:
		return nil, &types.AccessDeniedException{}
	}
	return &ssooidc.CreateTokenOutput{AccessToken: aws.String("access-1"), ExpiresIn: 28800, RefreshToken: aws.String("refresh-1")}, nil
}

type harness struct {
	oidc   *fakeOIDC
	si     *SignIn
	now    time.Time
	waits  []time.Duration
	opened []string
	out    bytes.Buffer
	dir    string
}

func newHarness(t *testing.T) *harness {
	h := &harness{now: t0, dir: filepath.Join(t.TempDir(), "sso", "cache")}
	h.oidc = &fakeOIDC{now: &h.now, calls: map[string]int{}}
	h.si = &SignIn{
		OIDC: h.oidc, Now: func() time.Time { return h.now }, Out: &h.out, ClientName: "kubectl-eksxa",
		Sleep: func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			h.waits = append(h.waits, d)
			h.now = h.now.Add(d)
			return nil
		},
		Open: func(u string) error { h.opened = append(h.opened, u); return nil },
	}
	return h
}

var session = Session{Name: "corp", StartURL: "https://corp.awsapps.com/start", Region: "eu-west-1", Scopes: DefaultScopes}

func TestCacheFileName(t *testing.T) {
	// The names botocore and aws-sdk-go-v2 compute: SHA-1 of the
	// sso-session name, or of the start URL for the legacy form (values
	// from python3 hashlib.sha1, as botocore's SSOTokenLoader does).
	if got := filepath.Base(CacheFile("/c", Session{Name: "my-sso", StartURL: "https://x"})); got != "0ad374308c5a4e22f723adf10145eafad7c4031c.json" {
		t.Errorf("sso-session file %s", got)
	}
	if got := filepath.Base(CacheFile("/c", Session{StartURL: "https://my-sso-portal.awsapps.com/start"})); got != "c7aaaf71fcc8777ae2475525ed049d39fe16c484.json" {
		t.Errorf("legacy file %s", got)
	}
}

func TestDeviceAuthorization(t *testing.T) {
	h := newHarness(t)
	h.oidc.pendingPolls = 2
	h.oidc.slowDowns = 1
	tok, how, err := h.si.Ensure(context.Background(), h.dir, session, true)
	if err != nil || how != SignedIn {
		t.Fatalf("Ensure: %v %v", how, err)
	}
	// Poll at the given 2s, 5s more after slow_down, until approved.
	if diff := cmp.Diff([]time.Duration{2 * time.Second, 7 * time.Second, 7 * time.Second, 7 * time.Second}, h.waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"https://device.example/?user_code=ABCD-EFGH"}, h.opened); diff != "" {
		t.Errorf("browser (-want +got):\n%s", diff)
	}
	out := h.out.String()
	for _, want := range []string{"https://device.example/", "ABCD-EFGH", session.StartURL} {
		if !strings.Contains(out, want) {
			t.Errorf("instructions lack %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"device-secret", "client-secret", "access-1", "refresh-1"} {
		if strings.Contains(out, secret) {
			t.Errorf("instructions carry a secret (%s)", secret)
		}
	}
	// The file: the AWS CLI's name, fields and format, mode 0600.
	path := CacheFile(h.dir, session)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"startUrl": session.StartURL, "region": "eu-west-1", "accessToken": "access-1",
		"expiresAt": h.now.Add(8 * time.Hour).Format("2006-01-02T15:04:05Z"), "refreshToken": "refresh-1",
		"clientId": "client-1", "clientSecret": "client-secret",
		"registrationExpiresAt": t0.Add(90 * 24 * time.Hour).Format("2006-01-02T15:04:05Z"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cache file (-want +got):\n%s", diff)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if tok.AccessToken != "access-1" {
		t.Errorf("token %s", tok)
	}
	// The next call: from the cache, no call at all.
	calls := len(h.oidc.calls)
	h.out.Reset()
	if _, how, err := h.si.Ensure(context.Background(), h.dir, session, false); err != nil || how != Cached || h.out.Len() != 0 {
		t.Errorf("second Ensure: %v %v, said %q", how, err, h.out.String())
	}
	if len(h.oidc.calls) != calls || h.oidc.calls["RegisterClient"] != 1 {
		t.Errorf("calls %v", h.oidc.calls)
	}
}

func TestRefreshWithoutAPrompt(t *testing.T) {
	h := newHarness(t)
	if _, _, err := h.si.Ensure(context.Background(), h.dir, session, true); err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(8*time.Hour - 4*time.Minute) // inside the refresh window
	h.out.Reset()
	tok, how, err := h.si.Ensure(context.Background(), h.dir, session, false)
	if err != nil || how != Refreshed || tok.AccessToken != "access-refreshed" || tok.RefreshToken != "refresh-2" {
		t.Fatalf("Ensure: %v %v %s", how, err, tok)
	}
	if h.out.Len() != 0 || h.oidc.calls["refresh_token"] != 1 || h.oidc.calls["StartDeviceAuthorization"] != 1 {
		t.Errorf("refresh said %q, calls %v", h.out.String(), h.oidc.calls)
	}
	saved, _ := Load(h.dir, session)
	if saved.AccessToken != "access-refreshed" || saved.ClientID != "client-1" {
		t.Errorf("saved %s", saved)
	}
}

func TestNonInteractiveFailsAtOnce(t *testing.T) {
	h := newHarness(t)
	_, _, err := h.si.Ensure(context.Background(), h.dir, session, false)
	if !errors.Is(err, ErrSignInRequired) || len(h.oidc.calls) != 0 {
		t.Fatalf("err %v, calls %v", err, h.oidc.calls)
	}
	// An expired token whose refresh is refused: the same.
	if _, _, err := h.si.Ensure(context.Background(), h.dir, session, true); err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(9 * time.Hour)
	h.oidc.refreshErr = &types.InvalidGrantException{}
	if _, _, err := h.si.Ensure(context.Background(), h.dir, session, false); !errors.Is(err, ErrSignInRequired) {
		t.Errorf("refused refresh: %v", err)
	}
}

func TestCancelledOrExpiredLeavesNoFile(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*harness, context.CancelFunc)
		want string
	}{
		{"Ctrl-C while polling", func(h *harness, cancel context.CancelFunc) {
			h.oidc.pendingPolls = 1000
			sleep := h.si.Sleep
			n := 0
			h.si.Sleep = func(ctx context.Context, d time.Duration) error {
				if n++; n == 3 {
					cancel()
				}
				return sleep(ctx, d)
			}
		}, "cancelled"},
		{"never approved", func(h *harness, _ context.CancelFunc) { h.oidc.pendingPolls = 1000 }, "expired before it was approved"},
		{"denied", func(h *harness, _ context.CancelFunc) { h.oidc.deny = true }, "denied"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tt.set(h, cancel)
			_, _, err := h.si.Ensure(ctx, h.dir, session, true)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(h.dir); len(entries) != 0 {
				t.Errorf("left %d files in the cache", len(entries))
			}
		})
	}
}

func TestReadsTheAWSCLIsFile(t *testing.T) {
	dir := t.TempDir()
	legacy := Session{StartURL: "https://corp.awsapps.com/start", Region: "us-east-1"}
	if err := os.WriteFile(CacheFile(dir, legacy), []byte(`{"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1", "accessToken": "x", "expiresAt": "2026-03-04T06:00:00UTC"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := Load(dir, legacy)
	if err != nil || !tok.ExpiresAt.Equal(time.Date(2026, 3, 4, 6, 0, 0, 0, time.UTC)) || tok.Refreshable(t0) {
		t.Errorf("legacy file: %s %v", tok, err)
	}
	if s := fmt.Sprintf("%v %#v", tok, tok); strings.Contains(s, `"x"`) {
		t.Errorf("formatting prints the access token: %s", s)
	}
}
