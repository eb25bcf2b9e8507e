// Package awscreds hands the chain's final session to other AWS tools in
// the two forms they read: the credential_process JSON document (botocore,
// the aws CLI and every AWS SDK run a `credential_process` command and read
// it from its stdout) and environment variables for a child process.
//
// It only formats: the caller supplies the credentials, the region and the
// parent environment, and writes or runs the result.
package awscreds
