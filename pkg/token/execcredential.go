package token

import (
	"encoding/json"
	"fmt"
	"io"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientauthv1 "k8s.io/client-go/pkg/apis/clientauthentication/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
)

// The ExecCredential API versions kubectl may ask for.
const (
	APIVersionV1      = "client.authentication.k8s.io/v1"
	APIVersionV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// ExecInfo is what kubectl tells an exec plugin in KUBERNETES_EXEC_INFO.
type ExecInfo struct {
	// APIVersion is the ExecCredential version to answer with.
	APIVersion string
	// Interactive is true when the plugin may prompt on stdin.
	Interactive bool
}

// ParseExecInfo reads the KUBERNETES_EXEC_INFO value. An empty value (a
// client that sends none, or a person running the command by hand) means
// v1beta1, not interactive.
func ParseExecInfo(raw string) (ExecInfo, error) {
	if raw == "" {
		return ExecInfo{APIVersion: APIVersionV1beta1}, nil
	}
	var v struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Spec       struct {
			Interactive bool `json:"interactive"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return ExecInfo{}, fmt.Errorf("KUBERNETES_EXEC_INFO is not valid JSON: %w", err)
	}
	if v.Kind != "" && v.Kind != "ExecCredential" {
		return ExecInfo{}, fmt.Errorf("KUBERNETES_EXEC_INFO has kind %q, want ExecCredential", v.Kind)
	}
	switch v.APIVersion {
	case APIVersionV1, APIVersionV1beta1:
	case "":
		return ExecInfo{}, fmt.Errorf("KUBERNETES_EXEC_INFO has no apiVersion, want %s or %s", APIVersionV1, APIVersionV1beta1)
	default:
		// kubectl asks for the apiVersion written in the kubeconfig's exec
		// entry, so that entry is what to change (v1alpha1 is what old
		// `aws eks update-kubeconfig` and aws-iam-authenticator docs wrote;
		// Kubernetes dropped it in 1.24).
		return ExecInfo{}, fmt.Errorf("KUBERNETES_EXEC_INFO asks for apiVersion %q, which kubectl-eksxa does not serve: write `apiVersion: %s` (or %s) in the exec entry of the kubeconfig's user", v.APIVersion, APIVersionV1, APIVersionV1beta1)
	}
	return ExecInfo{APIVersion: v.APIVersion, Interactive: v.Spec.Interactive}, nil
}

// WriteExecCredential writes tok as one ExecCredential JSON document in the
// given API version, followed by a newline.
func WriteExecCredential(w io.Writer, apiVersion string, tok Token) error {
	exp := metav1.NewTime(tok.Expiration)
	var cred any
	switch apiVersion {
	case APIVersionV1:
		cred = clientauthv1.ExecCredential{
			TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: "ExecCredential"},
			Status:   &clientauthv1.ExecCredentialStatus{Token: tok.Value, ExpirationTimestamp: &exp},
		}
	case APIVersionV1beta1:
		cred = clientauthv1beta1.ExecCredential{
			TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: "ExecCredential"},
			Status:   &clientauthv1beta1.ExecCredentialStatus{Token: tok.Value, ExpirationTimestamp: &exp},
		}
	default:
		return fmt.Errorf("unsupported ExecCredential apiVersion %q", apiVersion)
	}
	b, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("encoding ExecCredential: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
