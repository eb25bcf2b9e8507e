package chain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// SkewThreshold is the least clock difference with AWS that ClockSkew
// reports from a response's Date header: below it, signatures still pass.
const SkewThreshold = 5 * time.Minute

// STS says, for a request dated outside its 15-minute window:
//
//	Signature not yet current: 20260101T002000Z is still later than 20260101T001500Z (20260101T000000Z + 15 min.)
//	Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T002000Z - 15 min.)
//
// The first timestamp is the request's, the one in parentheses STS's clock.
var skewMessageRe = regexp.MustCompile(`Signature (?:not yet current|expired): (\d{8}T\d{6}Z) is (?:still later|now earlier) than \d{8}T\d{6}Z \((\d{8}T\d{6}Z) [+-] 15 min\.\)`)

const amzDate = "20060102T150405Z"

// ClockSkew tells from an STS error how far the caller's clock is from
// AWS's: positive when the caller's clock is ahead. It reads the two
// timestamps of a "Signature not yet current" or "Signature expired"
// message, else, for a signature error, the response's Date header against
// now. ok is false when the error does not show a skew of at least
// SkewThreshold.
func ClockSkew(err error, now time.Time) (skew time.Duration, ok bool) {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return 0, false
	}
	if m := skewMessageRe.FindStringSubmatch(api.ErrorMessage()); m != nil {
		req, err1 := time.Parse(amzDate, m[1])
		srv, err2 := time.Parse(amzDate, m[2])
		if err1 == nil && err2 == nil {
			return req.Sub(srv), true
		}
	}
	switch api.ErrorCode() {
	case "SignatureDoesNotMatch", "InvalidSignatureException", "RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture":
	default:
		return 0, false
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil || re.Response.Response == nil {
		return 0, false
	}
	date, perr := http.ParseTime(re.Response.Header.Get("Date"))
	if perr != nil {
		return 0, false
	}
	skew = now.Sub(date)
	if skew.Abs() < SkewThreshold {
		return 0, false
	}
	return skew, true
}

// SkewHint says how far off the clock is, in the user's terms.
func SkewHint(skew time.Duration) string {
	way := "ahead of"
	if skew < 0 {
		way = "behind"
	}
	n := int64(skew.Abs().Round(time.Minute) / time.Minute)
	unit := "minutes"
	if n == 1 {
		unit = "minute"
	}
	return fmt.Sprintf("your clock is %d %s off (%s AWS's); AWS and EKS refuse requests and tokens signed more than 15 minutes off: set the system clock right (e.g. `timedatectl set-ntp true`) and try again", n, unit, way)
}

// networkHint says what to check when STS could not be reached or did not
// answer in time, "" for other errors.
func networkHint(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "STS did not answer in time: check the network path to STS (proxy, firewall, AWS_ENDPOINT_URL_STS) and try again"
	case errors.As(err, &ne):
		return "STS could not be reached: check the network path to STS (proxy, firewall, AWS_ENDPOINT_URL_STS) and try again"
	}
	return ""
}
