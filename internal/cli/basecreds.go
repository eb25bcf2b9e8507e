package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

// Errors for base credentials: each names the profile (and SSO session)
// the credentials were asked of and the command that fixes it.

// ssoSignInFix is what signs in to IAM Identity Center for profile: login
// with the flags that failed (it signs in itself and writes the sign-in
// where the aws CLI finds it too), or the aws CLI's own sign-in.
func ssoSignInFix(profile string) string {
	return "`kubectl eksxa login` with the same flags (or `aws sso login --profile " + profile + "`)"
}

// errBaseCredentials wraps a failure to get base's credentials. The
// provider's text goes through scrubSecrets; the credential_process and
// container providers' own errors never reach it (see safeProvider).
func errBaseCredentials(base chain.Base, err error) error {
	return describeBaseFailure(base, scrubbedError{err})
}

func describeBaseFailure(base chain.Base, err error) error {
	if base.Root == nil {
		return fmt.Errorf("getting base AWS credentials: %w", err)
	}
	what := fmt.Sprintf("profile %q", base.Profile)
	switch base.Kind {
	case chain.BaseSSO:
		if base.SSOSession != nil {
			what += fmt.Sprintf(" (sso-session %q)", base.SSOSession.Name)
		}
		return fmt.Errorf("%s: no valid IAM Identity Center (SSO) sign-in: run %s, then try again: %w", what, ssoSignInFix(base.Profile), err)
	case chain.BaseProcess:
		return fmt.Errorf("%s: credential_process gave no credentials: %w; run it by hand to see its output: %s", what, err, base.Root.Get("credential_process"))
	case chain.BaseWebIdentity:
		return fmt.Errorf("%s: AssumeRoleWithWebIdentity with web_identity_token_file %s failed: %w", what, base.Root.Get("web_identity_token_file"), err)
	case chain.BaseLogin:
		return fmt.Errorf("%s: no valid `aws login` session: run `aws login --profile %s`, then try again: %w", what, base.Profile, err)
	case chain.BaseCredentialSource:
		return fmt.Errorf("%s: credential_source %s gave no credentials: %w", what, base.CredentialSource, err)
	}
	return fmt.Errorf("%s: getting base AWS credentials: %w", what, err)
}

// errBaseExpiring refuses base credentials that expire within
// broker.MinTokenLife (left may be negative: already expired), as botocore
// refuses expired credential_process credentials: a token signed with them
// would be dead on arrival, and cached. It names where they came from.
func errBaseExpiring(base chain.Base, creds aws.Credentials, left time.Duration) error {
	when := fmt.Sprintf("expire at %s", creds.Expires.UTC().Format(time.RFC3339))
	if left <= 0 {
		when = fmt.Sprintf("expired at %s (%s ago)", creds.Expires.UTC().Format(time.RFC3339), (-left).Round(time.Second))
	} else {
		when += fmt.Sprintf(", in %s", left.Round(time.Second))
	}
	what, fix := "the base credentials", "refresh them"
	switch {
	case creds.Source == envSource:
		what = "the environment's credentials (AWS_ACCESS_KEY_ID, AWS_CREDENTIAL_EXPIRATION)"
		fix = "get fresh ones (run aws-vault exec, assume or `kubectl eksxa exec` again), or unset the AWS_* variables to use your profile"
	case base.Root != nil && base.Kind == chain.BaseProcess:
		what = fmt.Sprintf("profile %q: the credentials its credential_process (%s) returned", base.Profile, base.Root.Get("credential_process"))
		fix = "make it return fresh ones (clear its own cache, sign in again), and run it by hand to check the Expiration it prints"
	case base.Root != nil && base.Kind == chain.BaseSSO:
		what = fmt.Sprintf("profile %q: the IAM Identity Center role credentials", base.Profile)
		fix = "run `" + ssoSignInFix(base.Profile) + "`"
	case base.Root != nil:
		what = fmt.Sprintf("profile %q: the base credentials", base.Profile)
	}
	return fmt.Errorf("%s %s; a token needs them for at least %s more: %s", what, when, broker.MinTokenLife, fix)
}

// scrubbedError prints its error with secret-shaped runs replaced.
type scrubbedError struct{ err error }

func (e scrubbedError) Error() string { return scrubSecrets(e.err.Error()) }
func (e scrubbedError) Unwrap() error { return e.err }

// errNoCredentials says that nothing supplied base credentials for
// profile ("" for none) and where it looked.
func errNoCredentials(profile string, base chain.Base) error {
	if base.Kind == chain.BaseCredentialSource {
		src := "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
		switch base.CredentialSource {
		case chain.CredentialSourceECS:
			src = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set"
		case chain.CredentialSourceEC2:
			src = "the EC2 instance metadata service gave none"
		}
		return fmt.Errorf("profile %q: credential_source = %s, but %s", base.Profile, base.CredentialSource, src)
	}
	where := "environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), web identity, container and EC2 instance metadata"
	if profile != "" {
		where = fmt.Sprintf("profile %q (which holds no credentials of its own), then %s", profile, where)
	} else {
		where = "the [default] profile, " + where
	}
	return errors.New("no AWS credentials found; looked in " + where + ". Set AWS_PROFILE or --profile, or run `aws configure` / `aws sso login`")
}

// isNoCredentials reports whether the default chain came up empty: the last
// provider it tries is the EC2 instance role, and what it says then is
// "no EC2 IMDS role found" or that IMDS is disabled or unreachable.
func isNoCredentials(err error) bool {
	msg := err.Error()
	for _, s := range []string{"no EC2 IMDS role found", "EC2 IMDS", "failed to refresh cached credentials, failed to load"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
