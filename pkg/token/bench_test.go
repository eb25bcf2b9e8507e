package token

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Benchmarks of the token path (go test -bench . ./pkg/token). A
// benchmark, never a timed assertion: see docs/benchmarks.md.

func BenchmarkNew(b *testing.B) {
	in := Input{
		Credentials: aws.Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: "secret/EXAMPLE/EXAMPLE/EXAMPLE/EXAMPLE1",
			SessionToken: strings.Repeat("T", 1024), CanExpire: true, Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		Cluster: "prod", Region: "eu-west-1", Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteExecCredential(b *testing.B) {
	tok := Token{Value: "k8s-aws-v1." + strings.Repeat("A", 1800), Expiration: time.Date(2026, 1, 2, 3, 18, 5, 0, time.UTC)}
	for _, v := range []string{APIVersionV1, APIVersionV1beta1} {
		b.Run(v, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := WriteExecCredential(io.Discard, v, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
