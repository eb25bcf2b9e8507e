package e2e

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// The parity corpus: each testdata/parity/*.txt is one ~/.aws setup,
// resolved twice against the same fake STS, by the AWS CLI on the machine
// (`aws sts get-caller-identity`) and by `kubectl-eksxa token` (whose
// token the EKS verifier checks against the fake). The identity (account,
// role, session name where the case sets one), the AssumeRole calls per
// role and, where the case asks, the region must agree.
//
// A case file is a header of "key: value" lines, then sections that
// start with "-- NAME --" (config, credentials: the two files). Header
// keys:
//
//	args:    profile flags, given to both (--profile NAME)
//	env:     KEY=VALUE ..., for both; {{KEY:user}}/{{SECRET:user}} expand
//	stdin:   what both read (an MFA code)
//	expect:  ok (default) or error: both must fail
//	session: the session name both must use
//	region:  compare the region both resolve (eksxa: the token's STS
//	         host; the CLI: `aws configure list`)
//	crlf:    write the files with CRLF line ends
//	differs: kubectl-eksxa differs on purpose (README, "Choices"); the
//	         case states what kubectl-eksxa does instead of comparing
//	eksxa:   with differs: "ok" or "error", what kubectl-eksxa does
//	source:  where the shape comes from (a public issue)
//	eksxa-stderr: what kubectl-eksxa's error must say ({{HOME}} expands)
//
// In args and env, \s is a space.

// parityUsers and parityRoles are the fake AWS every case runs against.
var parityUsers = map[string]string{"alice": identityAcct, "bob": "444444444444", "carol": "555555555555"}

const (
	parityMFA     = "arn:aws:iam::" + identityAcct + ":mfa/alice"
	parityMFARole = "arn:aws:iam::" + toolsAcct + ":role/mfa-admin"
)

var parityRoles = map[string]fakeaws.RoleOptions{
	roleTools:     {MaxSessionDuration: 12 * time.Hour},
	roleWork:      {ExternalID: "ext-123", MaxSessionDuration: 12 * time.Hour},
	roleDeep:      {MaxSessionDuration: 12 * time.Hour},
	parityMFARole: {MFASerial: parityMFA, MFACode: "123456", MaxSessionDuration: 12 * time.Hour},
}

type parityCase struct {
	header map[string]string
	files  map[string]string
}

func readParityCase(t *testing.T, path string) parityCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := parityCase{header: map[string]string{}, files: map[string]string{}}
	var cur string
	var body []string
	flush := func() {
		if cur != "" {
			c.files[cur] = strings.Join(body, "\n")
		}
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
			flush()
			cur, body = strings.TrimSuffix(strings.TrimPrefix(line, "-- "), " --"), nil
			continue
		}
		if cur != "" {
			body = append(body, line)
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			c.header[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	flush()
	return c
}

func TestAWSCLIParity(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Fatal("the aws CLI is not on PATH: the parity tests need it (it comes with the machine image)")
	}
	cases, _ := filepath.Glob(filepath.Join("testdata", "parity", "*.txt"))
	if len(cases) < 30 {
		t.Fatalf("%d parity cases, want at least 30", len(cases))
	}
	fake := fakeaws.New(fakeaws.Options{})
	t.Cleanup(fake.Close)
	routeSTS(t, fake)
	users := map[string]fakeaws.Credentials{}
	for name, acct := range parityUsers {
		users[name] = fake.AddUser(acct, name)
	}
	for arn, o := range parityRoles {
		fake.AddRole(arn, o)
	}
	roles := make([]string, 0, len(parityRoles))
	for arn := range parityRoles {
		roles = append(roles, arn)
	}
	sort.Strings(roles)
	expand := func(s string) string {
		for name, u := range users {
			s = strings.ReplaceAll(s, "{{KEY:"+name+"}}", u.AccessKeyID)
			s = strings.ReplaceAll(s, "{{SECRET:"+name+"}}", u.SecretAccessKey)
		}
		return s
	}
	counts := func() map[string]int {
		m := map[string]int{}
		for _, r := range roles {
			m[r] = fake.Calls("AssumeRole", r)
		}
		return m
	}
	diff := func(before, after map[string]int) map[string]int {
		d := map[string]int{}
		for r, n := range after {
			if n-before[r] != 0 {
				d[r] = n - before[r]
			}
		}
		return d
	}

	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			c := readParityCase(t, path)
			home := t.TempDir()
			if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"config", "credentials"} {
				body, ok := c.files[f]
				if !ok {
					continue
				}
				body = expand(body)
				if c.header["crlf"] == "yes" {
					body = strings.ReplaceAll(body, "\n", "\r\n")
				}
				if err := os.WriteFile(filepath.Join(home, ".aws", f), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{
				"HOME":                      home,
				"USER":                      "alice",
				"AWS_EC2_METADATA_DISABLED": "true",
				"AWS_ENDPOINT_URL_STS":      fake.URL,
				"EKSXA_CACHE_DIR":           filepath.Join(home, "cache"),
			}
			if c.header["region"] == "" {
				// The AWS CLI wants a region; cases about regions set their own.
				env["AWS_DEFAULT_REGION"] = "eu-west-1"
			}
			for _, kv := range strings.Fields(expand(c.header["env"])) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = strings.ReplaceAll(v, `\s`, " ")
			}
			var args []string
			for _, a := range strings.Fields(c.header["args"]) {
				args = append(args, strings.ReplaceAll(a, `\s`, " "))
			}
			stdin := ""
			if s := c.header["stdin"]; s != "" {
				stdin = s + "\n"
			}
			wantOK := c.header["expect"] != "error"

			// The AWS CLI.
			before := counts()
			cli := exec.Command(awsCLI, append([]string{"sts", "get-caller-identity", "--output", "json"}, args...)...)
			cli.Env = []string{"PATH=" + os.Getenv("PATH")}
			for k, v := range env {
				cli.Env = append(cli.Env, k+"="+v)
			}
			cli.Stdin = strings.NewReader(stdin)
			// No controlling terminal: botocore's MFA prompt (getpass)
			// then reads stdin, as kubectl-eksxa does.
			cli.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			cliOut, cliErr := cli.Output()
			cliCalls := diff(before, counts())
			var cliID struct{ Account, Arn string }
			if cliErr == nil {
				if err := json.Unmarshal(cliOut, &cliID); err != nil {
					t.Fatalf("aws CLI output: %v: %q", err, cliOut)
				}
			}
			cliRegion := ""
			if c.header["region"] != "" {
				cmd := exec.Command(awsCLI, append([]string{"configure", "list"}, args...)...)
				cmd.Env = cli.Env
				out, _ := cmd.Output()
				if m := regexp.MustCompile(`(?m)^\s*region\s+(\S+)`).FindSubmatch(out); m != nil {
					cliRegion = string(m[1])
				}
			}

			// kubectl-eksxa.
			execInfo := execInfoV1
			if stdin != "" {
				execInfo = execInfoTTY
			}
			pluginEnv := map[string]string{"KUBERNETES_EXEC_INFO": execInfo}
			for k, v := range env {
				pluginEnv[k] = v
			}
			before = counts()
			r := runPlugin(t, pluginEnv, stdin, append([]string{"token", "--cluster-name", "parity", "--cache", "file"}, args...)...)
			eksxaCalls := diff(before, counts())

			if want := c.header["eksxa-stderr"]; want != "" && !strings.Contains(r.stderr, expand(strings.ReplaceAll(want, "{{HOME}}", home))) {
				t.Errorf("kubectl-eksxa stderr %q, want it to contain %q", r.stderr, want)
			}
			if d := c.header["differs"]; d != "" {
				t.Logf("differs on purpose: %s", d)
				wantEksxa := c.header["eksxa"] == "ok"
				if (r.code == 0) != wantEksxa {
					t.Errorf("kubectl-eksxa: exit %d, want ok=%v (stderr %q)", r.code, wantEksxa, r.stderr)
				}
				if (cliErr == nil) != wantOK {
					t.Errorf("aws CLI: err %v, want ok=%v: the difference this case records is gone", cliErr, wantOK)
				}
				return
			}
			if !wantOK {
				if cliErr == nil || r.code == 0 {
					t.Errorf("want both to fail: aws CLI err %v (%s), kubectl-eksxa exit %d (%q)", cliErr, cliOut, r.code, r.stderr)
				}
				if r.code != 0 && r.stdout != "" {
					t.Errorf("kubectl-eksxa failed but printed %q", r.stdout)
				}
				return
			}
			if cliErr != nil {
				var stderr string
				if ee := (*exec.ExitError)(nil); errors.As(cliErr, &ee) {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("aws CLI failed: %v: %s", cliErr, stderr)
			}
			if r.code != 0 {
				t.Fatalf("kubectl-eksxa failed: exit %d: %s", r.code, r.stderr)
			}
			var cred struct {
				Status struct{ Token string } `json:"status"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &cred); err != nil {
				t.Fatalf("kubectl-eksxa stdout: %v", err)
			}
			region := tokenRegion(t, cred.Status.Token)
			id := verify(t, cred.Status.Token, "parity", region)
			if id.AccountID != cliID.Account {
				t.Errorf("account: aws CLI %s, kubectl-eksxa %s", cliID.Account, id.AccountID)
			}
			cliArn, eksxaArn := cliID.Arn, id.ARN
			if c.header["session"] == "" {
				cliArn, eksxaArn = withoutSession(cliArn), withoutSession(eksxaArn)
			} else if want := c.header["session"]; !strings.HasSuffix(id.ARN, "/"+want) {
				t.Errorf("kubectl-eksxa session: %s, want %s", id.ARN, want)
			}
			if cliArn != eksxaArn {
				t.Errorf("identity: aws CLI %s, kubectl-eksxa %s", cliID.Arn, id.ARN)
			}
			if !mapsEqual(cliCalls, eksxaCalls) {
				t.Errorf("AssumeRole calls per role: aws CLI %v, kubectl-eksxa %v", cliCalls, eksxaCalls)
			}
			if c.header["region"] != "" && cliRegion != region {
				t.Errorf("region: aws CLI %q, kubectl-eksxa %q", cliRegion, region)
			}
		})
	}
}

// tokenRegion is the region of the STS host a token's URL is signed for.
func tokenRegion(t *testing.T, tok string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, "k8s-aws-v1."))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(u.Host, ".")
	if len(parts) < 4 {
		return "us-east-1"
	}
	return parts[1]
}

// withoutSession drops the session name of an assumed-role ARN.
func withoutSession(arn string) string {
	if i := strings.Index(arn, ":assumed-role/"); i >= 0 {
		if j := strings.LastIndex(arn, "/"); j > i+len(":assumed-role/") {
			return arn[:j]
		}
	}
	return arn
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
