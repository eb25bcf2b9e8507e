package cli

import (
	"strings"
	"testing"
)

func TestCredentialProcessBadInput(t *testing.T) {
	isolateAWS(t)
	tests := []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"bad hop", nil, []string{"credential-process", "--role-arn", "arn:aws:iam::1:role/x"}, exitUsage, "--role-arn"},
		{"stray argument", nil, []string{"credential-process", "extra"}, exitUsage, `unknown command "extra"`},
		{"bad cache mode", nil, []string{"credential-process", "--cache", "disk"}, exitUsage, `unknown cache mode "disk"`},
		{"nested", map[string]string{envNested: "1"}, []string{"credential-process"}, exitFailure, "credential-process is running itself"},
		{"no credentials", map[string]string{"AWS_PROFILE": "ignored"}, []string{"credential-process", "--cache", "none", "--region", "us-east-1"}, exitFailure, "no AWS credentials found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.vars, tt.args...)
			if code != tt.code || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d stdout %q stderr %q; want exit %d, nothing, %q", code, out, errOut, tt.code, tt.want)
			}
		})
	}
}

func TestLoginCommand(t *testing.T) {
	f := chainFlags{profile: "id", roleARNs: []string{"arn:aws:iam::222222222222:role/a,external-id=it's"}, cache: "file"}
	want := `kubectl eksxa login --profile id --role-arn 'arn:aws:iam::222222222222:role/a,external-id=it'\''s' --cache file`
	if got := loginCommand(f); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
