package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// Errors of the base-credential providers can carry what they were given:
// the SDK's credential_process provider quotes the process's whole output
// (which holds the secret access key) when it cannot parse it, and the
// container credentials provider quotes the endpoint's error body. Such an
// error is never shown; the user gets what went wrong in words and the
// command to see the rest by hand.

// safeError is an error whose text is written here, never taken from the
// provider. Only a context error stays reachable with errors.Is, so that
// an interrupted call still reads as one.
type safeError struct {
	msg   string
	cause error
}

func (e *safeError) Error() string { return e.msg }

func (e *safeError) Unwrap() error {
	switch {
	case errors.Is(e.cause, context.Canceled):
		return context.Canceled
	case errors.Is(e.cause, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}

// safeProvider replaces the errors of prov with describe's account of them.
type safeProvider struct {
	prov     aws.CredentialsProvider
	describe func(error) string
}

func (p safeProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.prov.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, &safeError{msg: p.describe(err), cause: err}
	}
	return creds, nil
}

// processJSONShape is what credential_process must print, for the message.
const processJSONShape = `{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ..., "Expiration": "<RFC 3339 time>"} and nothing else on stdout (notices belong on stderr)`

// describeProcessFailure says why a credential_process gave no credentials
// without quoting its output.
func describeProcessFailure(err error) string {
	var exitErr *exec.ExitError
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "it was interrupted"
	case errors.As(err, &exitErr):
		return fmt.Sprintf("it exited with status %d", exitErr.ExitCode())
	case strings.Contains(msg, "timed out"):
		return "it did not finish in time"
	case strings.Contains(msg, "command must not be empty"):
		return "the command is empty"
	case strings.Contains(msg, "wrong version in process output"):
		return "its output's Version is not 1; it must print " + processJSONShape
	case strings.Contains(msg, "missing AccessKeyId in process output"):
		return "its output has no AccessKeyId; it must print " + processJSONShape
	case strings.Contains(msg, "missing SecretAccessKey in process output"):
		return "its output has no SecretAccessKey; it must print " + processJSONShape
	}
	return "its output is not valid credential_process JSON; it must print " + processJSONShape
}

// describeContainerFailure says why the container credentials endpoint
// (ECS task role, EKS Pod Identity) gave no credentials without quoting
// its answer.
func describeContainerFailure(err error) string {
	const what = "the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"
	var (
		status interface{ HTTPStatusCode() int }
		api    smithy.APIError
		de     *smithy.DeserializationError
		opErr  *net.OpError
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return what + " did not answer in time"
	case strings.Contains(err.Error(), "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"):
		// Our own reading of the token file: a path and an OS error.
		return err.Error()
	case strings.Contains(err.Error(), "authorization token contains invalid newline"):
		return "AWS_CONTAINER_AUTHORIZATION_TOKEN (or its file) holds a line break"
	case errors.As(err, &status) && status.HTTPStatusCode() != 0:
		s := fmt.Sprintf("%s answered HTTP %d", what, status.HTTPStatusCode())
		if errors.As(err, &api) && errorCodeRe().MatchString(api.ErrorCode()) {
			s += " (" + api.ErrorCode() + ")"
		}
		return s
	case errors.As(err, &de):
		return what + " answered something that is not container credentials JSON"
	case errors.As(err, &opErr):
		return what + " could not be reached: " + opErr.Error()
	}
	return what + " gave no credentials"
}

// errorCodeRe is the shape of an AWS error code, the only part of an
// endpoint's error body that is repeated.
// Compiled on first use: error paths only, never at every call's init.
var errorCodeRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.]{0,63}$`) })

// secretShapeRe matches what looks like a secret access key, session token
// or JWT: a long run of base64 characters mixing cases and digits.
var secretShapeRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z0-9/+=_\-]{40,}`) })

// scrubSecrets replaces secret-shaped runs in msg: the last guard for the
// providers whose errors are passed on (web identity, SSO, `aws login`),
// which have not been seen to repeat a secret but are not ours.
func scrubSecrets(msg string) string {
	return secretShapeRe().ReplaceAllStringFunc(msg, func(s string) string {
		if strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") && strings.ContainsAny(s, "0123456789") {
			return "[redacted]"
		}
		return s
	})
}
