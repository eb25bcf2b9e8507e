package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// run executes the CLI with args and an environment made of vars only.
func run(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), Env{
		Args:   args,
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string {
			if v, ok := vars[k]; ok {
				return v
			}
			if k == "HOME" { // isolateAWS's private home, for the cache
				return os.Getenv("HOME")
			}
			return ""
		},
		Now:     func() time.Time { return testNow },
		Version: "v9.9.9-test",
	})
	return code, out.String(), errb.String()
}

// isolateAWS points the SDK (which reads the process environment) at an
// empty home with no credentials anywhere and IMDS off.
func isolateAWS(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestVersion(t *testing.T) {
	code, out, errOut := run(t, nil, "version")
	if code != 0 || out != "v9.9.9-test\n" || errOut != "" {
		t.Errorf("version: code %d stdout %q stderr %q", code, out, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"no cluster name", nil, []string{"token"}, "--cluster-name is required"},
		{"unknown flag", nil, []string{"token", "--cluster-name", "c", "--frobnicate"}, "unknown flag: --frobnicate"},
		{"unknown command", nil, []string{"tokne"}, `unknown command "tokne"`},
		{"stray argument", nil, []string{"token", "--cluster-name", "c", "extra"}, `unknown command "extra"`},
		{"bad region flag", nil, []string{"token", "--cluster-name", "c", "--region", "moon-1"}, `--region: invalid region "moon-1"`},
		{"bad region env", map[string]string{"AWS_REGION": "eu west 1"}, []string{"token", "--cluster-name", "c"}, `AWS_REGION: invalid region "eu west 1"`},
		{"cluster name EKS cannot have", nil, []string{"token", "--cluster-name", "prod.example"}, `--cluster-name: "prod.example" is not an EKS cluster name`},
		{"cluster name starting with a hyphen", nil, []string{"token", "--cluster-name", "-prod"}, `is not an EKS cluster name`},
		{"cluster name too long", nil, []string{"token", "--cluster-name", strings.Repeat("a", 101)}, `is not an EKS cluster name`},
		{"ARN region disagrees with --region", nil, []string{"token", "--cluster-name", "arn:aws:eks:eu-west-1:111111111111:cluster/prod", "--region", "us-east-1"}, "--region us-east-1 disagrees with --cluster-name arn:aws:eks:eu-west-1:111111111111:cluster/prod, whose cluster is in eu-west-1"},
		{"ARN partition is not the region's", nil, []string{"token", "--cluster-name", "arn:aws:eks:cn-north-1:111111111111:cluster/prod"}, "region cn-north-1 is in partition aws-cn, not aws"},
		{"ARN of another service", nil, []string{"token", "--cluster-name", "arn:aws:iam::111111111111:role/prod"}, `the service is "iam", not eks`},
		{"ARN with a bad name", nil, []string{"kubeconfig", "--cluster-name", "arn:aws:eks:eu-west-1:111111111111:cluster/pr.od"}, `the cluster name "pr.od" is not one EKS can have`},
		{"ARN of a nodegroup", nil, []string{"doctor", "--cluster-name", "arn:aws:eks:eu-west-1:111111111111:nodegroup/prod/ng/x"}, `is not cluster/NAME`},
		{"ARN with a short account", nil, []string{"login", "--cluster-name", "arn:aws:eks:eu-west-1:1111:cluster/prod"}, `the account "1111" is not 12 digits`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.vars, tt.args...)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.want)
			}
		})
	}
}

func TestTokenBadExecInfo(t *testing.T) {
	isolateAWS(t)
	code, out, errOut := run(t, map[string]string{"KUBERNETES_EXEC_INFO": `{"apiVersion":"client.authentication.k8s.io/v2","kind":"ExecCredential"}`}, "token", "--cluster-name", "c")
	if code != exitFailure || out != "" || !strings.Contains(errOut, `asks for apiVersion "client.authentication.k8s.io/v2"`) {
		t.Errorf("code %d stdout %q stderr %q", code, out, errOut)
	}
}

func TestTokenNoCredentials(t *testing.T) {
	isolateAWS(t)
	start := time.Now()
	code, out, errOut := run(t, nil, "token", "--cluster-name", "c", "--region", "us-east-1")
	if code != exitFailure || out != "" {
		t.Errorf("code %d stdout %q, want 1 and nothing", code, out)
	}
	if !strings.Contains(errOut, "no AWS credentials found; looked in the [default] profile, environment") {
		t.Errorf("stderr = %q, want the no-credentials message", errOut)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to find no credentials", d)
	}
}

func TestTokenStaticCredentials(t *testing.T) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	for _, tt := range []struct{ info, wantVersion string }{
		{"", "client.authentication.k8s.io/v1beta1"},
		{`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`, "client.authentication.k8s.io/v1"},
	} {
		code, out, errOut := run(t, map[string]string{"KUBERNETES_EXEC_INFO": tt.info, "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, "token", "--cluster-name", "demo", "--region", "ap-northeast-1", "--cache", "none")
		if code != 0 || errOut != "" {
			t.Fatalf("code %d stderr %q", code, errOut)
		}
		var cred struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Status     struct {
				Token               string    `json:"token"`
				ExpirationTimestamp time.Time `json:"expirationTimestamp"`
			} `json:"status"`
		}
		dec := json.NewDecoder(strings.NewReader(out))
		if err := dec.Decode(&cred); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, out)
		}
		if dec.More() {
			t.Errorf("stdout has more than one JSON document: %q", out)
		}
		if cred.APIVersion != tt.wantVersion || cred.Kind != "ExecCredential" {
			t.Errorf("apiVersion %q kind %q, want %q ExecCredential", cred.APIVersion, cred.Kind, tt.wantVersion)
		}
		if !strings.HasPrefix(cred.Status.Token, "k8s-aws-v1.") {
			t.Errorf("token = %q", cred.Status.Token)
		}
		if want := testNow.Add(14 * time.Minute); !cred.Status.ExpirationTimestamp.Equal(want) {
			t.Errorf("expiration = %v, want %v", cred.Status.ExpirationTimestamp, want)
		}
	}
}

func TestPanicBecomesExitOne(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{
		Args:   []string{"token", "--cluster-name", "c"},
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { panic("secret-value-" + k) },
		Now:    func() time.Time { return testNow },
	})
	if code != exitFailure || out.Len() != 0 {
		t.Errorf("exit %d stdout %q, want 1 and nothing", code, out.String())
	}
	if !strings.Contains(errb.String(), "internal error") || strings.Contains(errb.String(), "secret-value") {
		t.Errorf("stderr %q: want a one-line internal error without the panic's value", errb.String())
	}
}
