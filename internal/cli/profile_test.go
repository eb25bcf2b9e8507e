package cli

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
)

// ssoWorld is a HOME with an SSO profile on a quoted [sso-session], as
// `aws configure sso` writes it for a name with spaces, and a fake IAM
// Identity Center portal that hands out role credentials for one token.
type ssoWorld struct {
	home  string
	calls int
	env   map[string]string
}

const ssoConfig = `[sso-session 'My Corp Ltd']
sso_start_url = https://my-corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile sso]
sso_session = My Corp Ltd
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-2

[profile k8s]
role_arn = arn:aws:iam::222222222222:role/eks
source_profile = sso
`

func newSSOWorld(t *testing.T) *ssoWorld {
	t.Helper()
	isolateAWS(t)
	w := &ssoWorld{home: t.TempDir()}
	portal := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.calls++
		q := r.URL.Query()
		if r.URL.Path != "/federation/credentials" || q.Get("account_id") != "111111111111" || q.Get("role_name") != "Admin" || r.Header.Get("x-amz-sso_bearer_token") != "sso-access-token" {
			rw.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(rw, `{"message":"Session token not found or invalid"}`)
			return
		}
		fmt.Fprintf(rw, `{"roleCredentials":{"accessKeyId":"ASIASSOEXAMPLE","secretAccessKey":"sso-secret","sessionToken":"sso-session-token","expiration":%d}}`, time.Now().Add(time.Hour).UnixMilli())
	}))
	t.Cleanup(portal.Close)
	// The SDK reads endpoint overrides from the process environment.
	t.Setenv("AWS_ENDPOINT_URL_SSO", portal.URL)
	if err := os.MkdirAll(filepath.Join(w.home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.home, ".aws", "config"), []byte(ssoConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	w.env = map[string]string{"HOME": w.home}
	return w
}

// signIn writes the token `aws sso login` caches for the session: the file
// is named by the SHA-1 of the session's name.
func (w *ssoWorld) signIn(t *testing.T, expires time.Time) {
	t.Helper()
	sum := sha1.Sum([]byte("My Corp Ltd"))
	dir := filepath.Join(w.home, ".aws", "sso", "cache")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"startUrl":"https://my-corp.awsapps.com/start","region":"eu-west-1","accessToken":"sso-access-token","expiresAt":%q}`, expires.UTC().Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (w *ssoWorld) resolve(t *testing.T, profile string) (broker.Resolved, error) {
	t.Helper()
	rv := resolver{env: Env{Getenv: func(k string) string { return w.env[k] }, Now: time.Now}}
	return rv.Resolve(context.Background(), broker.Request{Cluster: "prod", Profile: profile})
}

// TestSSOQuotedSessionName: [sso-session 'My Corp Ltd'] is accepted as the
// AWS CLI accepts it, the cached sign-in is found under the session's name,
// and the profile's region applies (issue 12, item 7b).
func TestSSOQuotedSessionName(t *testing.T) {
	w := newSSOWorld(t)
	w.signIn(t, time.Now().Add(time.Hour))
	for _, profile := range []string{"sso", "k8s"} {
		res, err := w.resolve(t, profile)
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		creds, err := res.Base(context.Background())
		if err != nil {
			t.Fatalf("%s: base credentials: %v", profile, err)
		}
		if creds.AccessKeyID != "ASIASSOEXAMPLE" {
			t.Errorf("%s: base key %q, want the portal's", profile, creds.AccessKeyID)
		}
		wantHops := map[string]int{"sso": 0, "k8s": 1}[profile]
		if len(res.Hops) != wantHops {
			t.Errorf("%s: %d hops, want %d", profile, len(res.Hops), wantHops)
		}
	}
	if res, _ := w.resolve(t, "sso"); res.Region != "eu-west-2" {
		t.Errorf("region %q, want the profile's eu-west-2", res.Region)
	}
	if w.calls != 2 {
		t.Errorf("portal called %d times, want 2", w.calls)
	}
}

// TestSSOErrorsNameProfileAndFix: without a sign-in, or with an expired
// one, the error is one line naming the profile, the sso-session and the
// command that fixes it (issue 12, item 7a), and the portal is not asked.
func TestSSOErrorsNameProfileAndFix(t *testing.T) {
	for _, tt := range []struct {
		name   string
		signIn func(*ssoWorld, *testing.T)
	}{
		{"no sign-in", func(*ssoWorld, *testing.T) {}},
		{"expired sign-in", func(w *ssoWorld, t *testing.T) { w.signIn(t, time.Now().Add(-time.Hour)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newSSOWorld(t)
			tt.signIn(w, t)
			for _, profile := range []string{"sso", "k8s"} {
				res, err := w.resolve(t, profile)
				if err != nil {
					t.Fatal(err)
				}
				_, err = res.Base(context.Background())
				if err == nil {
					t.Fatalf("%s: no error", profile)
				}
				msg := err.Error()
				for _, want := range []string{`profile "sso" (sso-session "My Corp Ltd")`, "run `kubectl eksxa login` with the same flags (or `aws sso login --profile sso`)"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s: error %q does not say %q", profile, msg, want)
					}
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("error spans lines: %q", msg)
				}
			}
			if w.calls != 0 {
				t.Errorf("portal called %d times without a valid sign-in", w.calls)
			}
		})
	}
}

// TestExecNoSignInWithoutTerminal: exec with stdin not a terminal
// (</dev/null, a pipe) does not start an IAM Identity Center device
// sign-in nobody would complete: it fails with the login hint, and the
// sso-oidc endpoint is never called.
func TestExecNoSignInWithoutTerminal(t *testing.T) {
	w := newSSOWorld(t)
	oidcCalls := 0
	oidc := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		oidcCalls++
		rw.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(oidc.Close)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", oidc.URL)
	var out, errb bytes.Buffer
	ran := false
	code := Run(context.Background(), Env{
		Args: []string{"exec", "--profile", "sso", "--cache", "none", "--", "true"}, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return w.env[k] },
		Exec:   func(string, []string, []string) (int, error) { ran = true; return 0, nil },
		Now:    time.Now,
	})
	if code != 1 || out.Len() != 0 || ran || !strings.Contains(errb.String(), "run `kubectl eksxa login` with the same flags") {
		t.Errorf("exit %d stdout %q ran %v stderr %q", code, out.String(), ran, errb.String())
	}
	if oidcCalls != 0 || w.calls != 0 {
		t.Errorf("sso-oidc called %d times, portal %d: a sign-in started without a terminal", oidcCalls, w.calls)
	}
}

// TestProfileNotFoundNamesFiles: a profile in no file says which files
// were read, whichever way it was chosen (issue 12, item 5's message), and
// the next step: the profiles that exist, or how to create it.
func TestProfileNotFoundNamesFiles(t *testing.T) {
	isolateAWS(t)
	home := t.TempDir()
	cfg := filepath.Join(home, "eks-config")
	if err := os.WriteFile(cfg, []byte("[profile other]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "AWS_CONFIG_FILE": cfg}
	rv := resolver{env: Env{Getenv: func(k string) string { return env[k] }, Now: time.Now}}
	_, err := rv.Resolve(context.Background(), broker.Request{Cluster: "prod", Profile: "eks"})
	want := fmt.Sprintf("profile \"eks\" not found in %s, %s; profiles there: other. Check the name, or create it with `aws configure --profile eks`",
		cfg, filepath.Join(home, ".aws", "credentials"))
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// TestProfileHopPartition: a profile's role_arn of another partition than
// the region is refused on the cold path, before any call, naming the hop
// and its profile.
func TestProfileHopPartition(t *testing.T) {
	isolateAWS(t)
	home := t.TempDir()
	cfg := filepath.Join(home, "eks-config")
	if err := os.WriteFile(cfg, []byte("[profile cn]\nregion = cn-north-1\nrole_arn = arn:aws:iam::222222222222:role/jump\nsource_profile = base\n[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": home, "AWS_CONFIG_FILE": cfg}
	code, out, errOut := run(t, vars, "credential-process", "--profile", "cn", "--cache", "none")
	want := `hop 1, "arn:aws:iam::222222222222:role/jump" (role_arn of profile "cn"), is in partition aws, but region cn-north-1 is in partition aws-cn`
	if code != exitFailure || out != "" || !strings.Contains(errOut, want) {
		t.Errorf("exit %d stdout %q stderr %q, want 1 and %q", code, out, errOut, want)
	}
}

// TestResolverProfileChoice: every way of choosing a profile goes through
// resolver.profile, with the AWS CLI's order (issue 12, item 1).
func TestResolverProfileChoice(t *testing.T) {
	isolateAWS(t)
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(`[default]
region = eu-west-1
role_arn = arn:aws:iam::222222222222:role/jump
source_profile = base
[profile admin]
role_arn = arn:aws:iam::222222222222:role/mfa-admin
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/alice
duration_seconds = 43200
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		profile  string
		env      map[string]string
		wantKey  string
		wantHops []string
		wantMFA  string
	}{
		{"named profile with MFA", "admin", nil, "AKIABASE", []string{"arn:aws:iam::222222222222:role/mfa-admin"}, "arn:aws:iam::111111111111:mfa/alice"},
		{"named profile over environment keys", "admin", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "e"}, "AKIABASE", []string{"arn:aws:iam::222222222222:role/mfa-admin"}, "arn:aws:iam::111111111111:mfa/alice"},
		{"no profile: [default] is a role chain", "", nil, "AKIABASE", []string{"arn:aws:iam::222222222222:role/jump"}, ""},
		{"no profile: environment keys first", "", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "e"}, "AKIAENV", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOME": home}
			for k, v := range tt.env {
				env[k] = v
			}
			rv := resolver{env: Env{Getenv: func(k string) string { return env[k] }, Now: time.Now}}
			res, err := rv.Resolve(context.Background(), broker.Request{Cluster: "prod", Profile: tt.profile})
			if err != nil {
				t.Fatal(err)
			}
			creds, err := res.Base(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != tt.wantKey {
				t.Errorf("base key %s, want %s", creds.AccessKeyID, tt.wantKey)
			}
			var hops []string
			for _, h := range res.Hops {
				hops = append(hops, h.RoleARN)
			}
			if fmt.Sprint(hops) != fmt.Sprint(tt.wantHops) {
				t.Errorf("hops %v, want %v", hops, tt.wantHops)
			}
			if tt.wantMFA != "" && (res.Hops[0].MFASerial != tt.wantMFA || res.Hops[0].Duration != 12*time.Hour) {
				t.Errorf("MFA hop %+v, want mfa_serial %s and 12h", res.Hops[0], tt.wantMFA)
			}
			if res.Region != "eu-west-1" && tt.profile == "" {
				t.Errorf("region %s, want [default]'s eu-west-1", res.Region)
			}
		})
	}
}

// TestContainerTokenFile: EKS Pod Identity's token comes from
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, read on each call.
func TestContainerTokenFile(t *testing.T) {
	isolateAWS(t)
	var got string
	agent := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		fmt.Fprintf(rw, `{"AccessKeyId":"ASIAPOD","SecretAccessKey":"s","Token":"t","Expiration":%q}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	defer agent.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("pod-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": t.TempDir(), "AWS_CONTAINER_CREDENTIALS_FULL_URI": agent.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile}
	rv := resolver{env: Env{Getenv: func(k string) string { return env[k] }, Now: time.Now}}
	res, err := rv.Resolve(context.Background(), broker.Request{Cluster: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := res.Base(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIAPOD" || got != "pod-token" {
		t.Errorf("key %s, Authorization %q; want ASIAPOD and the file's token", creds.AccessKeyID, got)
	}
}
