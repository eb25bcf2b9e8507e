package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
)

// registerCompletions gives every command's flags their shell completions
// (cobra's `__complete`, which the completion scripts and kubectl's
// kubectl_complete-eksxa call), by flag name, so that a command added later
// gets them too:
//
//	--profile        the profiles in the AWS config and credentials files
//	--cluster-name   the clusters in the cache index and in the kubeconfig's
//	                 kubectl-eksxa exec entries
//	--cache          the cache modes
//	-o/--output      the formats the flag's help names ("Output format: a or b.")
//
// Completion reads only those files: no AWS SDK, no network.
//
// It also adds cobra's `completion bash|zsh|fish|powershell` command, where
// an unknown shell is a usage error (exit 2) rather than help on stdout.
func registerCompletions(env Env, root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" && c.RunE == nil && c.Run == nil {
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() } // NoArgs rejects a shell it does not know
		}
	}
	if len(env.Args) == 0 || !strings.HasPrefix(env.Args[0], cobra.ShellCompRequestCmd) {
		return // only cobra's __complete (and __completeNoDesc) asks: keep token's start lean
	}
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			var fn cobra.CompletionFunc
			switch f.Name {
			case "profile":
				fn = func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
					names := slices.DeleteFunc(chain.ProfileNames(resolver{env: env}.sharedFiles()), func(n string) bool { return !strings.HasPrefix(n, prefix) })
					return names, cobra.ShellCompDirectiveNoFileComp
				}
			case "cluster-name":
				fn = func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
					return clusterCompletions(env, prefix), cobra.ShellCompDirectiveNoFileComp
				}
			case "cache":
				fn = fixedCompletions(cache.ModeAuto, cache.ModeKeyring, cache.ModeFile, cache.ModeNone)
			case "output":
				if formats := outputFormats(f.Usage); len(formats) > 0 {
					fn = fixedCompletions(formats...)
				}
			}
			if fn == nil {
				return
			}
			if _, ok := cmd.GetFlagCompletionFunc(f.Name); ok {
				return // the command registered its own
			}
			_ = cmd.RegisterFlagCompletionFunc(f.Name, fn) // fails only for an unknown or an already registered flag, both ruled out
		})
		for _, c := range cmd.Commands() {
			walk(c)
		}
	}
	walk(root)
}

// fixedCompletions offers the values that start with the word typed.
func fixedCompletions(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, v := range values {
			if strings.HasPrefix(v, prefix) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// formatList matches an -o flag's help: "Output format: text or json." or
// "Output format: table, json or yaml.".
var formatList = regexp.MustCompile(`(?i)output format: ([a-z]+(?:(?:, | or )[a-z]+)*)`)

func outputFormats(usage string) []cobra.Completion {
	m := formatList.FindStringSubmatch(usage)
	if m == nil {
		return nil
	}
	return strings.FieldsFunc(strings.ReplaceAll(m[1], " or ", ","), func(r rune) bool { return r == ',' || r == ' ' })
}

// clusterCompletions lists the clusters the user has used with
// kubectl-eksxa: the cache index's rows and the kubeconfig's exec entries,
// each with its region as the description.
func clusterCompletions(env Env, prefix string) []cobra.Completion {
	regions := map[string][]string{}
	add := func(cluster, region string) {
		if cluster == "" || !strings.HasPrefix(cluster, prefix) {
			return
		}
		if !slices.Contains(regions[cluster], region) {
			regions[cluster] = append(regions[cluster], region)
		}
	}
	if dir := cacheDir(env); dir != "" {
		rows, _ := cache.NewIndex(dir).List() // an unreadable index lists nothing
		for _, r := range rows {
			add(r.Cluster, r.Region)
		}
	}
	for _, path := range kubeconfigFiles(env) {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, c := range kubeconfig.ExecClusters(data, "kubectl-eksxa") {
			add(c.Cluster, c.Region)
		}
	}
	var out []cobra.Completion
	for cluster, rs := range regions {
		rs = slices.DeleteFunc(rs, func(r string) bool { return r == "" })
		slices.Sort(rs)
		if len(rs) == 0 {
			out = append(out, cluster)
		} else {
			out = append(out, cobra.CompletionWithDesc(cluster, strings.Join(rs, ", ")))
		}
	}
	slices.Sort(out)
	return out
}

// kubeconfigFiles are the files kubectl reads: KUBECONFIG's list, else
// ~/.kube/config.
func kubeconfigFiles(env Env) []string {
	var files []string
	for _, p := range filepath.SplitList(env.Getenv("KUBECONFIG")) {
		if p != "" {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		if home := homeDir(env); home != "" {
			files = append(files, filepath.Join(home, ".kube", "config"))
		}
	}
	return files
}
