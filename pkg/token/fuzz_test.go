package token

import (
	"strings"
	"testing"
)

// FuzzParseExecInfo: any KUBERNETES_EXEC_INFO is either understood (a
// known apiVersion) or refused with a message naming the variable; never a
// panic.
func FuzzParseExecInfo(f *testing.F) {
	for _, s := range []string{
		"",
		`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`,
		`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{}}`,
		`{"apiVersion":"client.authentication.k8s.io/v2"}`,
		`{"kind":"Pod"}`,
		`{"apiVersion":1}`,
		`{"spec":{"interactive":"yes"}}`,
		`[]`, `null`, `{`, "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		info, err := ParseExecInfo(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "KUBERNETES_EXEC_INFO ") {
				t.Fatalf("error does not name KUBERNETES_EXEC_INFO: %v", err)
			}
			return
		}
		if info.APIVersion != APIVersionV1 && info.APIVersion != APIVersionV1beta1 {
			t.Fatalf("accepted apiVersion %q", info.APIVersion)
		}
	})
}
