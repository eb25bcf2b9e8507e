package cli

import (
	"strings"

	"github.com/spf13/cobra"

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
}

func (f *chainFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.cluster, "cluster-name", "", "The EKS cluster name (the x-k8s-aws-id header). Required.")
	fs.StringVar(&f.region, "region", "", "The cluster's region; else AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1.")
	fs.StringVar(&f.profile, "profile", "", "Base credentials from this ~/.aws/config profile; a role_arn/source_profile chain is walked hop by hop.")
	fs.StringArrayVar(&f.roleARNs, "role-arn", nil, "One hop, repeatable: ARN[,external-id=ID][,session-name=NAME][,duration=1h][,mfa-serial=ARN][,source-identity=ID].")
	fs.StringVar(&f.sessionName, "session-name", "", "Default role session name for every hop (default eksxa-<os user>).")
	fs.StringVar(&f.cache, "cache", "", "Where tokens and sessions are cached: auto, keyring, file or none (default auto, or EKSXA_CACHE).")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "Tell on stderr what happened: cache hits, hops assumed, token expiry. Never secrets.")
}

// selection is a validated chain selection with the environment folded in.
type selection struct {
	cluster string
	// region is what the user asked for (flag or env), "" when the
	// profile or the default decides it.
	region  string
	profile string
	verbose bool
}

func (f *chainFlags) resolve(env Env) (selection, error) {
	if f.cluster == "" {
		return selection{}, usagef("--cluster-name is required")
	}
	if strings.TrimSpace(f.cluster) != f.cluster || len(f.cluster) > 100 {
		return selection{}, usagef("--cluster-name %q is not a valid EKS cluster name", f.cluster)
	}
	s := selection{cluster: f.cluster, profile: f.profile}
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
		s.region = src.value
		break
	}
	if s.profile == "" {
		s.profile = env.Getenv("AWS_PROFILE")
	}
	s.verbose = f.verbose || env.Getenv("EKSXA_DEBUG") == "1"
	return s, nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
