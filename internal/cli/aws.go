package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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
	cfg.APIOptions = append(cfg.APIOptions, warnClockSkew(rv.env.Stderr, rv.env.Now))
	name := r.SessionName
	if name == "" {
		name = chain.DefaultSessionName(osUser(rv.env))
	}
	return broker.Resolved{
		Region:             cfg.Region,
		Base:               rv.baseCredentials(cfg, r.Profile, base),
		Hops:               hops,
		NewClient:          boundedClient(chain.NewSDKClient(cfg), callTimeout),
		DefaultSessionName: name,
		AWS:                cfg,
		CallerIdentity: func(ctx context.Context, creds aws.Credentials) (string, error) {
			c := cfg.Copy()
			c.Credentials = staticProvider(creds)
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			out, err := sts.NewFromConfig(c).GetCallerIdentity(cctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return "", noAnswer(ctx, cctx, err, callTimeout)
			}
			return aws.ToString(out.Arn), nil
		},
	}, nil
}

// sharedFiles are the AWS config and credentials files, as the SDK finds
// them, with a leading "~" expanded as botocore does (see expandHome).
func (rv resolver) sharedFiles() chain.SharedFiles {
	home := homeDir(rv.env)
	cfgFile := firstNonEmpty(expandHome(rv.env, rv.env.Getenv("AWS_CONFIG_FILE")), filepath.Join(home, ".aws", "config"))
	credFile := firstNonEmpty(expandHome(rv.env, rv.env.Getenv("AWS_SHARED_CREDENTIALS_FILE")), filepath.Join(home, ".aws", "credentials"))
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
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{}), config.WithHTTPClient(newHTTPClient())}
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

// Bounds on the plugin's own AWS calls, so that an unreachable or hung
// endpoint fails the kubectl call in seconds instead of blocking it.
const (
	// dialTimeout bounds connecting (and the TLS handshake): a refused
	// or black-holed connection fails fast, retries included.
	dialTimeout = 5 * time.Second
	// attemptTimeout bounds how long one attempt waits for the response
	// headers; the SDK's standard retryer (3 attempts, with backoff)
	// then tries again.
	attemptTimeout = 10 * time.Second
	// callTimeout bounds one API call, all its attempts and backoff
	// included, whatever AWS_MAX_ATTEMPTS says.
	callTimeout = 30 * time.Second
)

// newHTTPClient is the SDK's default client with the dial, TLS and
// response-header bounds above. It stays a BuildableClient so that
// AWS_CA_BUNDLE and proxy settings still apply.
func newHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = dialTimeout
			t.ResponseHeaderTimeout = attemptTimeout
		})
}

// boundedClient gives every AssumeRole call its own deadline d, so a hung
// STS fails the hop (and the chain names it) instead of the kubectl call
// waiting forever. An MFA prompt happens before the call and is not
// counted.
func boundedClient(newClient func(aws.Credentials) chain.AssumeRoleAPI, d time.Duration) func(aws.Credentials) chain.AssumeRoleAPI {
	return func(creds aws.Credentials) chain.AssumeRoleAPI {
		return boundedSTS{api: newClient(creds), d: d}
	}
}

type boundedSTS struct {
	api chain.AssumeRoleAPI
	d   time.Duration
}

func (b boundedSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	cctx, cancel := context.WithTimeout(ctx, b.d)
	defer cancel()
	out, err := b.api.AssumeRole(cctx, in, optFns...)
	if err != nil {
		return nil, noAnswer(ctx, cctx, err, b.d)
	}
	return out, nil
}

// noAnswer says so when err comes from cctx's own deadline (not from the
// caller giving up).
func noAnswer(ctx, cctx context.Context, err error, d time.Duration) error {
	if ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer from STS within %s: %w", d, err)
	}
	return err
}

// warnClockSkew adds a middleware that compares each successful response's
// Date header with the local clock and, once per process, warns on w when
// they are SkewThreshold or more apart: the SDK corrects its own requests
// for skew, but the EKS token is signed with the local clock and EKS
// refuses it when that is more than 15 minutes off. (Failed calls say so
// in their error; see chain.ClockSkew.)
func warnClockSkew(w io.Writer, now func() time.Time) func(*middleware.Stack) error {
	var once sync.Once
	mw := middleware.DeserializeMiddlewareFunc("eksxaClockSkew", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		if err != nil || w == nil || now == nil {
			return out, md, err
		}
		resp, ok := out.RawResponse.(*smithyhttp.Response)
		if !ok || resp == nil || resp.Response == nil {
			return out, md, err
		}
		date, perr := http.ParseTime(resp.Header.Get("Date"))
		if perr != nil {
			return out, md, err
		}
		if skew := now().Sub(date); skew.Abs() >= chain.SkewThreshold {
			once.Do(func() { fmt.Fprintf(w, "kubectl-eksxa: warning: %s\n", chain.SkewHint(skew)) })
		}
		return out, md, err
	})
	return func(st *middleware.Stack) error {
		return st.Deserialize.Add(mw, middleware.After)
	}
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
