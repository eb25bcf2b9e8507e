package sharedconfig

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseINI(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]map[string]string
		err      string
	}{
		{"comments on their own line only", "# c\n; c\n[a]\n  # indented c\nk = v # not a comment\nl = x ; nor this\n",
			map[string]map[string]string{"a": {"k": "v # not a comment", "l": "x ; nor this"}}, ""},
		{"keys lower-cased, values and keys stripped", "[a]\n  \nAWS_Access_Key_ID   =   AKIA  \n",
			map[string]map[string]string{"a": {"aws_access_key_id": "AKIA"}}, ""},
		{"colon separates too; first separator wins", "[a]\nk: v=w\nu = x:y\n",
			map[string]map[string]string{"a": {"k": "v=w", "u": "x:y"}}, ""},
		{"CRLF and lone CR", "[a]\r\nk = v\r\n[b]\rk = w\r",
			map[string]map[string]string{"a": {"k": "v"}, "b": {"k": "w"}}, ""},
		{"a deeper line continues the value", "[a]\nk = v\n  more\n\n  after blank\nl = w\n",
			map[string]map[string]string{"a": {"k": "v\nmore\n\nafter blank", "l": "w"}}, ""},
		{"nested block", "[a]\ns3 =\n  max = 1\n",
			map[string]map[string]string{"a": {"s3": "\nmax = 1"}}, ""},
		{"section name unstripped inside brackets", "[ a ]\nk = v\n",
			map[string]map[string]string{" a ": {"k": "v"}}, ""},
		{"DEFAULT is inherited", "[DEFAULT]\nregion = r\n[a]\nk = v\n[b]\nregion = s\n",
			map[string]map[string]string{"a": {"k": "v", "region": "r"}, "b": {"region": "s"}}, ""},
		{"BOM", "\ufeff[a]\nk = v\n", map[string]map[string]string{"a": {"k": "v"}}, ""},
		{"duplicate section", "[a]\n[a]\n", nil, "line 2: section [a] appears twice"},
		{"duplicate key", "[a]\nk = 1\nK = 2\n", nil, "line 3: k is set twice in [a]"},
		{"setting before a section", "k = v\n", nil, "line 1: a setting before any [section]"},
		{"not a setting", "[a]\naws_secret_access_key_without_separator_and_long\n", nil, `line 2: want key = value, got "aws_secret_access_ke..."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sections, err := parseINI(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]map[string]string{}
			for _, s := range sections {
				got[s.name] = s.settings
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestShellSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"profile dev", []string{"profile", "dev"}, true},
		{"profile   dev  ", []string{"profile", "dev"}, true},
		{`profile "my dev"`, []string{"profile", "my dev"}, true},
		{"sso-session 'My Corp Ltd'", []string{"sso-session", "My Corp Ltd"}, true},
		{`profile a\ b`, []string{"profile", "a b"}, true},
		{`profile "a\"b"`, []string{"profile", `a"b`}, true},
		{`profile 'x`, nil, false},
		{"profiledev", []string{"profiledev"}, true},
	}
	for _, tt := range tests {
		got, ok := shellSplit(tt.in)
		if ok != tt.ok || !cmp.Equal(got, tt.want) {
			t.Errorf("shellSplit(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// files is an in-memory readFile.
func files(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		s, ok := m[p]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return []byte(s), nil
	}
}

var testFiles = Files{ConfigFiles: []string{"/h/.aws/config"}, CredentialsFiles: []string{"/h/.aws/credentials"}}

func load(t *testing.T, config, creds string) *Config {
	t.Helper()
	c, err := Load(files(map[string]string{"/h/.aws/config": config, "/h/.aws/credentials": creds}), testFiles)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoad(t *testing.T) {
	c := load(t, `[default]
region = a
[profile "my dev"]
region = b
[profile  x ]
region = c
[profilez]
region = ignored
[sso-session 'My Corp Ltd']
sso_region = eu-west-1
[profile y]
aws_access_key_id = CONFIG
aws_secret_access_key = s1
`, `[y]
aws_access_key_id = CREDS
[profile z]
region = d
`)
	for name, want := range map[string]string{"default": "a", "my dev": "b", "x": "c", "profile z": "d"} {
		p := c.Profile(name)
		if p == nil || p.Get("region") != want {
			t.Errorf("profile %q: %v, want region %s", name, p, want)
		}
	}
	for _, name := range []string{"profilez", "z"} {
		if c.Profile(name) != nil {
			t.Errorf("profile %q should not exist", name)
		}
	}
	if s := c.SSOSession("My Corp Ltd"); s == nil || s.Get("sso_region") != "eu-west-1" {
		t.Errorf("sso-session 'My Corp Ltd' = %v", s)
	}
	y := c.Profile("y")
	if y.Get("aws_access_key_id") != "CREDS" || y.File("aws_access_key_id") != "/h/.aws/credentials" || y.Get("aws_secret_access_key") != "s1" || y.File("aws_secret_access_key") != "/h/.aws/config" {
		t.Errorf("y merged wrong: %v", y.settings)
	}
	if _, err := Load(files(map[string]string{"/h/.aws/config": "[a]\n[a]\n"}), testFiles); err == nil || !strings.HasPrefix(err.Error(), "/h/.aws/config: line 2:") {
		t.Errorf("a broken file: %v, want its path and line", err)
	}
}

func TestChain(t *testing.T) {
	const config = `
[profile base]
region = r
[profile a]
role_arn = arn:a
source_profile = base
external_id = x
duration_seconds = 43200
[profile b]
role_arn = arn:b
source_profile = a
mfa_serial = arn:mfa
role_session_name = s
[profile env]
role_arn = arn:e
credential_source = Environment
[profile after-env]
role_arn = arn:b
source_profile = env
[profile keys-and-role]
role_arn = arn:k
source_profile = keys-and-role
[profile via-keys-and-role]
role_arn = arn:v
source_profile = keys-and-role
[profile sso]
sso_session = My Corp
sso_account_id = 1
sso_role_name = R
[sso-session "My Corp"]
sso_start_url = https://x
sso_region = eu-west-1
[profile sso-and-keys]
sso_start_url = https://x
sso_region = eu-west-1
sso_account_id = 1
sso_role_name = R
[profile proc]
credential_process = /bin/true
[profile wi]
role_arn = arn:w
web_identity_token_file = /t
[profile on-wi]
role_arn = arn:b
source_profile = wi
[profile region-only]
region = x
`
	const creds = `
[base]
aws_access_key_id = AKIA
aws_secret_access_key = s
[keys-and-role]
aws_access_key_id = AKIA
aws_secret_access_key = s
[sso-and-keys]
aws_access_key_id = AKIA
aws_secret_access_key = s
`
	c := load(t, config, creds)
	type res struct {
		Root  string
		Kind  Kind
		Links []string
	}
	tests := []struct {
		profile string
		want    res
	}{
		{"base", res{"base", KindStatic, nil}},
		{"a", res{"base", KindStatic, []string{"arn:a"}}},
		{"b", res{"base", KindStatic, []string{"arn:a", "arn:b"}}},
		{"env", res{"env", KindCredentialSource, []string{"arn:e"}}},
		{"after-env", res{"env", KindCredentialSource, []string{"arn:e", "arn:b"}}},
		{"keys-and-role", res{"keys-and-role", KindStatic, []string{"arn:k"}}},
		// A source profile with keys is the root: its own role is not assumed.
		{"via-keys-and-role", res{"keys-and-role", KindStatic, []string{"arn:v"}}},
		{"sso", res{"sso", KindSSO, nil}},
		// botocore tries SSO before the credentials file's keys.
		{"sso-and-keys", res{"sso-and-keys", KindSSO, nil}},
		{"proc", res{"proc", KindProcess, nil}},
		{"wi", res{"wi", KindWebIdentity, nil}},
		{"on-wi", res{"wi", KindWebIdentity, []string{"arn:b"}}},
		{"region-only", res{"region-only", KindNone, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			ch, err := c.Chain(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			got := res{Root: ch.Root.Name, Kind: ch.Kind}
			for _, l := range ch.Links {
				got.Links = append(got.Links, l.RoleARN)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			if ch.Selected.Name != tt.profile {
				t.Errorf("selected %q", ch.Selected.Name)
			}
		})
	}
	ch, _ := c.Chain("b")
	if want := []Link{
		{Profile: "a", RoleARN: "arn:a", ExternalID: "x", DurationSeconds: "43200"},
		{Profile: "b", RoleARN: "arn:b", MFASerial: "arn:mfa", RoleSessionName: "s"},
	}; !cmp.Equal(want, ch.Links) {
		t.Errorf("links of b: %s", cmp.Diff(want, ch.Links))
	}
	if ch, _ := c.Chain("sso"); ch.SSOSession == nil || ch.SSOSession.Name != "My Corp" {
		t.Errorf("sso's session: %v", ch.SSOSession)
	}
}

func TestChainErrors(t *testing.T) {
	const config = `
[profile l1]
role_arn = arn:1
source_profile = l2
[profile l2]
role_arn = arn:2
source_profile = l1
[profile self-nokeys]
role_arn = arn:s
source_profile = self-nokeys
[profile orphan]
role_arn = arn:o
[profile both]
role_arn = arn:o
source_profile = l1
credential_source = Environment
[profile magic]
role_arn = arn:o
credential_source = Magic
[profile missing]
role_arn = arn:o
source_profile = nowhere
[profile empty-source]
role_arn = arn:o
source_profile = region-only
[profile region-only]
region = x
[profile no-session]
sso_session = corp
sso_account_id = 1
sso_role_name = R
[profile half-sso]
sso_start_url = https://x
[profile typo-src]
role_arn = arn:o
source_profile = typo
`
	const creds = `
[typo]
aws_acces_key_id = AKIA
aws_secret_access_key = SECRETSECRETSECRET
[no-secret]
aws_access_key_id = AKIA
`
	c := load(t, config, creds)
	tests := []struct{ profile, want string }{
		{"nope", `profile "nope" not found in /h/.aws/config, /h/.aws/credentials`},
		{"l1", `profile "l1": source_profile loop: l1 -> l2 -> l1`},
		{"self-nokeys", `profile "self-nokeys": source_profile loop: self-nokeys -> self-nokeys`},
		{"orphan", `profile "orphan" has role_arn arn:o but neither source_profile nor credential_source to sign the AssumeRole call with`},
		{"both", `profile "both": both source_profile and credential_source are set; keep one`},
		{"magic", `profile "magic": credential_source "Magic" must be Environment, Ec2InstanceMetadata or EcsContainer`},
		{"missing", `profile "missing": source_profile "nowhere" not found in /h/.aws/config, /h/.aws/credentials`},
		{"empty-source", `profile "empty-source": source_profile "region-only" has no credentials in /h/.aws/config, /h/.aws/credentials`},
		{"no-session", `profile "no-session": sso-session "corp" not found in /h/.aws/config`},
		{"half-sso", `profile "half-sso": IAM Identity Center settings missing: sso_account_id, sso_role_name, sso_region; run ` + "`aws configure sso --profile half-sso`"},
		{"typo", `profile "typo" in /h/.aws/credentials has aws_secret_access_key but no aws_access_key_id (aws_acces_key_id looks like a typo of it)`},
		{"typo-src", `profile "typo" in /h/.aws/credentials has aws_secret_access_key but no aws_access_key_id`},
		{"no-secret", `profile "no-secret" in /h/.aws/credentials has aws_access_key_id but no aws_secret_access_key`},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			_, err := c.Chain(tt.profile)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRETSECRET") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one secret-free line: %q", err)
			}
		})
	}
}

// FuzzLoad: any file content loads or fails with an error; never a panic,
// and an error never quotes more than the start of a line.
func FuzzLoad(f *testing.F) {
	f.Add("[default]\naws_access_key_id = A\n", "[profile a]\nrole_arn = x\nsource_profile = default\n")
	f.Add("[sso-session 'x y']\n", "[a]\n  b\n")
	f.Fuzz(func(t *testing.T, creds, config string) {
		c, err := Load(files(map[string]string{"/h/.aws/config": config, "/h/.aws/credentials": creds}), testFiles)
		if err != nil {
			return
		}
		for _, name := range []string{"default", "a", "x y"} {
			_, _ = c.Chain(name)
		}
	})
}
