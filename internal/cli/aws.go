package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
)

// loadAWS loads the SDK's configuration for the selection: region, and base
// credentials from the default chain (environment, shared config and
// credentials files, SSO, web identity, container and EC2 instance roles).
// It is only called on a cache miss.
func loadAWS(ctx context.Context, sel selection) (aws.Config, error) {
	// The SDK's own log lines (retries, IMDS fallbacks) would land on
	// kubectl's terminal on every call; our errors say what matters.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if sel.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(sel.profile))
	}
	if sel.region != "" {
		opts = append(opts, config.WithRegion(sel.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	return cfg, nil
}

// baseCredentials retrieves the base credentials, turning the SDK's
// "nothing found" chain of errors into one message that says where it looked.
func baseCredentials(ctx context.Context, cfg aws.Config, profile string) (aws.Credentials, error) {
	if cfg.Credentials == nil {
		return aws.Credentials{}, errNoCredentials(profile)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		if isNoCredentials(err) {
			return aws.Credentials{}, errNoCredentials(profile)
		}
		return aws.Credentials{}, fmt.Errorf("getting base AWS credentials: %w", err)
	}
	return creds, nil
}

func errNoCredentials(profile string) error {
	where := "environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), shared files (~/.aws/credentials, ~/.aws/config), SSO, web identity, container and EC2 instance metadata"
	if profile != "" {
		where = fmt.Sprintf("profile %q in ~/.aws/config and ~/.aws/credentials, and %s", profile, where)
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
