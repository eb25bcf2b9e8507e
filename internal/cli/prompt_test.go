package cli

import (
	"strings"
	"testing"
)

// TestNoPromptWithoutTerminal: doctor and kubeconfig ask for an MFA code
// only when stdin is a terminal; from a pipe (scripts, CI) a hop that needs
// MFA fails at once with the `kubectl eksxa login` hint, reading nothing.
func TestNoPromptWithoutTerminal(t *testing.T) {
	const mfaHop = "arn:aws:iam::222222222222:role/mfa-admin,mfa-serial=arn:aws:iam::111111111111:mfa/alice"
	for _, args := range [][]string{
		{"kubeconfig", "--kubeconfig", "KC"},
		{"doctor"},
	} {
		t.Run(args[0], func(t *testing.T) {
			isolateAWS(t)
			for i, a := range args {
				if a == "KC" {
					args[i] = t.TempDir() + "/config"
				}
			}
			vars := map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": leakSecret, "AWS_EC2_METADATA_DISABLED": "true"}
			code, out, errOut := run(t, vars, append(args, "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none", "--role-arn", mfaHop)...)
			if code != 1 || out != "" {
				t.Errorf("exit %d stdout %q, want exit 1, no stdout", code, out)
			}
			if strings.Contains(errOut, "MFA code for") || strings.Contains(errOut, "EOF") {
				t.Errorf("prompted or read stdin that is not a terminal: %q", errOut)
			}
			if !strings.Contains(errOut, "hop 1/1") || !strings.Contains(errOut, "kubectl eksxa login") {
				t.Errorf("stderr %q, want hop 1/1 and the `kubectl eksxa login` hint", errOut)
			}
		})
	}
}
