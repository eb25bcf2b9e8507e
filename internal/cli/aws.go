package cli

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // G505: the AWS CLI names SSO cache files by SHA-1 (not a security use)
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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
	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/sharedconfig"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// resolver reads AWS configuration for the broker's cold path. It is the
// one place that loads the SDK's configuration.
type resolver struct {
	env Env
	// interactive: an IAM Identity Center sign-in may be started (login,
	// exec, or token when kubectl says the session is interactive).
	interactive bool
	// noBrowser: a sign-in prints the URL without opening a browser.
	noBrowser bool
	// log gets verbose lines; may be nil.
	log func(format string, args ...any)
}

// Resolve decides what the request's profile means (see profile), appends
// the --role-arn hops, and prepares the base credentials and the STS
// client, all without a network call. The SDK is given no shared file:
// it gets the region, the root credentials and the client settings from
// here, so it never reads a file differently or assumes a profile's role
// on its own.
func (rv resolver) Resolve(ctx context.Context, r broker.Request) (broker.Resolved, error) {
	p, err := rv.profile(r.Profile)
	if err != nil {
		return broker.Resolved{}, err
	}
	hops := append(p.hops, r.Hops...)
	region := r.Region
	if region == "" {
		if region = p.setting("region"); region != "" {
			if err := token.CheckRegion(region); err != nil {
				return broker.Resolved{}, fmt.Errorf("profile %q in %s: region: %w", p.selected.Name, p.selected.File("region"), err)
			}
		}
	}
	cfg, err := loadAWS(ctx, region, p.setting("endpoint_url"), p.setting("ca_bundle"), rv.env)
	if err != nil {
		return broker.Resolved{}, err
	}
	// The profile's role_arn hops, and the flags' hops under a region from
	// the profile, meet the region only here.
	if cfg.Region != "" {
		part, err := token.PartitionOf(cfg.Region)
		if err != nil {
			return broker.Resolved{}, err
		}
		if err := chain.CheckPartition(hops, part.ID, cfg.Region); err != nil {
			return broker.Resolved{}, err
		}
	}
	cfg.APIOptions = append(cfg.APIOptions, warnClockSkew(rv.env.Stderr, rv.env.Now))
	name := r.SessionName
	if name == "" {
		name = chain.DefaultSessionName(osUser(rv.env))
	}
	return broker.Resolved{
		Region:             cfg.Region,
		Base:               rv.baseCredentials(cfg, p),
		Hops:               hops,
		SSORegion:          p.base.SSORegion,
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

// profileChoice is what a profile selection means for a chain.
type profileChoice struct {
	// name is the profile asked for ("" for none).
	name string
	// selected is the profile whose region and client settings apply (the
	// named one, or [default]); nil when there is none.
	selected *sharedconfig.Profile
	base     chain.Base
	hops     []chain.Hop
	// envKeys: the base is AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
	envKeys bool
}

func (p profileChoice) setting(key string) string {
	if p.selected == nil {
		return ""
	}
	return p.selected.Get(key)
}

// profile is the one place that decides what a profile selection means:
// --profile and AWS_PROFILE (name), or none (""), with the AWS CLI's
// rules:
//
//   - a named profile must exist; its chain is walked hop by hop
//     (chain.ResolveProfile) whatever the environment holds;
//   - with no name, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are the base
//     when set, else the [default] profile (which may be a role chain),
//     else the SDK's default chain (web identity, container, instance
//     role); [default]'s region applies in every case.
func (rv resolver) profile(name string) (profileChoice, error) {
	files := rv.sharedFiles()
	shared, err := sharedconfig.Load(os.ReadFile, files)
	if err != nil {
		return profileChoice{}, fmt.Errorf("reading the AWS shared config: %w", err)
	}
	p := profileChoice{name: name}
	lookup := firstNonEmpty(name, "default")
	p.selected = shared.Profile(lookup)
	switch {
	case p.selected == nil && name != "" && (len(files.ConfigFiles) == 0 || len(files.CredentialsFiles) == 0) && homeDir(rv.env) == "":
		return profileChoice{}, fmt.Errorf("profile %q: %w", name, errNoHome("~/.aws/config and ~/.aws/credentials", "AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"))
	case p.selected == nil && name != "":
		return profileChoice{}, &sharedconfig.NotFoundError{What: "profile", Name: name, Files: files.All(), Known: shared.ProfileNames()}
	case name == "" && partialEnvKeys(rv.env) != nil:
		// botocore: "Partial credentials found in env"; another identity
		// (the [default] profile's) must not sign instead.
		return profileChoice{}, partialEnvKeys(rv.env)
	case name == "" && rv.env.Getenv("AWS_ACCESS_KEY_ID") != "" && rv.env.Getenv("AWS_SECRET_ACCESS_KEY") != "":
		p.envKeys = true
		p.base = chain.Base{Profile: "", Kind: chain.BaseDefault}
		return p, nil
	case p.selected == nil:
		p.base = chain.Base{Kind: chain.BaseDefault}
		return p, nil
	}
	p.base, p.hops, err = chain.ResolveProfile(shared, lookup)
	return p, err
}

// sharedFiles are the AWS config and credentials files, as the SDK finds
// them, with a leading "~" expanded as botocore does (see expandHome).
//
// With no home directory a file that is not named by its variable is left
// out, never looked for under the working directory.
func (rv resolver) sharedFiles() chain.SharedFiles {
	home := homeDir(rv.env)
	var files chain.SharedFiles
	for _, f := range []struct {
		env  string
		rel  string
		list *[]string
	}{
		{"AWS_CONFIG_FILE", "config", &files.ConfigFiles},
		{"AWS_SHARED_CREDENTIALS_FILE", "credentials", &files.CredentialsFiles},
	} {
		switch v := expandHome(rv.env, rv.env.Getenv(f.env)); {
		case v != "":
			*f.list = append(*f.list, v)
		case home != "":
			*f.list = append(*f.list, filepath.Join(home, ".aws", f.rel))
		}
	}
	return files
}

// baseCredentials returns how to get the credentials that sign the first
// hop: the root profile's own credentials, never the SDK's own assumption
// of the profile's roles (we run those hops ourselves).
func (rv resolver) baseCredentials(cfg aws.Config, p profileChoice) func(context.Context) (aws.Credentials, error) {
	base := p.base
	var prov aws.CredentialsProvider
	switch {
	case p.envKeys:
		prov = rv.envProvider()
	case base.Kind == chain.BaseStatic:
		creds, _ := base.Static()
		prov = staticProvider(creds)
	case base.Kind == chain.BaseCredentialSource:
		switch base.CredentialSource {
		case chain.CredentialSourceEnvironment:
			if rv.env.Getenv("AWS_ACCESS_KEY_ID") != "" || rv.env.Getenv("AWS_SECRET_ACCESS_KEY") != "" {
				prov = rv.envProvider()
			}
		case chain.CredentialSourceEC2:
			prov = ec2rolecreds.New()
		case chain.CredentialSourceECS:
			prov = rv.containerProvider()
		}
	case base.Kind == chain.BaseSSO:
		prov = rv.signedInSSO(cfg, base, rv.ssoProvider(cfg, base))
	case base.Kind == chain.BaseProcess:
		prov = safeProvider{processcreds.NewProvider(base.Root.Get("credential_process")), describeProcessFailure}
	case base.Kind == chain.BaseWebIdentity:
		prov = stscreds.NewWebIdentityRoleProvider(sts.NewFromConfig(cfg), base.Root.Get("role_arn"),
			stscreds.IdentityTokenFile(base.Root.Get("web_identity_token_file")),
			func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = base.Root.Get("role_session_name") })
	case base.Kind == chain.BaseLogin:
		prov = rv.loginProvider(cfg, base)
	default:
		// No credentials of the profile's own.
		prov = rv.defaultChain(cfg)
	}
	return func(ctx context.Context) (aws.Credentials, error) {
		if prov == nil {
			return aws.Credentials{}, errNoCredentials(p.name, base)
		}
		creds, err := prov.Retrieve(ctx)
		if err != nil {
			if base.Kind == chain.BaseDefault && isNoCredentials(err) {
				return aws.Credentials{}, errNoCredentials(p.name, base)
			}
			return aws.Credentials{}, errBaseCredentials(base, err)
		}
		if !creds.HasKeys() {
			return aws.Credentials{}, errNoCredentials(p.name, base)
		}
		if creds.CanExpire {
			if left := creds.Expires.Sub(rv.env.Now()); left < broker.MinTokenLife {
				return aws.Credentials{}, errBaseExpiring(base, creds, left)
			}
		}
		return creds, nil
	}
}

// defaultChain is what supplies credentials when no profile holds any,
// in the AWS CLI's order after the profile's own: environment keys, a web
// identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), container
// credentials, the EC2 instance role (unless AWS_EC2_METADATA_DISABLED).
// nil when there is nothing to try.
func (rv resolver) defaultChain(cfg aws.Config) aws.CredentialsProvider {
	get := rv.env.Getenv
	switch {
	case get("AWS_ACCESS_KEY_ID") != "" || get("AWS_SECRET_ACCESS_KEY") != "":
		return rv.envProvider()
	case get("AWS_WEB_IDENTITY_TOKEN_FILE") != "" && get("AWS_ROLE_ARN") != "":
		return stscreds.NewWebIdentityRoleProvider(sts.NewFromConfig(cfg), get("AWS_ROLE_ARN"),
			stscreds.IdentityTokenFile(get("AWS_WEB_IDENTITY_TOKEN_FILE")),
			func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = get("AWS_ROLE_SESSION_NAME") })
	}
	if c := rv.containerProvider(); c != nil {
		return c
	}
	if strings.EqualFold(get("AWS_EC2_METADATA_DISABLED"), "true") {
		return nil
	}
	return ec2rolecreds.New()
}

// envSource is the Source of credentials taken from the environment.
const envSource = "environment"

// envProvider returns the environment's credentials: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and AWS_CREDENTIAL_EXPIRATION
// (RFC 3339), which aws-vault exec, granted and `kubectl eksxa exec` set
// beside session keys and which botocore reads: the token must not outlive
// them. Half a key pair is an error, as in botocore.
func (rv resolver) envProvider() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		if err := partialEnvKeys(rv.env); err != nil {
			return aws.Credentials{}, err
		}
		creds := aws.Credentials{
			AccessKeyID:     rv.env.Getenv("AWS_ACCESS_KEY_ID"),
			SecretAccessKey: rv.env.Getenv("AWS_SECRET_ACCESS_KEY"),
			SessionToken:    rv.env.Getenv("AWS_SESSION_TOKEN"),
			Source:          envSource,
		}
		if v := rv.env.Getenv("AWS_CREDENTIAL_EXPIRATION"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return aws.Credentials{}, fmt.Errorf("AWS_CREDENTIAL_EXPIRATION=%q is not an RFC 3339 time (like 2026-03-01T09:00:00Z): fix or unset it", v)
			}
			creds.CanExpire, creds.Expires = true, t
		}
		return creds, nil
	})
}

// partialEnvKeys is botocore's "Partial credentials found in env": one of
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY without the other.
func partialEnvKeys(env Env) error {
	id, secret := env.Getenv("AWS_ACCESS_KEY_ID") != "", env.Getenv("AWS_SECRET_ACCESS_KEY") != ""
	if id == secret {
		return nil
	}
	set, missing := "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"
	if secret {
		set, missing = missing, set
	}
	return fmt.Errorf("partial credentials in the environment: %s is set but %s is not: set both (with AWS_SESSION_TOKEN for temporary keys), or unset %s to use a profile", set, missing, set)
}

// ssoProvider gets the root's IAM Identity Center role credentials from
// the sign-in the AWS CLI cached (~/.aws/sso/cache), refreshing it where
// an sso-session allows, as the SDK would, but from our reading of the
// files (so a quoted [sso-session 'My Corp'] works).
func (rv resolver) ssoProvider(cfg aws.Config, base chain.Base) aws.CredentialsProvider {
	root, session := base.Root, base.SSOSession
	c := cfg.Copy()
	startURL, cacheKey := root.Get("sso_start_url"), root.Get("sso_start_url")
	c.Region = root.Get("sso_region")
	if session != nil {
		startURL, cacheKey, c.Region = session.Get("sso_start_url"), session.Name, session.Get("sso_region")
	}
	sum := sha1.Sum([]byte(cacheKey)) //nolint:gosec // G401: the AWS CLI's SSO cache file name, shared with it
	home := homeDir(rv.env)
	if home == "" {
		err := errNoHome("the IAM Identity Center sign-in (~/.aws/sso/cache)", "run from a login shell")
		return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return aws.Credentials{}, err })
	}
	cached := filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	return ssocreds.New(sso.NewFromConfig(c), root.Get("sso_account_id"), root.Get("sso_role_name"), startURL, func(o *ssocreds.Options) {
		o.CachedTokenFilepath = cached
		if session != nil {
			o.SSOTokenProvider = ssocreds.NewSSOTokenProvider(ssooidc.NewFromConfig(c), cached)
		}
	})
}

// loginProvider gets the root's `aws login` credentials.
func (rv resolver) loginProvider(cfg aws.Config, base chain.Base) aws.CredentialsProvider {
	dir := expandHome(rv.env, rv.env.Getenv("AWS_LOGIN_CACHE_DIRECTORY"))
	if dir == "" {
		// The SDK would look in HOME alone; take botocore's home instead.
		home := homeDir(rv.env)
		if home == "" {
			err := errNoHome("the `aws login` session (~/.aws/login/cache)", "AWS_LOGIN_CACHE_DIRECTORY")
			return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return aws.Credentials{}, err })
		}
		dir = filepath.Join(home, ".aws", "login", "cache")
	}
	path, err := logincreds.StandardCachedTokenFilepath(base.Root.Get("login_session"), dir)
	if err != nil {
		return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return aws.Credentials{}, err })
	}
	return logincreds.New(signin.NewFromConfig(cfg), path)
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
	return safeProvider{describe: describeContainerFailure, prov: endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
		o.AuthorizationToken = rv.env.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
		// EKS Pod Identity hands the token over in a file it rotates; read
		// it on each call, as the SDK does (the file wins over the value).
		if path := rv.env.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); path != "" {
			o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				b, err := os.ReadFile(path)
				if err != nil {
					return "", fmt.Errorf("reading AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %w", err)
				}
				return strings.TrimSpace(string(b)), nil
			})
		}
	})}
}

// loadAWS loads the SDK's configuration for region ("" for the default)
// without any shared file: endpoints (AWS_ENDPOINT_URL_STS and friends,
// else the profile's endpoint_url), the CA bundle (AWS_CA_BUNDLE, else the
// profile's ca_bundle), retries, and the default credential chain of the
// environment, container and instance role.
func loadAWS(ctx context.Context, region, endpointURL, caBundle string, env Env) (aws.Config, error) {
	// The SDK's own log lines (retries, IMDS fallbacks) would land on
	// kubectl's terminal on every call; our errors say what matters.
	opts := []func(*config.LoadOptions) error{
		config.WithLogger(logging.Nop{}), config.WithHTTPClient(newHTTPClient()),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
	}
	// The SDK reads AWS_PROFILE (and AWS_DEFAULT_PROFILE) itself and fails when that profile is in
	// none of its files, and it is given none: the profile has been read
	// here already (Request.Profile), so the process forgets the variable
	// before the SDK looks. Nothing after the cold path reads it.
	for _, name := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		if os.Getenv(name) != "" { //nolint:forbidigo // the SDK reads the process's own variable; this is what it sees
			_ = os.Unsetenv(name) // fails only for an invalid name
		}
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if endpointURL != "" && env.Getenv("AWS_ENDPOINT_URL") == "" {
		opts = append(opts, config.WithBaseEndpoint(endpointURL))
	}
	if caBundle != "" && env.Getenv("AWS_CA_BUNDLE") == "" {
		pem, err := os.ReadFile(caBundle)
		if err != nil {
			return aws.Config{}, fmt.Errorf("reading the profile's ca_bundle: %w", err)
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	// Credentials come from baseCredentials, never from the SDK's own
	// chain, which would read AWS_PROFILE and look for it in no file.
	opts = append(opts, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
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

// homeDir is the user's home directory, as botocore's os.path.expanduser
// finds it: HOME (USERPROFILE on Windows), else the account database
// (os/user; cron, systemd units and `env -i` run without HOME). A
// relative value is no home: the AWS files, the SSO cache and the
// kubeconfig are never looked for under the working directory. "" when
// there is none; callers say so.
func homeDir(env Env) string {
	for _, h := range []string{env.Getenv("HOME"), env.Getenv("USERPROFILE"), lookupHome()} {
		if h != "" && filepath.IsAbs(h) {
			return h
		}
	}
	return ""
}

// lookupHome returns the current user's home from the account database,
// "" when it has none. A variable so that tests can take it away.
var lookupHome = func() string {
	if u, err := user.Current(); err == nil {
		return u.HomeDir
	}
	return ""
}

// errNoHome says that a file under the home directory was needed and
// there is no home directory, and what to set instead.
func errNoHome(what, instead string) error {
	return fmt.Errorf("no home directory to find %s in: HOME is unset (or relative) and the account database has none for this user; set HOME, or %s", what, instead)
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
