package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runExec runs the CLI with a fake Exec that records what it would run.
func runExec(t *testing.T, exec func(string, []string, []string) (int, error), args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{
		Args: args, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			return map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "HOME": os.Getenv("HOME")}[k]
		},
		Environ: func() []string {
			return []string{"AWS_PROFILE=p", "PATH=/bin", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"}
		},
		Exec: exec,
		Now:  func() time.Time { return testNow },
	})
	return code, out.String(), errb.String()
}

func TestExecRunsTheCommandWithTheSession(t *testing.T) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	var gotArgv, gotEnv []string
	code, out, errOut := runExec(t, func(path string, argv, env []string) (int, error) {
		gotArgv, gotEnv = argv, env
		return 3, nil
	}, "exec", "--region", "eu-west-1", "--cache", "none", "--", "sh", "-c", "exit 3")
	if code != 3 || out != "" || errOut != "" {
		t.Fatalf("exit %d stdout %q stderr %q, want the command's 3 and nothing", code, out, errOut)
	}
	if diff := cmp.Diff([]string{"sh", "-c", "exit 3"}, gotArgv); diff != "" {
		t.Errorf("argv (-want +got):\n%s", diff)
	}
	want := []string{"PATH=/bin", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1"}
	if diff := cmp.Diff(want, gotEnv); diff != "" {
		t.Errorf("child env (-want +got):\n%s", diff)
	}
}

func TestExecCannotRun(t *testing.T) {
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	code, out, errOut := runExec(t, func(string, []string, []string) (int, error) {
		return 0, errors.New("permission denied")
	}, "exec", "--cache", "none", "--", "sh")
	if code != exitCannotRun || out != "" || !strings.Contains(errOut, "running sh: permission denied") {
		t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
	}
}

func TestExecPromptLeavesTheRestOfStdin(t *testing.T) {
	in := strings.NewReader("123456\nyes\n")
	var errb bytes.Buffer
	got, err := execPrompt(Env{Stdin: in, Stderr: &errb})("MFA code: ")
	rest, _ := io.ReadAll(in)
	if err != nil || got != "123456" || string(rest) != "yes\n" || errb.String() != "MFA code: " {
		t.Errorf("answer %q err %v, left %q for the command, prompt %q", got, err, rest, errb.String())
	}
}
