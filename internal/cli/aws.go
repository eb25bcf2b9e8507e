package cli

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

// resolver reads AWS configuration for the broker's cold path. It is the
// one place that loads the SDK's configuration.
type resolver struct{ env Env }

// Resolve walks the profile's role chain (so that each hop is visible to
// the cache and to errors), appends the --role-arn hops, and prepares the
// base credentials and the STS client, all without a network call.
func (rv resolver) Resolve(ctx context.Context, r broker.Request) (broker.Resolved, error) {
	var (
		base chain.Base
		hops []chain.Hop
	)
	if r.Profile != "" {
		var err error
		if base, hops, err = chain.WalkProfile(ctx, r.Profile, rv.sharedFiles()); err != nil {
			return broker.Resolved{}, err
		}
	}
	hops = append(hops, r.Hops...)
	cfg, err := loadAWS(ctx, r.Profile, r.Region)
	if err != nil {
		return broker.Resolved{}, err
	}
	name := r.SessionName
	if name == "" {
		name = chain.DefaultSessionName(osUser(rv.env))
	}
	return broker.Resolved{
		Region:             cfg.Region,
		Base:               rv.baseCredentials(cfg, r.Profile, base),
		Hops:               hops,
		NewClient:          chain.NewSDKClient(cfg),
		DefaultSessionName: name,
		AWS:                cfg,
		CallerIdentity: func(ctx context.Context, creds aws.Credentials) (string, error) {
			c := cfg.Copy()
			c.Credentials = staticProvider(creds)
			out, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Arn), nil
		},
	}, nil
}

// sharedFiles are the AWS config and credentials files, as the SDK finds
// them.
func (rv resolver) sharedFiles() chain.SharedFiles {
	home := homeDir(rv.env)
	cfgFile := firstNonEmpty(rv.env.Getenv("AWS_CONFIG_FILE"), filepath.Join(home, ".aws", "config"))
	credFile := firstNonEmpty(rv.env.Getenv("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(home, ".aws", "credentials"))
	return chain.SharedFiles{ConfigFiles: []string{cfgFile}, CredentialsFiles: []string{credFile}}
}

// baseCredentials returns how to get the credentials that sign the first
// hop: the root of the profile's chain, never the SDK's own assumption of
// the profile's roles (we run those hops ourselves).
func (rv resolver) baseCredentials(cfg aws.Config, profile string, base chain.Base) func(context.Context) (aws.Credentials, error) {
	var p aws.CredentialsProvider
	switch {
	case profile == "":
		p = cfg.Credentials
	case base.Kind == chain.BaseStatic:
		creds, _ := base.Static()
		p = staticProvider(creds)
	case base.Kind == chain.BaseCredentialSource:
		switch base.CredentialSource {
		case chain.CredentialSourceEnvironment:
			p = staticProvider(aws.Credentials{
				AccessKeyID:     rv.env.Getenv("AWS_ACCESS_KEY_ID"),
				SecretAccessKey: rv.env.Getenv("AWS_SECRET_ACCESS_KEY"),
				SessionToken:    rv.env.Getenv("AWS_SESSION_TOKEN"),
				Source:          "environment",
			})
		case chain.CredentialSourceEC2:
			p = ec2rolecreds.New()
		case chain.CredentialSourceECS:
			p = rv.containerProvider()
		}
	default:
		// SSO, credential_process, web identity, login or nothing: the
		// SDK knows how to get the root profile's own credentials.
		p = aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
			rootCfg := cfg
			if base.Profile != profile {
				var err error
				if rootCfg, err = loadAWS(ctx, base.Profile, cfg.Region); err != nil {
					return aws.Credentials{}, err
				}
			}
			return rootCfg.Credentials.Retrieve(ctx)
		})
	}
	return func(ctx context.Context) (aws.Credentials, error) {
		if p == nil {
			return aws.Credentials{}, errNoCredentials(profile)
		}
		creds, err := p.Retrieve(ctx)
		if err != nil {
			if isNoCredentials(err) {
				return aws.Credentials{}, errNoCredentials(profile)
			}
			return aws.Credentials{}, fmt.Errorf("getting base AWS credentials: %w", err)
		}
		if !creds.HasKeys() {
			return aws.Credentials{}, errNoCredentials(profile)
		}
		return creds, nil
	}
}

// containerProvider reads ECS/EKS Pod Identity container credentials.
func (rv resolver) containerProvider() aws.CredentialsProvider {
	endpoint := rv.env.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if rel := rv.env.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); endpoint == "" && rel != "" {
		endpoint = "http://169.254.170.2" + rel
	}
	if endpoint == "" {
		return nil
	}
	return endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
		o.AuthorizationToken = rv.env.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	})
}

// loadAWS loads the SDK's configuration for a profile ("" for none) and
// region ("" for the profile's): region, endpoints (AWS_ENDPOINT_URL_STS
// and friends), retries, and the default credential chain.
func loadAWS(ctx context.Context, profile, region string) (aws.Config, error) {
	// The SDK's own log lines (retries, IMDS fallbacks) would land on
	// kubectl's terminal on every call; our errors say what matters.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
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

type staticProvider aws.Credentials

func (p staticProvider) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials(p), nil
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

func homeDir(env Env) string {
	return firstNonEmpty(env.Getenv("HOME"), env.Getenv("USERPROFILE"))
}

// osUser names the person for the default role session name, so that
// CloudTrail shows who assumed the role.
func osUser(env Env) string {
	if u := firstNonEmpty(env.Getenv("USER"), env.Getenv("USERNAME")); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}
