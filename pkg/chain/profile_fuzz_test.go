package chain

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSecret stands for a secret access key in the seeds: no error may
// repeat it.
const fuzzSecret = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY"

// FuzzWalkProfile: any ~/.aws/config and credentials content walks to a
// chain or fails with an error that names the profile; never a panic, a
// hop without a role, or a secret in the message.
func FuzzWalkProfile(f *testing.F) {
	creds := "[id]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = " + fuzzSecret + "\n"
	for _, s := range []struct{ config, creds string }{
		{"[profile p]\nrole_arn = arn:aws:iam::222222222222:role/a\nsource_profile = id\n", creds},
		{"[profile p]\nrole_arn = arn:aws:iam::222222222222:role/a\nsource_profile = q\n[profile q]\nrole_arn = arn:aws:iam::333333333333:role/b\nsource_profile = id\nexternal_id = x\nduration_seconds = 7200\n", creds},
		{"[profile p]\nrole_arn = arn:aws:iam::222222222222:role/a\nsource_profile = p\n", ""},
		{"[profile p]\nrole_arn = arn:aws:iam::222222222222:role/a\nsource_profile = q\n[profile q]\nrole_arn = arn:aws:iam::222222222222:role/b\nsource_profile = p\n", ""},
		{"[profile p]\nrole_arn = arn:aws:iam::222222222222:role/a\ncredential_source = Environment\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n", ""},
		{"[profile p]\nrole_arn = not-an-arn\ncredential_source = Nowhere\nduration_seconds = -1\n", ""},
		{"[profile p]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n[sso-session s]\nsso_start_url = https://x\nsso_region = us-east-1\n", ""},
		{"[profile p]\ncredential_process = /bin/false\n", ""},
		{"[profile p\nrole_arn", "[id\n"},
		{"", ""},
	} {
		f.Add(s.config, s.creds)
	}
	f.Fuzz(func(t *testing.T, config, credentials string) {
		dir := t.TempDir()
		cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
		if err := os.WriteFile(cfgFile, []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(credFile, []byte(credentials), 0o600); err != nil {
			t.Fatal(err)
		}
		base, hops, err := WalkProfile(context.Background(), "p", SharedFiles{ConfigFiles: []string{cfgFile}, CredentialsFiles: []string{credFile}})
		if err != nil {
			if strings.Contains(err.Error(), fuzzSecret) {
				t.Fatalf("error repeats a secret access key: %v", err)
			}
			return
		}
		if base.Kind == "" {
			t.Fatalf("walked without a base kind: %+v", base)
		}
		for i, h := range hops {
			if h.RoleARN == "" {
				t.Fatalf("hop %d has no role ARN", i+1)
			}
		}
	})
}
