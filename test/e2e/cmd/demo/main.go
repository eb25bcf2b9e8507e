// Command demo runs kubectl-eksxa end to end on this machine with no AWS
// account: a fake STS and EKS (internal/fakeaws) with three accounts, and a
// TLS Kubernetes API server that authenticates every request with the
// verifier EKS runs. It writes a kubeconfig through a two-account chain,
// runs the real kubectl against it twice (the second time from the cache),
// shows who kubectl is, what is cached, doctor's answer and the cluster's
// nodes (one node group behind the latest AMI), then cleans up.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
	"github.com/eksxa/kubectl-eksxa/test/e2e/apiserver"
)

const (
	identityAcct = "111111111111"
	toolsAcct    = "222222222222"
	workAcct     = "333333333333"
	region       = "eu-west-1"
	cluster      = "demo"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run() error {
	if _, err := exec.LookPath("kubectl"); err != nil {
		return fmt.Errorf("the demo runs the real kubectl, and it is not on PATH")
	}
	dir, err := os.MkdirTemp("", "eksxa-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	step("Building kubectl-eksxa")
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=demo", "-o", filepath.Join(bin, "kubectl-eksxa"), "./cmd/kubectl-eksxa")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Dir = filepath.Join("..", "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building kubectl-eksxa: %w", err)
	}

	step("Starting a fake AWS (STS + EKS) and a TLS API server that runs the EKS token verifier")
	fake := fakeaws.New(fakeaws.Options{})
	defer fake.Close()
	restore, err := apiserver.RouteSTS(fake.URL)
	if err != nil {
		return err
	}
	defer restore()
	api := apiserver.New(cluster, "aws", region)
	defer api.Close()

	alice := fake.AddUser(identityAcct, "alice")
	jump := "arn:aws:iam::" + toolsAcct + ":role/jump"
	admin := "arn:aws:iam::" + workAcct + ":role/eks-admin"
	fake.AddRole(jump, fakeaws.RoleOptions{Trusted: []string{alice.ARN}})
	fake.AddRole(admin, fakeaws.RoleOptions{ExternalID: "platform-team", Trusted: []string{jump}})
	fake.AddCluster(fakeaws.Cluster{
		Name: cluster, Region: region, Account: workAcct, Endpoint: api.URL, CAData: api.CAData, AuthMode: "API",
		AccessEntries: []fakeaws.AccessEntry{{PrincipalARN: admin, Policies: []fakeaws.AccessPolicy{
			{PolicyARN: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}}}},
		Version: "1.31", PlatformVersion: "eks.18", Nodegroups: demoNodegroups, FargateProfiles: []string{"fp-default"},
	})
	fake.SetSSMParameter(region, "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version", "1.31.5-20250212")
	api.SetNodes(demoNodes)
	api.Map(admin, apiserver.User{Username: "eks-admin:{{SessionName}}", Groups: []string{"system:masters"}})
	fmt.Printf("  accounts: identity %s (user alice), tools %s (role jump), workload %s (role eks-admin, cluster %s)\n",
		identityAcct, toolsAcct, workAcct, cluster)

	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		return err
	}
	creds := fmt.Sprintf("[identity]\naws_access_key_id = %s\naws_secret_access_key = %s\n", alice.AccessKeyID, alice.SecretAccessKey)
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(creds), 0o600); err != nil {
		return err
	}
	env := []string{
		"HOME=" + home,
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"USER=alice",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_STS=" + fake.URL, // the plugin's own STS and EKS calls;
		"AWS_ENDPOINT_URL_EKS=" + fake.URL, // tokens still name sts.eu-west-1.amazonaws.com
		"AWS_ENDPOINT_URL_SSM=" + fake.URL, // nodes' public AMI release parameters
		"EKSXA_CACHE=file",
	}

	step("Writing a kubeconfig through a two-account chain")
	if _, err := sh(env, "kubectl", "eksxa", "kubeconfig", "--cluster-name", cluster, "--region", region, "--profile", "identity",
		"--role-arn", jump, "--role-arn", admin+",external-id=platform-team", "--alias", cluster); err != nil {
		return err
	}

	step("Running the real kubectl twice (EKSXA_DEBUG=1 shows what the plugin does)")
	debug := append(env, "EKSXA_DEBUG=1")
	for i := 1; i <= 2; i++ {
		assumed := fake.Calls("AssumeRole", "")
		start := time.Now()
		if _, err := sh(debug, "kubectl", "auth", "whoami"); err != nil {
			return err
		}
		fmt.Printf("  (run %d took %s; AssumeRole calls during it: %d)\n", i, time.Since(start).Round(time.Millisecond), fake.Calls("AssumeRole", "")-assumed)
	}
	fmt.Printf("  The API server checked %d tokens with the EKS verifier and refused %d.\n", api.Verified(), api.Rejected())

	step("What is cached (never a secret)")
	if _, err := sh(env, "kubectl", "eksxa", "status"); err != nil {
		return err
	}

	step("Asking doctor why a principal gets in (or not)")
	if _, err := sh(env, "kubectl", "eksxa", "doctor", "--cluster-name", cluster, "--region", region, "--profile", "identity",
		"--role-arn", jump, "--role-arn", admin+",external-id=platform-team"); err != nil {
		return err
	}

	step("What runs the cluster's pods, and which node group is behind the latest AMI")
	if _, err := sh(env, "kubectl", "eksxa", "nodes", "--cluster-name", cluster, "--region", region, "--profile", "identity",
		"--role-arn", jump, "--role-arn", admin+",external-id=platform-team"); err != nil {
		return err
	}

	step("Done: temporary files removed")
	return nil
}

func step(s string) { fmt.Printf("\n==> %s\n", s) }

// sh shows and runs a command with env, streaming its output.
func sh(env []string, name string, args ...string) (string, error) {
	fmt.Printf("$ %s %s\n", name, quote(args))
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	_, _ = os.Stdout.Write(indent(out.Bytes())) // the demo's narration; a closed stdout ends it anyway
	if err != nil {
		return out.String(), fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return out.String(), nil
}

func quote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " ,=") {
			a = "'" + a + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

func indent(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	b = append([]byte("  "), bytes.ReplaceAll(bytes.TrimRight(b, "\n"), []byte("\n"), []byte("\n  "))...)
	return append(b, '\n')
}

// The demo cluster's data plane: two managed node groups, one 20 days
// behind the latest AL2023 release, and their nodes plus a self-managed
// one whose kubelet is too old.
var (
	demoNodegroups = []fakeaws.Nodegroup{
		{Name: "ng-app", AMIType: "AL2023_x86_64_STANDARD", ReleaseVersion: "1.31.5-20250212", DesiredSize: 2, MinSize: 2, MaxSize: 4},
		{Name: "ng-old", AMIType: "AL2023_x86_64_STANDARD", ReleaseVersion: "1.31.4-20250123", CapacityType: "SPOT", DesiredSize: 1, MinSize: 1, MaxSize: 2},
	}
	demoNodes = []apiserver.Node{
		{Name: "ip-10-0-1-10.eu-west-1.compute.internal", KubeletVersion: "v1.31.5-eks-5d632ec", OSImage: "Amazon Linux 2023.6.20250212",
			Labels: map[string]string{"eks.amazonaws.com/nodegroup": "ng-app", "eks.amazonaws.com/capacityType": "ON_DEMAND"}},
		{Name: "ip-10-0-2-20.eu-west-1.compute.internal", KubeletVersion: "v1.31.4-eks-aeac579", OSImage: "Amazon Linux 2023.6.20250123",
			Labels: map[string]string{"eks.amazonaws.com/nodegroup": "ng-old", "eks.amazonaws.com/capacityType": "SPOT"}},
		{Name: "fargate-ip-10-0-3-30.eu-west-1.compute.internal", KubeletVersion: "v1.31.4-eks-a737599", OSImage: "Amazon Linux 2",
			Labels: map[string]string{"eks.amazonaws.com/compute-type": "fargate"}},
		{Name: "ip-10-0-4-40.eu-west-1.compute.internal", KubeletVersion: "v1.27.16-eks-a737599", OSImage: "Amazon Linux 2"},
	}
)
