package broker

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// BenchmarkWarmToken is a warm `token` call inside the process: the stamps
// of the AWS config and credentials files (two stats), key, file store read,
// decode, ExecCredential. The process around it (start-up,
// package init) costs far more; see docs/benchmarks.md. Resolve fails the
// benchmark, so a miss cannot pass for a hit.
func BenchmarkWarmToken(b *testing.B) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	dir := filepath.Join(b.TempDir(), "eksxa")
	fs, err := cache.NewFileStore(dir)
	if err != nil {
		b.Fatal(err)
	}
	awsDir := b.TempDir()
	cfgFile, credFile := filepath.Join(awsDir, "config"), filepath.Join(awsDir, "credentials")
	if err := os.WriteFile(cfgFile, []byte("[profile k8s]\nrole_arn = arn:aws:iam::222222222222:role/jump\nsource_profile = base\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	stamped := func() Request {
		return Request{Cluster: "prod", Region: "eu-west-1", EnvAccessKeyID: "AKIAEXAMPLE",
			Env:   []string{"AWS_PROFILE=k8s"},
			Files: []string{cache.FileStamp(cfgFile), cache.FileStamp(credFile)},
			Hops: []chain.Hop{
				{RoleARN: "arn:aws:iam::222222222222:role/jump"},
				{RoleARN: "arn:aws:iam::333333333333:role/eks-admin", ExternalID: "x"},
			}}
	}
	r := stamped()
	// The entry as mint writes it: with its non-secret description.
	about := &cache.About{Cluster: "prod", Region: "eu-west-1", Chain: roleARNs(r.Hops),
		Identity: "arn:aws:sts::333333333333:assumed-role/eks-admin/eksxa-alice", Selection: selectionOf(r)}
	v, err := cache.EncodeToken(cache.Token{Token: "k8s-aws-v1." + strings.Repeat("A", 1800), Expires: now.Add(14 * time.Minute), About: about})
	if err != nil {
		b.Fatal(err)
	}
	if err := fs.Set(r.TokenKey(), v); err != nil {
		b.Fatal(err)
	}
	br := &Broker{Store: fs, LockDir: dir, Now: func() time.Time { return now },
		Resolve: func(context.Context, Request) (Resolved, error) {
			b.Fatal("the warm path resolved AWS configuration")
			return Resolved{}, nil
		}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		tok, err := br.Token(ctx, stamped())
		if err != nil {
			b.Fatal(err)
		}
		if err := token.WriteExecCredential(io.Discard, token.APIVersionV1, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenKey(b *testing.B) {
	r := Request{Cluster: "prod", Region: "eu-west-1", EnvAccessKeyID: "AKIAEXAMPLE", Hops: []chain.Hop{
		{RoleARN: "arn:aws:iam::222222222222:role/jump"},
		{RoleARN: "arn:aws:iam::333333333333:role/eks-admin", ExternalID: "x"},
	}}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.TokenKey()
	}
}

// BenchmarkColdTokenFromCachedSessions is a cold `token` call whose chain
// is cached (a new cluster, or a token past its 14 minutes): no AssumeRole,
// a token signed locally, and with the check one GetCallerIdentity to the
// fake STS on loopback through the real SDK client. The difference between
// the two is what the check of a cached final session costs, before the
// network's own round trip to STS (tens of milliseconds) is added.
func BenchmarkColdTokenFromCachedSessions(b *testing.B) {
	for _, check := range []bool{false, true} {
		name := "unchecked"
		if check {
			name = "checked"
		}
		b.Run(name, func(b *testing.B) {
			fake := fakeaws.New(fakeaws.Options{})
			defer fake.Close()
			user := fake.AddUser("111111111111", "alice")
			const jump, admin = "arn:aws:iam::222222222222:role/jump", "arn:aws:iam::333333333333:role/eks-admin"
			fake.AddRole(jump, fakeaws.RoleOptions{})
			fake.AddRole(admin, fakeaws.RoleOptions{})
			cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(fake.URL), Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
			newClient := chain.NewSDKClient(cfg)
			hops := []chain.Hop{{RoleARN: jump}, {RoleARN: admin}}
			br := &Broker{
				Store: cache.NewKeyringStore(cache.NewMemKeyring(), cache.DefaultKeyringOptions()),
				Now:   time.Now, CheckCachedFinal: check,
				Resolve: func(context.Context, Request) (Resolved, error) {
					return Resolved{
						Region: "eu-west-1", Hops: hops, NewClient: newClient, DefaultSessionName: "bench",
						Base: func(context.Context) (aws.Credentials, error) {
							return aws.Credentials{AccessKeyID: user.AccessKeyID, SecretAccessKey: user.SecretAccessKey}, nil
						},
						CallerIdentity: func(ctx context.Context, creds aws.Credentials) (string, error) {
							c := cfg.Copy()
							c.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
							out, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
							if err != nil {
								return "", err
							}
							return aws.ToString(out.Arn), nil
						},
					}, nil
				},
			}
			ctx := context.Background()
			r := Request{Cluster: "warm-up", Region: "eu-west-1", EnvAccessKeyID: user.AccessKeyID}
			if _, err := br.Token(ctx, r); err != nil {
				b.Fatal(err)
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				r.Cluster = "c" + strconv.Itoa(i)
				if _, err := br.Token(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if n := fake.Calls("AssumeRole", admin); n != 1 {
				b.Fatalf("the final hop was assumed %d times, want 1: the benchmark is not measuring cached sessions", n)
			}
			if got, want := fake.Calls("GetCallerIdentity", ""), 0; !check && got != want {
				b.Fatalf("unchecked run asked STS %d times", got)
			}
		})
	}
}
