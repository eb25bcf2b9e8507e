package broker

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	v, err := cache.EncodeToken(cache.Token{Token: "k8s-aws-v1." + strings.Repeat("A", 1800), Expires: now.Add(14 * time.Minute)})
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
