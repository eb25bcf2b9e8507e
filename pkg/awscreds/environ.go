package awscreds

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Set are the variables Environ sets: the session, its region and its
// expiry. Every AWS SDK and the aws CLI read the first three before any
// other source of credentials; AWS_CREDENTIAL_EXPIRATION (RFC 3339) is what
// `aws configure export-credentials --format env` writes, so tools can tell
// when to ask again.
var Set = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CREDENTIAL_EXPIRATION",
}

// Removed are the parent's variables Environ drops, so that the child uses
// the session it is given and resolves no credentials of its own:
//
//   - AWS_PROFILE, AWS_DEFAULT_PROFILE: select a profile whose credentials
//     (a role_arn, sso_session, credential_process) some tools would use
//     instead of, or mix with, the session; aws-vault exec drops them too.
//   - AWS_ACCESS_KEY, AWS_SECRET_KEY, AWS_SECURITY_TOKEN: older spellings
//     that some SDKs (aws-sdk-go-v2, boto2) read; a stale parent value would
//     pair a key from one identity with a secret or token from another.
//   - AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME: web
//     identity (EKS IRSA, CI OIDC); tools that look for them explicitly
//     would assume the parent's role instead.
//   - AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI,
//     AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
//     ECS and EKS Pod Identity credentials, the same.
//   - AWS_ACCOUNT_ID: the parent identity's account, used by SDKs for
//     account-based endpoints; it would name the wrong account.
//   - EKSXA_CREDENTIAL_PROCESS: kubectl-eksxa's own nesting marker.
//
// Kept on purpose: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE (the
// child still reads endpoints, retries, CA bundles and other settings from
// them; environment keys come before any profile in every SDK's chain),
// AWS_ENDPOINT_URL*, AWS_CA_BUNDLE and the rest, which choose where and
// how to call, not who calls.
var Removed = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SECURITY_TOKEN",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_ACCOUNT_ID",
	"EKSXA_CREDENTIAL_PROCESS",
}

// Environ returns parent ("KEY=value" entries, as os.Environ gives them)
// without the Removed and Set variables, followed by the Set ones for creds
// and region. AWS_SESSION_TOKEN is left out for long-term keys and
// AWS_CREDENTIAL_EXPIRATION for credentials that do not expire; region ""
// sets no region (the parent's is dropped all the same, as it may not be
// the chain's). Names are compared case-insensitively, as Windows does.
func Environ(parent []string, creds aws.Credentials, region string) []string {
	drop := func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		for _, list := range [][]string{Removed, Set} {
			for _, n := range list {
				if strings.EqualFold(name, n) {
					return true
				}
			}
		}
		return false
	}
	out := make([]string, 0, len(parent)+len(Set))
	for _, kv := range parent {
		if !drop(kv) {
			out = append(out, kv)
		}
	}
	out = append(out, "AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey)
	if creds.SessionToken != "" {
		out = append(out, "AWS_SESSION_TOKEN="+creds.SessionToken)
	}
	if region != "" {
		out = append(out, "AWS_REGION="+region, "AWS_DEFAULT_REGION="+region)
	}
	if creds.CanExpire {
		out = append(out, "AWS_CREDENTIAL_EXPIRATION="+creds.Expires.UTC().Format(time.RFC3339))
	}
	return out
}
