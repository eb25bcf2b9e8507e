package awscreds

import (
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// processOutput is the credential_process document, version 1, as the AWS
// CLI's "Sourcing credentials with an external process" page and botocore's
// ProcessProvider define it. Expiration is ISO 8601 (RFC 3339, UTC) and is
// left out for credentials that do not expire, which the tools then never
// refresh.
type processOutput struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
}

// WriteProcess writes creds to w as one credential_process JSON document
// and a newline. Credentials without both keys are an error, and nothing is
// written.
func WriteProcess(w io.Writer, creds aws.Credentials) error {
	if !creds.HasKeys() {
		return errors.New("the final session has no access key")
	}
	out := processOutput{
		Version:         1,
		AccessKeyID:     creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey,
		SessionToken:    creds.SessionToken,
	}
	if creds.CanExpire {
		out.Expiration = creds.Expires.UTC().Format(time.RFC3339)
	}
	b, err := json.Marshal(out) //nolint:gosec // G117: credential_process output is the session, by definition; it goes to the caller's pipe
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
