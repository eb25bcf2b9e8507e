package token

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The rules below are those of the EKS token verifier,
// sigs.k8s.io/aws-iam-authenticator v0.6.13, pkg/token/token.go,
// tokenVerifier.Verify: the code EKS runs on every request. A token that
// breaks one of them is refused by the cluster, so the plugin refuses to
// print or cache it and says why instead.
const (
	// MaxLen is the largest token EKS accepts, in bytes, counting the whole
	// token: the "k8s-aws-v1." prefix and the base64url text
	// (maxTokenLenBytes = 1024 * 4; Verify: len(token) > maxTokenLenBytes
	// is "token is too large").
	MaxLen = 4096
	// MaxPresignExpires is the largest X-Amz-Expires EKS accepts, in
	// seconds (Verify: "invalid X-Amz-Expires parameter" outside 0..900).
	MaxPresignExpires = 900
	// amzDateFormat is X-Amz-Date's layout (dateHeaderFormat).
	amzDateFormat = "20060102T150405Z"
)

// allowedParams are the only query parameters EKS accepts in the presigned
// URL, lower-cased (parameterWhitelist); each appears once
// (validateDuplicateParameters, "query parameter with multiple values").
var allowedParams = map[string]bool{
	"action":               true,
	"version":              true,
	"x-amz-algorithm":      true,
	"x-amz-credential":     true,
	"x-amz-date":           true,
	"x-amz-expires":        true,
	"x-amz-security-token": true,
	"x-amz-signature":      true,
	"x-amz-signedheaders":  true,
}

// TooLargeError is a token over MaxLen bytes. Almost all of a token's size
// is the session token of the credentials that signed it, carried as
// X-Amz-Security-Token; STS makes that large for sessions with session
// tags, inline or managed session policies, and long source chains (SSO
// permission sets, role chaining from federated sessions).
type TooLargeError struct {
	// Size is the token's length in bytes.
	Size int
	// SessionTokenSize is the length, in bytes, of the signing
	// credentials' session token; 0 when they have none.
	SessionTokenSize int
}

func (e *TooLargeError) Error() string {
	msg := fmt.Sprintf("the token would be %d bytes, over the %d bytes EKS accepts (the cluster would answer \"token is too large\")", e.Size, MaxLen)
	if e.SessionTokenSize == 0 {
		return msg
	}
	return msg + fmt.Sprintf(": the session token of the credentials that sign it is %d bytes. "+
		"STS makes session tokens that large for sessions with session tags, session policies (--policy, policy ARNs) "+
		"or a long source chain (SSO, federation); sign with a role session that carries no tags or policies, "+
		"or add a --role-arn hop to a role that is assumed without them", e.SessionTokenSize)
}

// Check reports whether value is a token EKS's verifier accepts for a
// cluster in region, before any network call: its size (MaxLen), the
// "k8s-aws-v1." prefix, base64url without padding, an https URL on the
// canonical STS host of region and partition (STSHost) with path "/", only
// allowed query parameters, each once, Action=GetCallerIdentity, the
// x-k8s-aws-id header among X-Amz-SignedHeaders, X-Amz-Expires in
// 0..MaxPresignExpires and a well-formed X-Amz-Date. The error is a
// *TooLargeError for a token over MaxLen (SessionTokenSize left 0), else
// one naming the rule. It never contains the token.
func Check(value, region string) error {
	if len(value) > MaxLen {
		return &TooLargeError{Size: len(value)}
	}
	rest, ok := strings.CutPrefix(value, Prefix)
	if !ok {
		return fmt.Errorf("token lacks the %q prefix", Prefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return errors.New("token is not unpadded base64url")
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return errors.New("token does not hold a URL")
	}
	if u.Scheme != "https" {
		return fmt.Errorf("token URL scheme is %q, EKS wants https", u.Scheme)
	}
	host, err := STSHost(region)
	if err != nil {
		return err
	}
	if u.Host != host {
		return fmt.Errorf("token URL host is %q, EKS in %s only accepts %s", u.Host, region, host)
	}
	if u.Path != "/" {
		return fmt.Errorf("token URL path is %q, EKS wants /", u.Path)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return errors.New("token URL has a malformed query")
	}
	lower := map[string]string{}
	for k, v := range q {
		l := strings.ToLower(k)
		if !allowedParams[l] {
			return fmt.Errorf("token URL has query parameter %q, which EKS does not accept", k)
		}
		if _, dup := lower[l]; dup || len(v) != 1 {
			return fmt.Errorf("token URL has query parameter %q more than once", k)
		}
		lower[l] = v[0]
	}
	if lower["action"] != "GetCallerIdentity" {
		return errors.New("token URL's Action is not GetCallerIdentity")
	}
	signed := false
	for _, h := range strings.Split(lower["x-amz-signedheaders"], ";") {
		signed = signed || strings.EqualFold(h, ClusterIDHeader)
	}
	if !signed {
		return fmt.Errorf("token URL does not sign the %s header", ClusterIDHeader)
	}
	if n, err := strconv.Atoi(lower["x-amz-expires"]); err != nil || n < 0 || n > MaxPresignExpires {
		return fmt.Errorf("token URL's X-Amz-Expires %q is not 0 to %d", lower["x-amz-expires"], MaxPresignExpires)
	}
	if _, err := time.Parse(amzDateFormat, lower["x-amz-date"]); err != nil {
		return fmt.Errorf("token URL's X-Amz-Date %q is not a %s time", lower["x-amz-date"], amzDateFormat)
	}
	return nil
}
