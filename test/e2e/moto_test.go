package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// TestMotoSecondOpinion runs a two-hop chain against moto_server's STS, an
// implementation we did not write, as a second opinion on our AssumeRole
// requests and on how we read its answers. moto does not check presigned
// URLs, so the token is checked by what signed it: the second hop's session.
func TestMotoSecondOpinion(t *testing.T) {
	moto, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("moto_server is not on PATH; CI's machine image has it")
		}
		t.Skip("moto_server is not installed")
	}
	port := freePort(t)
	srv := exec.Command(moto, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	srv.Stdout, srv.Stderr = nil, nil
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() }) // killed: Wait reports the signal
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, endpoint+"/moto-api/", 30*time.Second)

	env := awsEnv(t, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	env["AWS_ENDPOINT_URL_STS"] = endpoint
	tok, r := tokenOf(t, env, "--cluster-name", "prod", "--region", "us-east-1", "--cache", "file",
		"--role-arn", "arn:aws:iam::222222222222:role/jump", "--role-arn", "arn:aws:iam::333333333333:role/eks-admin,external-id=ext-1")
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}

	// The token is signed by the session moto issued for hop 2.
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, token.Prefix))
	u, _ := url.Parse(string(raw))
	signer := strings.Split(u.Query().Get("X-Amz-Credential"), "/")[0]
	sessions := map[string]string{} // assumed-role ARN -> access key ID
	files, _ := filepath.Glob(filepath.Join(env["EKSXA_CACHE_DIR"], "*.entry"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var e struct{ Kind, AccessKeyID, ARN string }
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		if e.Kind == "session" {
			sessions[e.ARN] = e.AccessKeyID
		}
	}
	final := ""
	for arn, key := range sessions {
		if strings.Contains(arn, ":333333333333:assumed-role/eks-admin/") {
			final = key
		}
	}
	if len(sessions) != 2 || final == "" || signer != final {
		t.Errorf("moto sessions %v; token signed by %q, want hop 2's key %q", sessions, signer, final)
	}
	if u.Host != "sts.us-east-1.amazonaws.com" {
		t.Errorf("token host %q: the plugin's endpoint must not leak into the token", u.Host)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitHTTP(t *testing.T, u string, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within %s", u, limit)
}
