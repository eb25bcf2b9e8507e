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

// TestCredentialProcessMFAMessage: credential-process says why it does not
// ask (it never prompts, terminal or not) and the login command to run,
// without --cache none, which would cache nothing for it to find.
func TestCredentialProcessMFAMessage(t *testing.T) {
	isolateAWS(t)
	const mfaHop = "arn:aws:iam::222222222222:role/mfa-admin,mfa-serial=arn:aws:iam::111111111111:mfa/alice"
	vars := map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": leakSecret, "AWS_EC2_METADATA_DISABLED": "true"}
	code, out, errOut := run(t, vars, "credential-process", "--region", "eu-west-1", "--cache", "none", "--role-arn", mfaHop)
	if code != 1 || out != "" {
		t.Errorf("exit %d stdout %q, want exit 1, no stdout", code, out)
	}
	for _, want := range []string{
		"an MFA code is needed and credential-process never prompts (the aws CLI and SDKs give it no terminal)",
		"\nrun: kubectl eksxa login --region eu-west-1 --role-arn " + mfaHop + "\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
	if strings.Contains(errOut, "no terminal to ask") || strings.Contains(errOut, "--cache none") {
		t.Errorf("stderr %q: an untrue reason, or a hint to cache nothing", errOut)
	}
}

// TestExecMFAOnEmptyStdin: exec reads a piped MFA code, but when stdin ends
// without one it ends the prompt's line and fails with the login hint,
// not a raw EOF glued to the prompt.
func TestExecMFAOnEmptyStdin(t *testing.T) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", leakSecret)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	const mfaHop = "arn:aws:iam::222222222222:role/mfa-admin,mfa-serial=arn:aws:iam::111111111111:mfa/alice"
	ran := false
	code, out, errOut := runExec(t, func(string, []string, []string) (int, error) {
		ran = true
		return 0, nil
	}, "exec", "--region", "eu-west-1", "--cache", "none", "--role-arn", mfaHop, "--", "true")
	if code != 1 || out != "" || ran {
		t.Errorf("exit %d stdout %q ran %v, want exit 1, nothing run", code, out, ran)
	}
	want := "MFA code for arn:aws:iam::111111111111:mfa/alice: \nerror: hop 1/1 (arn:aws:iam::222222222222:role/mfa-admin): an MFA code is needed and stdin ended before one was given; run `kubectl eksxa login`"
	if !strings.HasPrefix(errOut, want) || strings.Contains(errOut, "EOF") {
		t.Errorf("stderr %q, want it to start %q", errOut, want)
	}
}
