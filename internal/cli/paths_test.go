package cli

import (
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(vars map[string]string) Env {
	return Env{Getenv: func(k string) string { return vars[k] }}
}

func TestExpandHome(t *testing.T) {
	env := envOf(map[string]string{"HOME": "/home/alice"})
	tests := []struct{ in, want string }{
		{"", ""},
		{"~", "/home/alice"},
		{"~/", "/home/alice"},
		{"~/.aws/eks-config", "/home/alice/.aws/eks-config"},
		{"/abs/~/x", "/abs/~/x"},
		{"rel/~", "rel/~"},
		{"~no-such-user-eksxa/x", "~no-such-user-eksxa/x"}, // expanduser leaves an unknown user alone
		{"x~", "x~"},
	}
	if u, err := user.Current(); err == nil && u.Username != "" && !strings.ContainsAny(u.Username, `/\`) {
		tests = append(tests, struct{ in, want string }{"~" + u.Username + "/c", filepath.Join(u.HomeDir, "c")})
	}
	for _, tt := range tests {
		if got := expandHome(env, tt.in); got != tt.want {
			t.Errorf("expandHome(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := expandHomeList(env, "~/a:/b:~/c"), "/home/alice/a:/b:/home/alice/c"; got != want {
		t.Errorf("expandHomeList = %q, want %q", got, want)
	}
}

func TestCacheDirFor(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		want    string
		wantErr string
	}{
		{"default", map[string]string{"HOME": "/h"}, "/h/.kube/cache/eksxa", ""},
		{"KUBECACHEDIR", map[string]string{"HOME": "/h", "KUBECACHEDIR": "/k"}, "/k/eksxa", ""},
		{"KUBECACHEDIR with ~", map[string]string{"HOME": "/h", "KUBECACHEDIR": "~/kc"}, "/h/kc/eksxa", ""},
		{"EKSXA_CACHE_DIR wins", map[string]string{"HOME": "/h", "KUBECACHEDIR": "/k", "EKSXA_CACHE_DIR": "/e"}, "/e", ""},
		{"EKSXA_CACHE_DIR with ~", map[string]string{"HOME": "/h", "EKSXA_CACHE_DIR": "~/.kube/cache/eksxa-team"}, "/h/.kube/cache/eksxa-team", ""},
		{"relative EKSXA_CACHE_DIR", map[string]string{"HOME": "/h", "EKSXA_CACHE_DIR": "cache"}, "", `EKSXA_CACHE_DIR="cache" is a relative path`},
		{"relative KUBECACHEDIR", map[string]string{"HOME": "/h", "KUBECACHEDIR": "./kc"}, "", `KUBECACHEDIR="./kc" is a relative path`},
		// A relative HOME is no home (the account database's is taken, none
		// here), never a cache under the working directory.
		{"relative HOME", map[string]string{"HOME": "h"}, "", "no home directory to find the cache"},
		{"nothing", map[string]string{}, "", "set HOME, or EKSXA_CACHE_DIR or KUBECACHEDIR"},
	}
	old := lookupHome
	t.Cleanup(func() { lookupHome = old })
	lookupHome = func() string { return "" }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cacheDirFor(envOf(tt.vars))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("cacheDirFor = %q, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("cacheDirFor = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSharedFilesExpandHome(t *testing.T) {
	rv := resolver{env: envOf(map[string]string{"HOME": "/h", "AWS_CONFIG_FILE": "~/.aws/eks-config", "AWS_SHARED_CREDENTIALS_FILE": "~/creds"})}
	f := rv.sharedFiles()
	if len(f.ConfigFiles) != 1 || f.ConfigFiles[0] != "/h/.aws/eks-config" || len(f.CredentialsFiles) != 1 || f.CredentialsFiles[0] != "/h/creds" {
		t.Errorf("sharedFiles = %+v, want /h/.aws/eks-config and /h/creds", f)
	}
}

func TestClusterARNNormalised(t *testing.T) {
	env := envOf(map[string]string{"AWS_REGION": "us-east-1"})
	tests := []struct {
		name       string
		flags      chainFlags
		wantName   string
		wantRegion string
	}{
		{"commercial ARN beats AWS_REGION", chainFlags{cluster: "arn:aws:eks:eu-west-1:111111111111:cluster/prod"}, "prod", "eu-west-1"},
		{"ARN with an agreeing --region", chainFlags{cluster: "arn:aws:eks:eu-west-1:111111111111:cluster/prod", region: "eu-west-1"}, "prod", "eu-west-1"},
		{"aws-cn ARN", chainFlags{cluster: "arn:aws-cn:eks:cn-northwest-1:111111111111:cluster/Prod_2"}, "Prod_2", "cn-northwest-1"},
		{"aws-us-gov ARN", chainFlags{cluster: "arn:aws-us-gov:eks:us-gov-west-1:111111111111:cluster/p-1"}, "p-1", "us-gov-west-1"},
		{"name and region", chainFlags{cluster: "prod", region: "eu-west-1"}, "prod", "eu-west-1"},
	}
	var keys = map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := tt.flags.resolve(env)
			if err != nil {
				t.Fatal(err)
			}
			if sel.req.Cluster != tt.wantName || sel.req.Region != tt.wantRegion {
				t.Errorf("cluster %q region %q, want %q %q", sel.req.Cluster, sel.req.Region, tt.wantName, tt.wantRegion)
			}
			keys[tt.name] = sel.req.TokenKey()
		})
	}
	if keys["commercial ARN beats AWS_REGION"] != keys["name and region"] || keys["name and region"] == "" {
		t.Errorf("--cluster-name ARN and --cluster-name NAME --region R select different tokens: %v", keys)
	}
}
