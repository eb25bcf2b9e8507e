package token

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	// Prefix starts every EKS token.
	Prefix = "k8s-aws-v1."
	// ClusterIDHeader is the signed header that binds a token to a cluster.
	ClusterIDHeader = "x-k8s-aws-id"
	// Lifetime is how long a token is good for once signed: EKS accepts a
	// presigned URL for 15 minutes, and kubectl should renew before that.
	Lifetime = 14 * time.Minute
	// presignExpires is the X-Amz-Expires the presigned URL carries.
	presignExpires = 60

	// emptyPayloadHash is the SHA-256 of an empty body.
	emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// Token is an EKS bearer token and the time after which it must not be used.
type Token struct {
	Value      string
	Expiration time.Time
}

// Input is what a token is made from.
type Input struct {
	Credentials aws.Credentials
	Cluster     string
	Region      string
	Now         time.Time
}

// New presigns an STS GetCallerIdentity URL for in.Cluster with
// in.Credentials at in.Now and returns it as an EKS token. The token expires
// Lifetime after signing, or when the credentials do, whichever is first.
// A token that EKS would refuse (see Check) is an error, a *TooLargeError
// naming the session token's size when it is too large, and no token.
func New(ctx context.Context, in Input) (Token, error) {
	if in.Cluster == "" {
		return Token{}, errors.New("cluster name is empty")
	}
	if !in.Credentials.HasKeys() {
		return Token{}, errors.New("no credentials to sign the token with")
	}
	host, err := STSHost(in.Region)
	if err != nil {
		return Token{}, err
	}
	q := url.Values{
		"Action":        {"GetCallerIdentity"},
		"Version":       {"2011-06-15"},
		"X-Amz-Expires": {fmt.Sprint(presignExpires)},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/?"+q.Encode(), nil)
	if err != nil {
		return Token{}, fmt.Errorf("building the token request: %w", err)
	}
	req.Header.Set(ClusterIDHeader, in.Cluster)
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, in.Credentials, req, emptyPayloadHash, "sts", in.Region, in.Now.UTC())
	if err != nil {
		return Token{}, fmt.Errorf("presigning the token: %w", err)
	}
	value := Prefix + base64.RawURLEncoding.EncodeToString([]byte(signed))
	if err := Check(value, in.Region); err != nil {
		var big *TooLargeError
		if errors.As(err, &big) {
			big.SessionTokenSize = len(in.Credentials.SessionToken)
		}
		return Token{}, err
	}
	exp := in.Now.Add(Lifetime)
	if in.Credentials.CanExpire && in.Credentials.Expires.Before(exp) {
		exp = in.Credentials.Expires
	}
	return Token{
		Value:      value,
		Expiration: exp.UTC().Truncate(time.Second),
	}, nil
}
