package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/eksxa/kubectl-eksxa/internal/fakeaws"
)

// assumeRole assumes role at the fake with the SDK, signed by creds.
func assumeRole(t *testing.T, fake *fakeaws.Server, creds fakeaws.Credentials, role, session string) aws.Credentials {
	t.Helper()
	c := sts.New(sts.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(fake.URL),
		Credentials:  aws.NewCredentialsCache(staticProvider(keys(creds))),
	})
	out, err := c.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String(session)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.Credentials{
		AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey,
		SessionToken: *out.Credentials.SessionToken, CanExpire: true, Expires: *out.Credentials.Expiration,
	}
}

type staticProvider aws.Credentials

func (p staticProvider) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials(p), nil
}
