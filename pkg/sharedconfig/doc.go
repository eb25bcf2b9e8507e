// Package sharedconfig reads the AWS shared config and credentials files
// (~/.aws/config, ~/.aws/credentials) and says what a profile means, with
// the AWS CLI's rules (botocore's configloader, session and credential
// providers), which are what users learned and test against: how lines,
// comments, quotes and letter case are read, which file wins, where a
// role_arn/source_profile chain ends and which credentials sign it.
//
// It is kubectl-eksxa's one reading of these files: the SDK is never given
// them, so it cannot read a file differently (quoted [sso-session] names,
// for one) or assume a profile's roles on its own. It reads only the files
// it is given and has no side effects.
package sharedconfig
