package fakeaws

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file is an independent implementation of AWS Signature Version 4
// verification, written from the public specification ("Create a signed AWS
// API request" and "Authenticating requests: using query parameters"). It
// deliberately shares no code with the AWS SDK's signer, so that the SDK and
// the project's own presigning are checked against a second reading of the
// spec.

const (
	sigAlgorithm   = "AWS4-HMAC-SHA256"
	amzDateLayout  = "20060102T150405Z"
	scopeTerm      = "aws4_request"
	emptyBodySHA   = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	maxPresignSecs = 7 * 24 * 60 * 60
)

// signedRequest is what a SigV4-signed request claims, parsed from either the
// Authorization header or the X-Amz-* query parameters, together with the
// canonical request the server rebuilt from the bytes it received.
type signedRequest struct {
	AccessKeyID   string
	AmzDate       string
	Time          time.Time
	ScopeDate     string
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	Presigned     bool
	Expires       time.Duration // presigned only
	SecurityToken string

	CanonicalRequest string
	StringToSign     string
}

// sigError is a parse or verification failure, already named with the
// STS error code it maps to.
type sigError struct {
	Code    string // STS-style code, e.g. SignatureDoesNotMatch
	Message string
}

func (e *sigError) Error() string { return e.Code + ": " + e.Message }

func incomplete(format string, a ...any) *sigError {
	return &sigError{Code: "IncompleteSignature", Message: fmt.Sprintf(format, a...)}
}

func mismatch(format string, a ...any) *sigError {
	return &sigError{Code: "SignatureDoesNotMatch", Message: fmt.Sprintf(format, a...)}
}

// parseSignedRequest reads the SigV4 claims of r and rebuilds its canonical
// request and string to sign. body is the full request body (already read).
// It does not look at keys or the clock: see (*signedRequest).verify and the
// server's authenticate.
func parseSignedRequest(r *http.Request, body []byte) (*signedRequest, *sigError) {
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, incomplete("malformed query string")
	}
	authz := r.Header.Get("Authorization")
	_, queryAuth := query["X-Amz-Algorithm"]
	switch {
	case authz != "" && queryAuth:
		return nil, incomplete("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case authz == "" && !queryAuth:
		return nil, &sigError{Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token"}
	}

	sr := &signedRequest{Presigned: queryAuth}
	var credential, signedHeaders string
	if queryAuth {
		if alg := query.Get("X-Amz-Algorithm"); alg != sigAlgorithm {
			return nil, incomplete("Unsupported AWS 'algorithm': '%s'.", alg)
		}
		for _, k := range []string{"X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date", "X-Amz-Expires"} {
			if query.Get(k) == "" {
				return nil, incomplete("AWS query-string parameters must include '%s'. Re-examine the query-string parameters.", k)
			}
		}
		credential = query.Get("X-Amz-Credential")
		signedHeaders = query.Get("X-Amz-SignedHeaders")
		sr.Signature = query.Get("X-Amz-Signature")
		sr.AmzDate = query.Get("X-Amz-Date")
		secs, err := strconv.Atoi(query.Get("X-Amz-Expires"))
		if err != nil || secs < 1 || secs > maxPresignSecs {
			return nil, incomplete("X-Amz-Expires must be a number of seconds between 1 and %d", maxPresignSecs)
		}
		sr.Expires = time.Duration(secs) * time.Second
		sr.SecurityToken = query.Get("X-Amz-Security-Token")
	} else {
		alg, rest, _ := strings.Cut(authz, " ")
		if alg != sigAlgorithm {
			return nil, incomplete("Unsupported AWS 'algorithm': '%s'.", alg)
		}
		fields := map[string]string{}
		for _, part := range strings.Split(rest, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				return nil, incomplete("Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=%s", sigAlgorithm)
			}
			fields[k] = v
		}
		for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
			if fields[k] == "" {
				return nil, incomplete("Authorization header requires '%s' parameter. Authorization=%s", k, sigAlgorithm)
			}
		}
		credential, signedHeaders, sr.Signature = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
		sr.AmzDate = r.Header.Get("X-Amz-Date")
		if sr.AmzDate == "" {
			return nil, incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", sigAlgorithm)
		}
		sr.SecurityToken = r.Header.Get("X-Amz-Security-Token")
	}

	t, err := time.Parse(amzDateLayout, sr.AmzDate)
	if err != nil {
		return nil, incomplete("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", sr.AmzDate)
	}
	sr.Time = t

	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[0] == "" {
		return nil, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", redactCredential(credential))
	}
	sr.AccessKeyID, sr.ScopeDate, sr.Region, sr.Service = scope[0], scope[1], scope[2], scope[3]
	if scope[4] != scopeTerm {
		return nil, mismatch("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", scope[4])
	}
	if sr.ScopeDate != sr.AmzDate[:8] {
		return nil, mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", sr.ScopeDate, sr.AmzDate[:8], sr.AmzDate)
	}
	if sr.Region == "" {
		return nil, mismatch("Credential should be scoped to a valid region.")
	}

	sr.SignedHeaders = strings.Split(signedHeaders, ";")
	if !sort.StringsAreSorted(sr.SignedHeaders) {
		return nil, mismatch("SignedHeaders must be sorted: '%s'.", signedHeaders)
	}
	hasHost := false
	for _, h := range sr.SignedHeaders {
		if h == "" || h != strings.ToLower(h) {
			return nil, incomplete("SignedHeaders must be lowercase header names separated by ';': '%s'.", signedHeaders)
		}
		if h == "host" {
			hasHost = true
		}
	}
	if !sr.Presigned && !sr.signs("x-amz-date") {
		return nil, mismatch("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if !hasHost {
		return nil, mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if r.Host == "" {
		return nil, mismatch("the request has no Host header, which is a signed header")
	}

	payloadHash := sha256Hex(body)
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" && claimed != payloadHash {
		return nil, mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.")
	}

	sr.CanonicalRequest = strings.Join([]string{
		r.Method,
		canonicalURI(r.URL),
		canonicalQuery(query),
		canonicalHeaders(r, sr.SignedHeaders),
		signedHeaders,
		payloadHash,
	}, "\n")
	sr.StringToSign = strings.Join([]string{
		sigAlgorithm,
		sr.AmzDate,
		strings.Join(scope[1:], "/"),
		sha256Hex([]byte(sr.CanonicalRequest)),
	}, "\n")
	return sr, nil
}

// verify reports whether the claimed signature is the one secret produces.
func (sr *signedRequest) verify(secret string) bool {
	key := signingKey(secret, sr.ScopeDate, sr.Region, sr.Service)
	want := hex.EncodeToString(hmacSHA256(key, []byte(sr.StringToSign)))
	return hmac.Equal([]byte(want), []byte(sr.Signature))
}

// signs reports whether header h (lowercase) is among the signed headers.
func (sr *signedRequest) signs(h string) bool {
	for _, s := range sr.SignedHeaders {
		if s == h {
			return true
		}
	}
	return false
}

// signingKey derives the SigV4 signing key:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte(scopeTerm))
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// canonicalURI is the URI-encoded path. Every AWS service except S3 encodes
// the (already escaped) path a second time, so "%3A" becomes "%253A".
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return uriEncode(p, false)
}

// canonicalQuery sorts the decoded parameters by encoded name then value,
// leaving out X-Amz-Signature.
func canonicalQuery(q url.Values) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range q {
		if k == "X-Amz-Signature" {
			continue
		}
		ek := uriEncode(k, true)
		for _, v := range vs {
			pairs = append(pairs, pair{ek, uriEncode(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// canonicalHeaders renders the signed headers as "name:value\n" lines, values
// trimmed, inner runs of spaces collapsed, repeated headers joined by commas.
// A signed header that the request does not carry renders empty, and the
// signature then does not match.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, h := range signed {
		var vals []string
		switch h {
		case "host":
			vals = []string{r.Host}
		case "content-length":
			vals = r.Header.Values("Content-Length")
			if len(vals) == 0 && r.ContentLength >= 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		default:
			vals = r.Header.Values(h)
		}
		clean := make([]string, len(vals))
		for i, v := range vals {
			clean[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(strings.Join(clean, ","))
		b.WriteByte('\n')
	}
	return b.String()
}

// uriEncode percent-encodes every byte except the unreserved characters
// A-Z a-z 0-9 - _ . ~ (and "/" unless encodeSlash), with upper-case hex.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// redactCredential keeps a malformed credential out of the response beyond
// its shape: the access key ID is not secret, but the rest may be anything.
func redactCredential(c string) string {
	if len(c) > 128 {
		return c[:128] + "..."
	}
	return c
}
