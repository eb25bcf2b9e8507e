package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	clientauthv1 "k8s.io/client-go/pkg/apis/clientauthentication/v1"
	vtoken "sigs.k8s.io/aws-iam-authenticator/pkg/token"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

const execInfoV1 = `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`

// TestBinaryAsKubectlRunsIt runs the built plugin the way kubectl does and
// hands the token it prints to the EKS verifier.
func TestBinaryAsKubectlRunsIt(t *testing.T) {
	fake := fakeaws.New(fakeaws.Options{})
	defer fake.Close()
	routeSTS(t, fake)
	user := fake.AddUser("111111111111", "alice")
	env := awsEnv(t, user.AccessKeyID, user.SecretAccessKey)
	env["KUBERNETES_EXEC_INFO"] = execInfoV1

	r := runPlugin(t, env, "", "token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr = %q, want nothing on a quiet success", r.stderr)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var cred clientauthv1.ExecCredential
	if err := dec.Decode(&cred); err != nil {
		t.Fatalf("stdout is not an ExecCredential: %v\n%s", err, r.stdout)
	}
	if rest := strings.TrimSpace(r.stdout[dec.InputOffset():]); rest != "" {
		t.Errorf("stdout has more than the JSON: %q", rest)
	}
	if cred.APIVersion != "client.authentication.k8s.io/v1" || cred.Kind != "ExecCredential" || cred.Status == nil {
		t.Fatalf("credential = %+v", cred)
	}
	if left := time.Until(cred.Status.ExpirationTimestamp.Time); left < 13*time.Minute || left > 14*time.Minute {
		t.Errorf("token expires in %v, want about 14m", left)
	}
	id, err := vtoken.NewVerifier("prod", "aws", "eu-west-1").Verify(cred.Status.Token)
	if err != nil {
		t.Fatalf("EKS verifier refused the plugin's token: %v", err)
	}
	if id.ARN != user.ARN {
		t.Errorf("verified ARN = %q, want %q", id.ARN, user.ARN)
	}
	if strings.Contains(r.stdout+r.stderr, user.SecretAccessKey) {
		t.Error("the secret key appears in the output")
	}
}

func TestBinaryBadInput(t *testing.T) {
	env := awsEnv(t, "", "")
	delete(env, "AWS_ACCESS_KEY_ID")
	delete(env, "AWS_SECRET_ACCESS_KEY")
	tests := []struct {
		name     string
		execInfo string
		args     []string
		code     int
		want     string
	}{
		{"no cluster", "", []string{"token"}, 2, "--cluster-name is required"},
		{"bad region", "", []string{"token", "--cluster-name", "c", "--region", "narnia"}, 2, `invalid region "narnia"`},
		{"no credentials", "", []string{"token", "--cluster-name", "c", "--region", "us-east-1", "--cache", "none"}, 1, "no AWS credentials found"},
		{"unknown exec info version", `{"apiVersion":"client.authentication.k8s.io/v9","kind":"ExecCredential"}`, []string{"token", "--cluster-name", "c"}, 1, "KUBERNETES_EXEC_INFO asks for apiVersion"},
		{"malformed exec info", `{`, []string{"token", "--cluster-name", "c"}, 1, "KUBERNETES_EXEC_INFO is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			if tt.execInfo != "" {
				e["KUBERNETES_EXEC_INFO"] = tt.execInfo
			}
			r := runPlugin(t, e, "", tt.args...)
			if r.code != tt.code || r.stdout != "" || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d stdout %q stderr %q; want exit %d, no stdout, stderr with %q", r.code, r.stdout, r.stderr, tt.code, tt.want)
			}
			if r.took > 5*time.Second {
				t.Errorf("took %v; a bad call must fail fast", r.took)
			}
		})
	}
}
