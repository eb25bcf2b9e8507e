// Package sso signs a person in to IAM Identity Center (AWS SSO) and keeps
// the sign-in where the aws CLI and the AWS SDKs look for it, so that one
// sign-in serves them all.
//
// The sign-in is OAuth 2.0 device authorization (RFC 8628) against the
// sso-oidc service: register a public client, start a device
// authorization, show the person a URL and a code, and poll CreateToken at
// the interval the service gives (slower when it says slow_down) until the
// person approves, the device code expires or the caller gives up. A token
// with a refresh token is renewed silently with the refresh_token grant.
//
// The token is the AWS CLI's SSO token cache file,
// ~/.aws/sso/cache/<sha1 hex>.json, whose name is the SHA-1 of the
// sso-session name (or of the start URL for a profile with sso_start_url
// and no sso_session), with the fields botocore's SSOTokenLoader and
// SSOTokenProvider (botocore/utils.py, botocore/tokens.py) and
// aws-sdk-go-v2's ssocreds read and write: startUrl, region, accessToken,
// expiresAt, refreshToken, clientId, clientSecret, registrationExpiresAt.
// It is written atomically (a temp file renamed over it) with mode 0600.
//
// Nothing here reads flags, the environment or the clock: the caller
// injects the sso-oidc client, the clock, the wait, the browser opener and
// where instructions are written.
package sso
