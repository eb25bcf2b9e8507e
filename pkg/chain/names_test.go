package chain

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProfileNames(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(config, `[default]
region = eu-west-1
  [profile identity]
sso_session = corp
[profile  jump ]
role_arn = arn:aws:iam::222222222222:role/jump
source_profile = identity
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
[services local]
[profileless]
# [profile commented]
[profile two words]
[profile broken
`)
	write(creds, `[default]
aws_access_key_id = AKIAEXAMPLE
[ci]
[profile not-a-config-file-section]
`)
	got := ProfileNames(SharedFiles{
		ConfigFiles:      []string{config, filepath.Join(dir, "missing")},
		CredentialsFiles: []string{creds},
	})
	// A credentials file's sections are bare names; "[profile x]" there is
	// a profile literally named "profile x", which no flag can name.
	want := []string{"ci", "default", "identity", "jump"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ProfileNames (-want +got):\n%s", diff)
	}
}
