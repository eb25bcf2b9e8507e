package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
)

// TestRequestIdentity: the broker.Request built from the flags and the
// environment changes with everything that decides who signs, and never
// with (nor contains) a secret.
func TestRequestIdentity(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(home, ".aws", "config")
	if err := os.WriteFile(cfgPath, []byte("[profile k8s]\nrole_arn = arn:aws:iam::222222222222:role/eks-readonly\nsource_profile = base\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const secret, sessionToken = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
	baseEnv := map[string]string{
		"HOME":                  home,
		"AWS_ACCESS_KEY_ID":     "AKIAEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": secret,
		"AWS_SESSION_TOKEN":     sessionToken,
	}
	request := func(t *testing.T, env map[string]string) broker.Request {
		t.Helper()
		f := chainFlags{cluster: "prod", profile: "k8s"}
		sel, err := f.resolve(Env{Getenv: func(k string) string { return env[k] }})
		if err != nil {
			t.Fatal(err)
		}
		return sel.req
	}
	with := func(kv ...string) map[string]string {
		e := map[string]string{}
		for k, v := range baseEnv {
			e[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			e[kv[i]] = kv[i+1]
		}
		return e
	}
	base := request(t, baseEnv)
	// No secret anywhere in the request, hence in no key material.
	assertNoSecret(t, base, secret, sessionToken)

	same := []struct {
		name string
		env  map[string]string
	}{
		{"another secret key", with("AWS_SECRET_ACCESS_KEY", "other-secret")},
		{"another session token", with("AWS_SESSION_TOKEN", "other-token")},
		{"an unrelated variable", with("AWS_MAX_ATTEMPTS", "5", "KUBECONFIG", "/x")},
		// --profile chose the profile: these select nothing (an aws CLI
		// run as AWS_PROFILE=tf gives its credential_process AWS_PROFILE=tf,
		// and must find what login cached without it).
		{"AWS_PROFILE with --profile", with("AWS_PROFILE", "other")},
		{"AWS_DEFAULT_PROFILE with --profile", with("AWS_DEFAULT_PROFILE", "other")},
	}
	for _, tt := range same {
		t.Run("same/"+tt.name, func(t *testing.T) {
			if got := request(t, tt.env); got.TokenKey() != base.TokenKey() {
				t.Errorf("token key changed")
			}
		})
	}
	changed := []struct {
		name string
		env  map[string]string
	}{
		{"AWS_ACCESS_KEY_ID", with("AWS_ACCESS_KEY_ID", "AKIAOTHER")},
		{"AWS_CONFIG_FILE", with("AWS_CONFIG_FILE", filepath.Join(home, "eks-config"))},
		{"AWS_SHARED_CREDENTIALS_FILE", with("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "creds"))},
		{"AWS_WEB_IDENTITY_TOKEN_FILE", with("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token")},
		{"AWS_ROLE_ARN", with("AWS_ROLE_ARN", "arn:aws:iam::111111111111:role/ci")},
		{"AWS_ROLE_SESSION_NAME", with("AWS_ROLE_SESSION_NAME", "ci")},
		{"AWS_CONTAINER_CREDENTIALS_FULL_URI", with("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials")},
		{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", with("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x")},
		{"AWS_EC2_METADATA_DISABLED", with("AWS_EC2_METADATA_DISABLED", "true")},
		{"AWS_ENDPOINT_URL_STS", with("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1")},
	}
	for _, tt := range changed {
		t.Run("changed/"+tt.name, func(t *testing.T) {
			got := request(t, tt.env)
			if got.TokenKey() == base.TokenKey() {
				t.Errorf("token key unchanged")
			}
			assertNoSecret(t, got, secret, sessionToken)
		})
	}
	t.Run("changed/role_arn in the config file", func(t *testing.T) {
		if err := os.WriteFile(cfgPath, []byte("[profile k8s]\nrole_arn = arn:aws:iam::333333333333:role/eks-admin\nsource_profile = base\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if request(t, baseEnv).TokenKey() == base.TokenKey() {
			t.Error("token key unchanged after the profile's role_arn changed")
		}
	})
	t.Run("changed/credentials file created", func(t *testing.T) {
		before := request(t, baseEnv)
		if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte("[base]\naws_access_key_id = AKIAX\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if request(t, baseEnv).TokenKey() == before.TokenKey() {
			t.Error("token key unchanged after the credentials file appeared")
		}
	})
}

// assertNoSecret fails when a string field of r contains a secret.
func assertNoSecret(t *testing.T, r broker.Request, secrets ...string) {
	t.Helper()
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			for _, s := range secrets {
				if strings.Contains(v.String(), s) {
					t.Errorf("a secret is in the request: %q", v.String())
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(r))
}
