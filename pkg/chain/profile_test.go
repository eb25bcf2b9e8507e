package chain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/go-cmp/cmp"
)

const (
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	arnA       = "arn:aws:iam::111111111111:role/hop-a"
	arnB       = "arn:aws:iam::222222222222:role/hop-b"
	arnC       = "arn:aws:iam::333333333333:role/team/hop-c"
)

const testConfig = `
[default]
region = us-east-1

[profile root]
region = eu-west-1

[profile a]
role_arn = ` + arnA + `
source_profile = root
external_id = ext-a
duration_seconds = 7200

[profile b]
role_arn = ` + arnB + `
source_profile = a
mfa_serial = ` + arnMFA + `

[profile c]
role_arn = ` + arnC + `
source_profile = b
role_session_name = sess-c

[profile env]
role_arn = ` + arnA + `
credential_source = Environment

[profile after-env]
role_arn = ` + arnB + `
source_profile = env

[profile self]
role_arn = ` + arnA + `
source_profile = self

[profile loop1]
role_arn = ` + arnA + `
source_profile = loop2

[profile loop2]
role_arn = ` + arnB + `
source_profile = loop1

[profile into-loop]
role_arn = ` + arnC + `
source_profile = loop1

[profile keyloop1]
role_arn = ` + arnA + `
source_profile = keyloop2

[profile keyloop2]
role_arn = ` + arnB + `
source_profile = keyloop1

[profile orphan-role]
role_arn = ` + arnA + `

[profile missing-source]
role_arn = ` + arnA + `
source_profile = nowhere

[profile empty-source]
role_arn = ` + arnA + `
source_profile = regiononly

[profile regiononly]
region = us-west-2

[profile bad-duration]
role_arn = ` + arnA + `
source_profile = root
duration_seconds = 100

[profile bad-arn]
role_arn = arn:aws:iam::1:role/x
source_profile = root

[profile bad-source]
role_arn = ` + arnA + `
credential_source = Magic

[profile sso]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile after-sso]
role_arn = ` + arnB + `
source_profile = sso

[sso-session corp]
sso_region = us-east-1
sso_start_url = https://corp.awsapps.com/start

[profile webid]
role_arn = ` + arnA + `
web_identity_token_file = /var/run/token

[profile after-webid]
role_arn = ` + arnB + `
source_profile = webid
`

const testCredentials = `
[root]
aws_access_key_id = AKIAROOT0000EXAMPLE
aws_secret_access_key = ` + testSecret + `

[self]
aws_access_key_id = AKIASELF0000EXAMPLE
aws_secret_access_key = ` + testSecret + `

[keyloop1]
aws_access_key_id = AKIALOOP0000EXAMPLE
aws_secret_access_key = ` + testSecret + `
`

func sharedFiles(t *testing.T) SharedFiles {
	t.Helper()
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfg, []byte(testConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte(testCredentials), 0o600); err != nil {
		t.Fatal(err)
	}
	return SharedFiles{ConfigFiles: []string{cfg}, CredentialsFiles: []string{creds}}
}

func TestWalkProfile(t *testing.T) {
	hopA := Hop{RoleARN: arnA, ExternalID: "ext-a", Duration: 2 * time.Hour, FromProfile: "a"}
	hopB := Hop{RoleARN: arnB, MFASerial: arnMFA, FromProfile: "b"}
	hopC := Hop{RoleARN: arnC, SessionName: "sess-c", FromProfile: "c"}
	tests := []struct {
		profile    string
		wantBase   Base
		wantStatic string // access key ID of the static base, "" for none
		wantHops   []Hop
	}{
		{"c", Base{Profile: "root", Kind: BaseStatic}, "AKIAROOT0000EXAMPLE", []Hop{hopA, hopB, hopC}},
		{"b", Base{Profile: "root", Kind: BaseStatic}, "AKIAROOT0000EXAMPLE", []Hop{hopA, hopB}},
		{"a", Base{Profile: "root", Kind: BaseStatic}, "AKIAROOT0000EXAMPLE", []Hop{hopA}},
		{"root", Base{Profile: "root", Kind: BaseStatic}, "AKIAROOT0000EXAMPLE", nil},
		{"env", Base{Profile: "env", Kind: BaseCredentialSource, CredentialSource: "Environment"}, "",
			[]Hop{{RoleARN: arnA, FromProfile: "env"}}},
		{"after-env", Base{Profile: "env", Kind: BaseCredentialSource, CredentialSource: "Environment"}, "",
			[]Hop{{RoleARN: arnA, FromProfile: "env"}, {RoleARN: arnB, FromProfile: "after-env"}}},
		{"self", Base{Profile: "self", Kind: BaseStatic}, "AKIASELF0000EXAMPLE", []Hop{{RoleARN: arnA, FromProfile: "self"}}},
		{"after-sso", Base{Profile: "sso", Kind: BaseSSO, SSORegion: "us-east-1"}, "", []Hop{{RoleARN: arnB, FromProfile: "after-sso"}}},
		{"after-webid", Base{Profile: "webid", Kind: BaseWebIdentity}, "", []Hop{{RoleARN: arnB, FromProfile: "after-webid"}}},
		{"regiononly", Base{Profile: "regiononly", Kind: BaseDefault}, "", nil},
		{"default", Base{Profile: "default", Kind: BaseDefault}, "", nil},
	}
	files := sharedFiles(t)
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			base, hops, err := WalkProfile(context.Background(), tt.profile, files)
			if err != nil {
				t.Fatalf("WalkProfile: %v", err)
			}
			static, ok := base.Static()
			if got := static.AccessKeyID; got != tt.wantStatic || ok != (tt.wantStatic != "") {
				t.Errorf("Static() = %q, %v; want %q", got, ok, tt.wantStatic)
			}
			if ok && static.SecretAccessKey != testSecret {
				t.Errorf("Static() secret is not the file's")
			}
			if diff := cmp.Diff(tt.wantBase, base, cmp.Comparer(func(a, b Base) bool {
				return a.Profile == b.Profile && a.Kind == b.Kind && a.CredentialSource == b.CredentialSource && a.SSORegion == b.SSORegion
			})); diff != "" {
				t.Errorf("base (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantHops, hops); diff != "" {
				t.Errorf("hops (-want +got):\n%s", diff)
			}
			for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
				if s := fmt.Sprintf(f, base); strings.Contains(s, testSecret) {
					t.Errorf("fmt %s of Base prints the secret key: %s", f, s)
				}
			}
		})
	}
}

func TestWalkProfileErrors(t *testing.T) {
	tests := []struct{ profile, want string }{
		{"loop1", `profile "loop1": source_profile loop: loop1 -> loop2 -> loop1`},
		{"into-loop", `profile "into-loop": source_profile loop: into-loop -> loop1 -> loop2 -> loop1`},
		{"keyloop1", `profile "keyloop1": source_profile loop: keyloop1 -> keyloop2 -> keyloop1`},
		{"nope", `profile "nope" not found in /`},
		{"missing-source", `profile "missing-source": source_profile "nowhere" not found in /`},
		{"empty-source", `profile "empty-source": source_profile "regiononly" has no credentials in /`},
		{"orphan-role", `profile "orphan-role" has role_arn ` + arnA + ` but neither source_profile nor credential_source to sign the AssumeRole call with`},
		{"bad-duration", `profile "bad-duration": duration_seconds: duration "1m40s" must be between 15m and 12h`},
		{"bad-arn", `profile "bad-arn": role_arn: role ARN "arn:aws:iam::1:role/x": account "1" is not 12 digits`},
		{"bad-source", `profile "bad-source": credential_source "Magic" must be Environment, Ec2InstanceMetadata or EcsContainer`},
	}
	files := sharedFiles(t)
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			base, hops, err := WalkProfile(context.Background(), tt.profile, files)
			if err == nil {
				t.Fatalf("WalkProfile = %v, %v; want error %q", base, hops, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n got  %s\n want it to contain %s", err, tt.want)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error carries the secret key: %s", err)
			}
		})
	}
}

func TestWalkProfileCredentialsFileOverridesConfig(t *testing.T) {
	// The SDK merges the files: the credentials file's keys win.
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfg, []byte("[profile p]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s1\n[profile q]\nrole_arn = "+arnA+"\nsource_profile = p\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("[p]\naws_access_key_id = AKIACREDS\naws_secret_access_key = s2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, hops, err := WalkProfile(context.Background(), "q", SharedFiles{ConfigFiles: []string{cfg}, CredentialsFiles: []string{creds}})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := base.Static(); c.AccessKeyID != "AKIACREDS" {
		t.Errorf("static key = %q, want the credentials file's", c.AccessKeyID)
	}
	if len(hops) != 1 || hops[0].RoleARN != arnA {
		t.Errorf("hops = %v", hops)
	}
}

func TestWalkProfileReadsOnlyGivenFiles(t *testing.T) {
	// Point the SDK's default files at a config that has the profile: an
	// empty SharedFiles must still not read it.
	dir := t.TempDir()
	def := filepath.Join(dir, "default-config")
	if err := os.WriteFile(def, []byte("[profile p]\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	saved := config.DefaultSharedConfigFiles
	config.DefaultSharedConfigFiles = []string{def}
	t.Cleanup(func() { config.DefaultSharedConfigFiles = saved })

	_, _, err := WalkProfile(context.Background(), "p", SharedFiles{})
	if err == nil || !strings.Contains(err.Error(), `profile "p" not found`) {
		t.Errorf("WalkProfile with no files = %v, want profile not found (no default files)", err)
	}
	_, _, err = WalkProfile(context.Background(), "p", SharedFiles{ConfigFiles: []string{filepath.Join(dir, "missing")}})
	if err == nil || !strings.Contains(err.Error(), `profile "p" not found`) {
		t.Errorf("WalkProfile with a missing file = %v, want profile not found", err)
	}
	if _, _, err := WalkProfile(context.Background(), "p", SharedFiles{ConfigFiles: []string{def}}); err != nil {
		t.Errorf("WalkProfile with the file given: %v", err)
	}
}

func TestWalkProfileBothSources(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	body := "[profile two]\nrole_arn = " + arnA + "\nsource_profile = two\ncredential_source = Environment\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := WalkProfile(context.Background(), "two", SharedFiles{ConfigFiles: []string{cfg}})
	if err == nil || !strings.HasPrefix(err.Error(), `profile "two": `) || !strings.Contains(err.Error(), "both source_profile and credential_source") {
		t.Errorf("err = %v, want the both-sources error naming the profile", err)
	}
}
