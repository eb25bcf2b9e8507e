package kubeconfig

import (
	"errors"
	"strings"
	"testing"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// secretMarker is in every credential of the test files; no error or
// shown content may carry it, whatever its encoding.
const secretMarker = "SeCrEtMaRkEr"

// keyData is base64 of "-----SeCrEtMaRkEr KEY-----".
const keyData = "LS0tLS1TZUNyRXRNYVJrRXIgS0VZLS0tLS0="

const twoAdmins = `apiVersion: v1
kind: Config
users:
- name: admin
  user:
    token: tok-SeCrEtMaRkEr
- name: admin
  user:
    username: bob
    password: pw-SeCrEtMaRkEr
    client-key-data: ` + keyData + `
`

func TestLoadDuplicateNameIsRedacted(t *testing.T) {
	_, err := Load([]byte(twoAdmins), "/home/u/.kube/config")
	var de *DuplicateNameError
	if !errors.As(err, &de) || de.Name != "admin" || de.List != "users" {
		t.Fatalf("err = %v; want a DuplicateNameError for users/admin", err)
	}
	msg := err.Error()
	for _, want := range []string{`"admin"`, "users", "/home/u/.kube/config"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	assertNoSecret(t, msg)
	for _, list := range []string{"clusters", "contexts"} {
		doc := list + ":\n- name: x\n- name: x\n"
		if _, err := Load([]byte(doc), "f"); !errors.As(err, &de) || de.List != list {
			t.Errorf("%s: err = %v", list, err)
		}
	}
}

func TestLoadErrorsAreRedacted(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"token as a number", "users:\n- name: a\n  user:\n    token: 424242\n    password: pw-SeCrEtMaRkEr\n- name: b\n  user:\n    client-key-data: 'SeCrEtMaRkEr!!'\n", "cannot be read"},
		{"key not base64", "users:\n- name: b\n  user:\n    client-key-data: 'SeCrEtMaRkEr!!'\n", "cannot be read"},
		{"YAML syntax", "users:\n- name: b\n  user: {token: \"SeCrEtMaRkEr\n  - `SeCrEtMaRkEr`: [", "not valid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load([]byte(tt.doc), "cfg")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "cfg") {
				t.Fatalf("err = %v; want %q naming the file", err, tt.want)
			}
			assertNoSecret(t, err.Error())
			if strings.Contains(err.Error(), "424242") {
				t.Errorf("numeric token shown: %v", err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: "https://x", CertificateAuthorityData: []byte("CA")}
	cfg.AuthInfos["a"] = &clientcmdapi.AuthInfo{
		Token: "tok-" + secretMarker, Password: "pw-" + secretMarker, Username: "bob",
		ClientKeyData: []byte("key-" + secretMarker), ClientCertificateData: []byte("cert"),
		AuthProvider: &clientcmdapi.AuthProviderConfig{Name: "oidc", Config: map[string]string{"id-token": "id-" + secretMarker}},
		Exec: &clientcmdapi.ExecConfig{Command: "x", Env: []clientcmdapi.ExecEnvVar{
			{Name: "AWS_SECRET_ACCESS_KEY", Value: "env-" + secretMarker}, {Name: "AWS_PROFILE", Value: "dev"}}},
	}
	out, err := Redact(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	assertNoSecret(t, s)
	for _, want := range []string{"token: REDACTED", "password: REDACTED", "client-key-data: DATA+OMITTED", "certificate-authority-data: DATA+OMITTED", "value: dev", "username: bob"} {
		if !strings.Contains(s, want) {
			t.Errorf("redacted view lacks %q:\n%s", want, s)
		}
	}
	if cfg.AuthInfos["a"].Token != "tok-"+secretMarker {
		t.Error("Redact changed its input")
	}
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, bad := range []string{secretMarker, keyData, "45 45 45 45 45"} {
		if strings.Contains(s, bad) {
			t.Errorf("%q shows %q", s, bad)
		}
	}
}

func TestQuietYAMLError(t *testing.T) {
	for in, want := range map[string]string{
		"yaml: line 3: found character that cannot start any token": "yaml: line 3: found character that cannot start any token",
		"yaml: line 2: key \"tok-SECRET\" already set\nmore":        "yaml: line 2: key (...) already set",
		"cannot unmarshal !!str `SECRET...` into x":                 "cannot unmarshal !!str (...) into x",
		"unterminated `SECRET":                                      "unterminated (...)",
	} {
		if got := quietYAMLError(errors.New(in)); got != want {
			t.Errorf("quietYAMLError(%q) = %q, want %q", in, got, want)
		}
	}
}
