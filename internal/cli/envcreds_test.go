package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEnvironmentCredentials: half a key pair is botocore's "Partial
// credentials found in env" (never another identity signing instead), and
// AWS_CREDENTIAL_EXPIRATION caps the token or refuses credentials too close
// to their end (SPEC "The token": never later than the signing credentials).
func TestEnvironmentCredentials(t *testing.T) {
	keys := map[string]string{"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": leakSecret, "AWS_SESSION_TOKEN": leakToken}
	with := func(kv ...string) map[string]string {
		m := map[string]string{"AWS_EC2_METADATA_DISABLED": "true"}
		for k, v := range keys {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name    string
		vars    map[string]string
		profile string // [default] written when set
		want    []string
		expires time.Time // on success
	}{
		{name: "key id without secret", vars: with("AWS_SECRET_ACCESS_KEY", ""), profile: "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = other\n",
			want: []string{"AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"}},
		{name: "secret without key id", vars: with("AWS_ACCESS_KEY_ID", ""),
			want: []string{"AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"}},
		{name: "credential_source Environment, half a pair", vars: with("AWS_SECRET_ACCESS_KEY", "", "AWS_PROFILE", "envsrc"),
			profile: "[profile envsrc]\nrole_arn = arn:aws:iam::222222222222:role/x\ncredential_source = Environment\n",
			want:    []string{"AWS_SECRET_ACCESS_KEY is not"}},
		{name: "expiration caps the token", vars: with("AWS_CREDENTIAL_EXPIRATION", testNow.Add(3*time.Minute).Format(time.RFC3339)),
			expires: testNow.Add(3 * time.Minute)},
		{name: "expiration later than the token's 14 minutes", vars: with("AWS_CREDENTIAL_EXPIRATION", testNow.Add(time.Hour).Format(time.RFC3339)),
			expires: testNow.Add(14 * time.Minute)},
		{name: "already expired", vars: with("AWS_CREDENTIAL_EXPIRATION", testNow.Add(-time.Hour).Format(time.RFC3339)),
			want: []string{"AWS_CREDENTIAL_EXPIRATION", "expired at", "1h0m0s ago", "get fresh ones"}},
		{name: "under a minute left", vars: with("AWS_CREDENTIAL_EXPIRATION", testNow.Add(30*time.Second).Format(time.RFC3339)),
			want: []string{"AWS_CREDENTIAL_EXPIRATION", "in 30s", "at least 1m0s"}},
		{name: "not a time", vars: with("AWS_CREDENTIAL_EXPIRATION", "tomorrow"),
			want: []string{`AWS_CREDENTIAL_EXPIRATION="tomorrow" is not an RFC 3339 time`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			if tt.profile != "" {
				writeFileT(t, filepath.Join(os.Getenv("HOME"), ".aws", "config"), tt.profile)
			}
			code, out, errOut := run(t, tt.vars, "token", "--cluster-name", "prod", "--region", "eu-west-1", "--cache", "none")
			if strings.Contains(out+errOut, leakSecret) || strings.Contains(out+errOut, leakToken) {
				t.Fatalf("a secret was printed: %q", errOut)
			}
			if tt.want != nil {
				if code != 1 || out != "" {
					t.Errorf("exit %d stdout %q, want exit 1 and no stdout", code, out)
				}
				for _, w := range tt.want {
					if !strings.Contains(errOut, w) {
						t.Errorf("stderr %q, want %q in it", errOut, w)
					}
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d stderr %q", code, errOut)
			}
			var cred struct {
				Status struct {
					ExpirationTimestamp time.Time `json:"expirationTimestamp"`
				} `json:"status"`
			}
			if err := json.Unmarshal([]byte(out), &cred); err != nil {
				t.Fatal(err)
			}
			if !cred.Status.ExpirationTimestamp.Equal(tt.expires) {
				t.Errorf("token expires %s, want %s", cred.Status.ExpirationTimestamp, tt.expires)
			}
		})
	}
}

// TestExpiredProcessCredentialsRefused: a credential_process whose
// Expiration is past (a stale aws-vault or granted cache) is refused, as
// botocore refuses it, naming the profile and the process.
func TestExpiredProcessCredentialsRefused(t *testing.T) {
	isolateAWS(t)
	home := os.Getenv("HOME")
	script := filepath.Join(home, "cp.sh")
	body := `{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"` + leakSecret + `","SessionToken":"` + leakToken + `","Expiration":"2020-01-01T00:00:00Z"}`
	writeFileT(t, script, "#!/bin/sh\necho '"+body+"'\n")
	if err := os.Chmod(script, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFileT(t, filepath.Join(home, ".aws", "config"), "[profile cp]\ncredential_process = "+script+"\n")
	code, out, errOut := run(t, map[string]string{"AWS_EC2_METADATA_DISABLED": "true"},
		"token", "--cluster-name", "prod", "--region", "eu-west-1", "--profile", "cp", "--cache", "none")
	assertNothingLeaked(t, code, out, errOut, `profile "cp": the credentials its credential_process (`+script+`) returned expired at 2020-01-01T00:00:00Z`)
}
