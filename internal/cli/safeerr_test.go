package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Secret-shaped values the providers below are given; none may be printed.
const (
	leakSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	leakToken  = "FwoGZXIvYXdzEJr//////////wEaDEXAMPLETOKENxyz0123456789ABCDEFabcdef"
)

func assertNothingLeaked(t *testing.T, code int, stdout, stderr string, want string) {
	t.Helper()
	if code != 1 || stdout != "" {
		t.Errorf("exit %d stdout %q, want exit 1 and nothing on stdout", code, stdout)
	}
	for _, s := range []string{leakSecret, leakToken, "EXAMPLEKEY", "EXAMPLETOKEN"} {
		if strings.Contains(stdout+stderr, s) {
			t.Errorf("%q printed: %q", s, stderr)
		}
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want it to say %q", stderr, want)
	}
}

// TestCredentialProcessOutputNotEchoed: the SDK quotes a credential_process's
// whole output when it cannot parse it; the user gets what was wrong and the
// command to run instead.
func TestCredentialProcessOutputNotEchoed(t *testing.T) {
	creds := fmt.Sprintf(`{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":%q,"SessionToken":%q`, leakSecret, leakToken)
	tests := []struct{ name, script, want string }{
		{"banner before the JSON", "echo 'update available'\necho '" + creds + "}'", "its output is not valid credential_process JSON"},
		{"bad Expiration", "echo '" + creds + `,"Expiration":"tomorrow"}'`, "its output is not valid credential_process JSON"},
		{"not JSON at all", "echo '" + leakSecret + "'", "its output is not valid credential_process JSON"},
		{"Version 2", "echo '" + strings.Replace(creds, `"Version":1`, `"Version":2`, 1) + "}'", "Version is not 1"},
		{"exits 3 after printing", "echo '" + creds + "}'\nexit 3", "it exited with status 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			home := os.Getenv("HOME")
			script := filepath.Join(home, "cp.sh")
			if err := os.WriteFile(script, []byte("#!/bin/sh\n"+tt.script+"\n"), 0o700); err != nil {
				t.Fatal(err)
			}
			writeFileT(t, filepath.Join(home, ".aws", "config"), "[profile cp]\ncredential_process = "+script+"\n")
			code, out, errOut := run(t, map[string]string{"AWS_EC2_METADATA_DISABLED": "true"},
				"token", "--cluster-name", "prod", "--region", "eu-west-1", "--profile", "cp", "--cache", "none")
			assertNothingLeaked(t, code, out, errOut, tt.want)
			if !strings.Contains(errOut, `profile "cp"`) || !strings.Contains(errOut, "run it by hand") || !strings.Contains(errOut, script) {
				t.Errorf("stderr %q does not name the profile and the command to run by hand", errOut)
			}
		})
	}
}

// TestContainerCredentialsErrorNotEchoed: the container credentials
// endpoint's error body is quoted by the SDK; only its HTTP status and
// error code are repeated.
func TestContainerCredentialsErrorNotEchoed(t *testing.T) {
	tests := []struct {
		name, contentType string
		status            int
		body, want        string
	}{
		{"text body", "text/plain", 500, "internal error for key " + leakSecret, "answered HTTP 500"},
		{"JSON error", "application/json", 400, `{"code":"InvalidToken","message":"token ` + leakToken + ` refused"}`, "answered HTTP 400 (InvalidToken)"},
		{"bad JSON on 200", "application/json", 200, `{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"` + leakSecret + `","Expiration":"tomorrow"}`, "not container credentials JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			code, out, errOut := run(t, map[string]string{"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL, "AWS_MAX_ATTEMPTS": "1"},
				"token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none")
			assertNothingLeaked(t, code, out, errOut, tt.want)
		})
	}
}

func TestScrubSecrets(t *testing.T) {
	for in, want := range map[string]string{
		"key " + leakSecret + " refused":                                           "key [redacted] refused",
		"/home/alice/.aws/sso/cache/0123456789abcdef0123456789abcdef01234567.json": "/home/alice/.aws/sso/cache/0123456789abcdef0123456789abcdef01234567.json",
		"arn:aws:iam::111111111111:role/eks-admin":                                 "arn:aws:iam::111111111111:role/eks-admin",
	} {
		if got := scrubSecrets(in); got != want {
			t.Errorf("scrubSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}

func writeFileT(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
