package cli

import (
	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// defaultRegion is used when neither --region, the environment nor the
// profile names one, as the AWS CLI's EKS commands do.
const defaultRegion = "us-east-1"

// chainFlags are the flags that select a chain: token, login, logout,
// kubeconfig and doctor share them.
type chainFlags struct {
	cluster     string
	region      string
	profile     string
	roleARNs    []string
	sessionName string
	cache       string
	verbose     bool
	// ignoreEnvProfile: AWS_PROFILE does not select the base profile
	// (credential-process: it names the profile that runs us).
	ignoreEnvProfile bool
	// noBrowser: --no-browser (login, exec).
	noBrowser bool
}

func (f *chainFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.cluster, "cluster-name", "", "The EKS cluster name (the x-k8s-aws-id header), or its ARN arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME, which also sets the region. Required.")
	f.registerChain(cmd)
}

// registerChain registers the flags that select a chain without a cluster
// (credential-process, exec).
func (f *chainFlags) registerChain(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.region, "region", "", "The cluster's region; else the region of a --cluster-name ARN, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1.")
	fs.StringVar(&f.profile, "profile", "", "Base credentials from this ~/.aws/config profile; a role_arn/source_profile chain is walked hop by hop.")
	fs.StringArrayVar(&f.roleARNs, "role-arn", nil, "One hop, repeatable: ARN[,external-id=ID][,session-name=NAME][,duration=1h][,mfa-serial=ARN][,source-identity=ID].")
	fs.StringVar(&f.sessionName, "session-name", "", "Default role session name for every hop (default eksxa-<os user>).")
	fs.StringVar(&f.cache, "cache", "", "Where tokens and sessions are cached: auto, keyring, file or none (default auto, or EKSXA_CACHE).")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "Tell on stderr what happened: cache hits, hops assumed, token expiry. Never secrets.")
}

// registerSignIn registers the flags of commands that may start an IAM
// Identity Center sign-in.
func (f *chainFlags) registerSignIn(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.noBrowser, "no-browser", false, "For an IAM Identity Center sign-in, print the URL and code without opening a browser.")
}

// selection is a validated chain selection with the environment folded in.
type selection struct {
	req       broker.Request
	cacheMode string
	verbose   bool
	noBrowser bool
}

func (f *chainFlags) resolve(env Env) (selection, error) {
	if f.cluster == "" {
		return selection{}, usagef("--cluster-name is required")
	}
	return f.resolveChain(env)
}

// resolveChain is resolve with --cluster-name optional (checked when
// given): the chain alone is selected.
func (f *chainFlags) resolveChain(env Env) (selection, error) {
	if f.cluster != "" {
		if err := f.normaliseCluster(); err != nil {
			return selection{}, err
		}
	}
	s := selection{req: broker.Request{Cluster: f.cluster, Profile: f.profile, SessionName: f.sessionName}}
	for _, src := range []struct{ name, value string }{
		{"--region", f.region},
		{"AWS_REGION", env.Getenv("AWS_REGION")},
		{"AWS_DEFAULT_REGION", env.Getenv("AWS_DEFAULT_REGION")},
	} {
		if src.value == "" {
			continue
		}
		if err := token.CheckRegion(src.value); err != nil {
			return selection{}, usagef("%s: %v", src.name, err)
		}
		s.req.Region = src.value
		break
	}
	if s.req.Profile == "" && !f.ignoreEnvProfile {
		// AWS_PROFILE, else AWS_DEFAULT_PROFILE (the AWS CLI v1's name for
		// it), in the Go SDK's order; botocore alone prefers the second
		// when both are set (README, "Choices").
		s.req.Profile = firstNonEmpty(env.Getenv("AWS_PROFILE"), env.Getenv("AWS_DEFAULT_PROFILE"))
	}
	// With --profile (or for credential-process, which ignores them),
	// AWS_PROFILE and AWS_DEFAULT_PROFILE decide nothing: the resolver
	// reads Request.Profile alone. Keeping them out of the keys lets
	// `AWS_PROFILE=tf terraform plan` (whose credential-process sees
	// AWS_PROFILE=tf) find the sessions login cached from a shell without it.
	s.req.EnvAccessKeyID, s.req.Env, s.req.Files = identitySources(env, f.profile != "" || f.ignoreEnvProfile)
	for _, spec := range f.roleARNs {
		h, err := chain.ParseHop(spec)
		if err != nil {
			return selection{}, usagef("--role-arn: %v", err)
		}
		s.req.Hops = append(s.req.Hops, h)
	}
	if f.sessionName != "" {
		if err := chain.ValidateSessionName(f.sessionName); err != nil {
			return selection{}, usagef("--session-name: %v", err)
		}
	}
	s.cacheMode = firstNonEmpty(f.cache, env.Getenv("EKSXA_CACHE"), cache.ModeAuto)
	switch s.cacheMode {
	case cache.ModeAuto, cache.ModeKeyring, cache.ModeFile, cache.ModeNone:
	default:
		src := "--cache"
		if f.cache == "" {
			src = "EKSXA_CACHE"
		}
		return selection{}, usagef("%s: unknown cache mode %q (want auto, keyring, file or none)", src, s.cacheMode)
	}
	s.verbose = f.verbose || env.Getenv("EKSXA_DEBUG") == "1"
	s.noBrowser = f.noBrowser
	return s, nil
}

// identitySources reads what decides who signs besides the flags, for the
// cache keys (see broker.Request and broker.IdentityEnv): the environment's
// access key ID, the identity-selecting variables, and a stamp of each AWS
// file in force. The files are the resolver's own (sharedFiles), so the key
// follows exactly the files the cold path reads; they are stat'ed, never
// opened.
//
// All of it is part of the base identity even with a profile: the SDK
// prefers environment keys, and a profile's credential_source=Environment
// reads them. A key more specific than needed only costs a miss; one less
// specific could serve another identity's token or sessions.
//
// profileChosen leaves out AWS_PROFILE and AWS_DEFAULT_PROFILE: the
// profile was chosen otherwise, and they select nothing.
func identitySources(env Env, profileChosen bool) (accessKeyID string, vars, files []string) {
	accessKeyID = firstNonEmpty(env.Getenv("AWS_ACCESS_KEY_ID"), env.Getenv("AWS_ACCESS_KEY"))
	for _, name := range broker.IdentityEnv {
		if profileChosen && (name == "AWS_PROFILE" || name == "AWS_DEFAULT_PROFILE") {
			continue
		}
		if v := env.Getenv(name); v != "" {
			vars = append(vars, name+"="+v)
		}
	}
	shared := resolver{env: env}.sharedFiles()
	for _, list := range [][]string{shared.ConfigFiles, shared.CredentialsFiles} {
		for _, p := range list {
			files = append(files, cache.FileStamp(p))
		}
	}
	return accessKeyID, vars, files
}

// normaliseCluster checks --cluster-name and, when it is a cluster ARN,
// replaces it with the ARN's cluster name and sets --region to the ARN's
// region, so that everything downstream (the signed x-k8s-aws-id header,
// cache keys, the kubeconfig's exec args) sees NAME + REGION whichever way
// the cluster was named. A --region that disagrees with the ARN is a usage
// error; AWS_REGION, AWS_DEFAULT_REGION and the profile's region do not
// count, as the ARN names the cluster's region outright.
func (f *chainFlags) normaliseCluster() error {
	if !token.IsARN(f.cluster) {
		if err := token.CheckClusterName(f.cluster); err != nil {
			return usagef("--cluster-name: %v", err)
		}
		return nil
	}
	a, err := token.ParseClusterARN(f.cluster)
	if err != nil {
		return usagef("--cluster-name: %v", err)
	}
	if f.region != "" && f.region != a.Region {
		return usagef("--region %s disagrees with --cluster-name %s, whose cluster is in %s: drop --region or make them agree", f.region, f.cluster, a.Region)
	}
	f.cluster, f.region = a.Name, a.Region
	return nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
