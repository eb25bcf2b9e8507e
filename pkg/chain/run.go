package chain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// AssumeRoleAPI is the one STS call a hop needs.
type AssumeRoleAPI interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

var _ AssumeRoleAPI = (*sts.Client)(nil)

// NewSDKClient returns a Runner.NewClient that builds a real STS client from
// cfg (region, endpoint, retryer, HTTP client) signing with the given
// credentials.
func NewSDKClient(cfg aws.Config, optFns ...func(*sts.Options)) func(aws.Credentials) AssumeRoleAPI {
	return func(creds aws.Credentials) AssumeRoleAPI {
		c := cfg.Copy()
		c.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
		return sts.NewFromConfig(c, optFns...)
	}
}

// Session is a set of credentials with the identity they belong to.
type Session struct {
	Credentials aws.Credentials
	// ARN is the assumed-role ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION),
	// or the base identity's ARN when known, "" otherwise.
	ARN string
}

// String describes the session without any secret.
func (s Session) String() string {
	exp := "no expiry"
	if s.Credentials.CanExpire {
		exp = "expires " + s.Credentials.Expires.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("session %s (%s)", s.ARN, exp)
}

// GoString keeps %#v from printing the secret key and token.
func (s Session) GoString() string { return "chain.Session{" + s.String() + "}" }

// IsRoleSession reports whether arn is a role session (an assumed-role ARN),
// whose AssumeRole calls STS limits to one hour.
func IsRoleSession(arn string) bool { return strings.Contains(arn, ":assumed-role/") }

// SessionCache lets a Runner skip hops whose session is still valid. Index is
// the 0-based hop index in the chain the caller keyed the cache on.
type SessionCache interface {
	Get(hopIndex int) (Session, bool)
	Put(hopIndex int, s Session)
}

// SessionDeleter is implemented by a SessionCache that can drop one entry.
// The Runner drops a session STS refused (revoked, expired early); a cache
// without Delete gets an empty Session put in its place, which the Runner
// treats as a miss.
type SessionDeleter interface {
	Delete(hopIndex int)
}

// MinValidity is how long a cached session must still live to be reused.
const MinValidity = time.Minute

// Runner assumes a chain of hops.
type Runner struct {
	// NewClient returns an STS client signing with creds (see NewSDKClient).
	NewClient func(creds aws.Credentials) AssumeRoleAPI
	// Prompt asks for an MFA code (writing to stderr, reading stdin); nil
	// means non-interactive: a hop needing MFA fails with ErrMFARequired.
	// A Prompt that finds no code to read returns an error wrapping
	// ErrMFARequired, which then gets the login hint too.
	Prompt func(prompt string) (string, error)
	// NoPrompt says why there is no Prompt, for the ErrMFARequired error;
	// "" means DefaultNoPrompt.
	NoPrompt string
	Now      func() time.Time
	// Cache may be nil.
	Cache SessionCache
	// Log gets verbose lines; may be nil. It never gets a secret.
	Log func(format string, args ...any)
	// DefaultSessionName is the session name for hops that set none.
	DefaultSessionName string
	// FinalMinValidity, when longer than MinValidity, is how long the
	// last hop's cached session must still live to be reused (the final
	// session handed to another tool must outlast that tool's own
	// refresh window); earlier hops only sign the next call and need
	// MinValidity. Zero means MinValidity.
	FinalMinValidity time.Duration
}

// ErrMFARequired is wrapped by a HopError when a hop needs an MFA code and
// the Runner cannot prompt; the error goes on with Runner.NoPrompt.
var ErrMFARequired = errors.New("an MFA code is needed")

// DefaultNoPrompt is why a Runner without Prompt cannot ask, unless its
// NoPrompt says otherwise.
const DefaultNoPrompt = "there is no terminal to ask for it"

// mfaRequired is the error for hop h needing a code the Runner cannot ask.
func (r *Runner) mfaRequired(h Hop) error {
	why := r.NoPrompt
	if why == "" {
		why = DefaultNoPrompt
	}
	return fmt.Errorf("%w and %s (mfa-serial %s)", ErrMFARequired, why, h.MFASerial)
}

// HopError names the hop that failed. Index is 1-based, as printed
// ("hop Index/Total"); the cache's hopIndex is Index-1.
type HopError struct {
	Index, Total int
	RoleARN      string
	// Code is the AWS error code (smithy.APIError), "" for other errors.
	Code string
	// Hint says what to do next, "" when there is nothing obvious.
	Hint string
	Err  error
}

func (e *HopError) Error() string {
	msg := ""
	var api smithy.APIError
	switch {
	case e.Code != "" && errors.As(e.Err, &api):
		msg = e.Code + ": " + api.ErrorMessage()
	case e.Err != nil:
		msg = e.Err.Error()
	}
	s := fmt.Sprintf("hop %d/%d (%s): %s", e.Index, e.Total, e.RoleARN, msg)
	if e.Hint != "" {
		s = strings.TrimSuffix(s, ".") + "; " + e.Hint
	}
	return s
}

func (e *HopError) Unwrap() error { return e.Err }

const loginHint = "run `kubectl eksxa login` with the same flags to enter it; the session is then cached"

// Run assumes hops in order from base credentials and returns the last
// session (base itself when there are no hops). It starts from the latest
// hop whose cached session has more than MinValidity left, caches each new
// session, and when STS refuses a cached session (revoked, expired early) it
// drops it and assumes that hop again, once per hop: with every session of
// a chain revoked, each hop is assumed exactly once more.
func (r *Runner) Run(ctx context.Context, base aws.Credentials, hops []Hop) (Session, error) {
	return r.RunFrom(ctx, Session{Credentials: base}, hops)
}

// RunFrom is Run with the base identity's ARN known: when it is a role
// session, the first hop is held to the one-hour role-chaining limit too.
func (r *Runner) RunFrom(ctx context.Context, base Session, hops []Hop) (Session, error) {
	return r.run(ctx, base.ARN, func(context.Context) (Session, error) { return base, nil }, hops)
}

// RunLazy is Run with the base credentials asked of base only when a hop
// must be assumed from them (or there is no hop): while a hop's cached
// session is valid, the base is never fetched, so a warm run calls no IAM
// Identity Center portal, credential_process or instance metadata, and a
// base sign-in that has expired does not stop hops that are still cached.
// base is called at most once per run.
func (r *Runner) RunLazy(ctx context.Context, base func(context.Context) (aws.Credentials, error), hops []Hop) (Session, error) {
	var (
		got  bool
		sess Session
		err  error
	)
	return r.run(ctx, "", func(ctx context.Context) (Session, error) {
		if !got {
			got = true
			var c aws.Credentials
			c, err = base(ctx)
			sess = Session{Credentials: c}
		}
		return sess, err
	}, hops)
}

// run is RunFrom with the base fetched by getBase when first needed.
func (r *Runner) run(ctx context.Context, baseARN string, getBase func(context.Context) (Session, error), hops []Hop) (Session, error) {
	if len(hops) == 0 {
		return getBase(ctx)
	}
	if r.NewClient == nil || r.Now == nil {
		return Session{}, errors.New("chain: Runner needs NewClient and Now")
	}
	for i, h := range hops {
		if h.EffectiveDuration() > ChainedMaxDuration && (i > 0 || IsRoleSession(baseARN)) {
			return Session{}, r.hopErr(i, hops, "", fmt.Errorf(
				"duration %s exceeds the 1-hour limit STS sets for role chaining; only a hop signed by non-role credentials can get more",
				fmtDuration(h.Duration)), "")
		}
	}
	// Each refused cached session is dropped and its hop assumed again,
	// once: a redo starts strictly earlier in the chain than the one
	// before it, so the loop ends within len(hops) redos.
	redoneFrom := len(hops) + 1
	for {
		start, cur := r.resume(hops)
		if start == len(hops) {
			return cur, nil
		}
		if err := r.mfaFrom(start, hops); err != nil {
			return Session{}, err
		}
		if start == 0 {
			base, err := getBase(ctx)
			if err != nil {
				return Session{}, err
			}
			cur = base
		}
		sess, failed, err := r.assumeFrom(ctx, start, cur, hops)
		if err == nil {
			return sess, nil
		}
		var he *HopError
		if start > 0 && start < redoneFrom && failed == start && errors.As(err, &he) && RefusedSigner(he.Code) && r.Cache != nil {
			redoneFrom = start
			r.logf("hop %d/%d (%s): STS refused the cached session of hop %d (%s); dropped it, assuming again from hop %d",
				start+1, len(hops), hops[start].RoleARN, start, he.Code, start)
			if d, ok := r.Cache.(SessionDeleter); ok {
				d.Delete(start - 1)
			} else {
				r.Cache.Put(start-1, Session{})
			}
			continue
		}
		return Session{}, err
	}
}

// NeedsPrompt returns the error Run would return for want of a prompt
// (a *HopError wrapping ErrMFARequired) when the Runner cannot prompt and a
// hop that needs an MFA code would be assumed, because no later hop has a
// valid cached session; nil otherwise. It reads the cache only: no STS
// call, no base credentials. A caller that is about to wait for another
// process (one that may be sitting at its own MFA prompt) asks first, so
// that it fails at once as Run would.
func (r *Runner) NeedsPrompt(hops []Hop) error {
	if r.Prompt != nil || len(hops) == 0 {
		return nil
	}
	quiet := *r
	quiet.Log = nil
	start, _ := quiet.resume(hops)
	return r.mfaFrom(start, hops)
}

// mfaFrom is NeedsPrompt's answer for a run that starts at hop start.
func (r *Runner) mfaFrom(start int, hops []Hop) error {
	if r.Prompt != nil {
		return nil
	}
	for i := start; i < len(hops); i++ {
		if hops[i].MFASerial != "" {
			return r.hopErr(i, hops, "", r.mfaRequired(hops[i]), loginHint)
		}
	}
	return nil
}

// resume finds the last hop with a cached session that is still valid and
// returns the index of the next hop to assume and the session to sign it;
// 0 and no session when the chain starts from the base.
func (r *Runner) resume(hops []Hop) (int, Session) {
	if r.Cache == nil {
		return 0, Session{}
	}
	now := r.Now()
	for i := len(hops) - 1; i >= 0; i-- {
		s, ok := r.Cache.Get(i)
		if !ok || !s.Credentials.HasKeys() {
			continue
		}
		need := MinValidity
		if i == len(hops)-1 && r.FinalMinValidity > need {
			need = r.FinalMinValidity
		}
		if !s.Credentials.CanExpire || s.Credentials.Expires.Sub(now) <= need {
			r.logf("hop %d/%d (%s): cached session expired or expires within %s", i+1, len(hops), hops[i].RoleARN, need)
			continue
		}
		r.logf("hop %d/%d (%s): reusing cached session, %s left", i+1, len(hops), hops[i].RoleARN,
			s.Credentials.Expires.Sub(now).Truncate(time.Second))
		return i + 1, s
	}
	return 0, Session{}
}

// assumeFrom assumes hops[start:] starting from cur; on failure it returns
// the failing hop's index.
func (r *Runner) assumeFrom(ctx context.Context, start int, cur Session, hops []Hop) (Session, int, error) {
	for i := start; i < len(hops); i++ {
		next, err := r.assume(ctx, i, cur, hops)
		if err != nil {
			return Session{}, i, err
		}
		if r.Cache != nil {
			r.Cache.Put(i, next)
		}
		cur = next
	}
	return cur, 0, nil
}

func (r *Runner) assume(ctx context.Context, i int, signer Session, hops []Hop) (Session, error) {
	h := hops[i]
	name := h.SessionName
	if name == "" {
		name = r.DefaultSessionName
	}
	if name == "" {
		name = DefaultSessionName("")
	}
	in := &sts.AssumeRoleInput{
		RoleArn:         aws.String(h.RoleARN),
		RoleSessionName: aws.String(name),
		DurationSeconds: aws.Int32(int32(h.EffectiveDuration() / time.Second)), //nolint:gosec // G115: ParseHop bounds durations to 15m-12h
	}
	if h.ExternalID != "" {
		in.ExternalId = aws.String(h.ExternalID)
	}
	if h.SourceIdentity != "" {
		in.SourceIdentity = aws.String(h.SourceIdentity)
	}
	if h.MFASerial != "" {
		if r.Prompt == nil {
			return Session{}, r.hopErr(i, hops, "", r.mfaRequired(h), loginHint)
		}
		code, err := r.Prompt("MFA code for " + h.MFASerial + ": ")
		if errors.Is(err, ErrMFARequired) {
			// The prompt found no code to read (stdin ended): login
			// asks on a terminal.
			return Session{}, r.hopErr(i, hops, "", err, loginHint)
		}
		if err != nil {
			return Session{}, r.hopErr(i, hops, "", fmt.Errorf("reading the MFA code: %w", err), "")
		}
		code = strings.TrimSpace(code)
		if !mfaCodeRe.MatchString(code) {
			return Session{}, r.hopErr(i, hops, "", errors.New("the MFA code must be 6 digits"), "")
		}
		in.SerialNumber, in.TokenCode = aws.String(h.MFASerial), aws.String(code)
	}

	began := r.Now()
	out, err := r.NewClient(signer.Credentials).AssumeRole(ctx, in)
	if err != nil {
		code := ""
		var api smithy.APIError
		if errors.As(err, &api) {
			code = api.ErrorCode()
		}
		return Session{}, r.hopErr(i, hops, code, err, hint(i, h, signer, code, err, r.Now()))
	}
	if out == nil || out.Credentials == nil || out.Credentials.AccessKeyId == nil || out.Credentials.SecretAccessKey == nil ||
		out.Credentials.Expiration == nil {
		return Session{}, r.hopErr(i, hops, "", errors.New("STS answered without credentials"), "")
	}
	s := Session{Credentials: aws.Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
		Source:          "kubectl-eksxa AssumeRole",
		CanExpire:       true,
		Expires:         *out.Credentials.Expiration,
	}}
	if out.AssumedRoleUser != nil {
		s.ARN = aws.ToString(out.AssumedRoleUser.Arn)
		s.Credentials.AccountID = accountOf(s.ARN)
	}
	r.logf("hop %d/%d (%s): assumed as %s in %s, expires %s", i+1, len(hops), h.RoleARN, s.ARN,
		r.Now().Sub(began).Round(time.Millisecond), s.Credentials.Expires.UTC().Format(time.RFC3339))
	return s, nil
}

func (r *Runner) hopErr(i int, hops []Hop, code string, err error, hint string) error {
	return &HopError{Index: i + 1, Total: len(hops), RoleARN: hops[i].RoleARN, Code: code, Hint: hint, Err: err}
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		r.Log(format, args...)
	}
}

// RefusedSigner reports whether an AWS error code says STS refused the
// signing credentials themselves: they are unknown, revoked or expired
// (STS's common errors InvalidClientTokenId and ExpiredToken; the SDK and
// other services spell them ExpiredTokenException and
// UnrecognizedClientException). Only then is a cached session that signed
// the call dropped and its hop assumed again.
//
// AccessDenied is not one of them: on AssumeRole it is the target role's
// trust policy (or the signer's permissions, an SCP, a wrong external ID or
// MFA code) refusing a session STS accepted, and dropping that session
// would throw away an MFA hop's 12-hour session and ask for the code again
// without curing the denial. SignatureDoesNotMatch is not either: a
// skewed clock causes it, and the session is then still good.
func RefusedSigner(code string) bool {
	switch code {
	case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException":
		return true
	}
	return false
}

func hint(i int, h Hop, signer Session, code string, err error, now time.Time) string {
	if skew, ok := ClockSkew(err, now); ok {
		return SkewHint(skew)
	}
	if code == "" {
		return networkHint(err)
	}
	var api smithy.APIError
	msg := ""
	if errors.As(err, &api) {
		msg = api.ErrorMessage()
	}
	who := "the base credentials"
	if signer.ARN != "" {
		who = signer.ARN
	} else if i > 0 {
		who = fmt.Sprintf("the session of hop %d", i)
	}
	switch code {
	case "AccessDenied":
		if h.MFASerial != "" && strings.Contains(strings.ToLower(msg), "multifactor") {
			return "check the MFA code and that mfa-serial names your MFA device"
		}
		s := "check that the trust policy of " + h.RoleARN + " allows sts:AssumeRole for " + who
		if h.ExternalID != "" {
			s += " with this external-id"
		} else {
			s += " and whether it requires external-id="
		}
		if h.SourceIdentity != "" {
			s += ", and sts:SetSourceIdentity"
		}
		return s
	case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId":
		if i == 0 {
			return "the base credentials are expired or invalid; refresh them (aws sso login, new access keys, the environment)"
		}
		// A refused cached session is dropped and its hop assumed again
		// before this error is returned: the session was fresh, so the
		// credentials under it are what STS refuses.
		return fmt.Sprintf("STS refused the session of hop %d; if the base credentials were revoked, refresh them (aws sso login, new access keys), then run `kubectl eksxa login` with the same flags", i)
	case "ValidationError":
		if strings.Contains(msg, "DurationSeconds") {
			return "ask for less with duration=: at most the role's maximum session duration, and 1h when the hop is signed by a role session (the 1-hour role-chaining limit)"
		}
	case "RegionDisabledException":
		return "activate STS for this region in the account's IAM settings, or use another region"
	}
	return ""
}

// accountOf returns the account ID in an ARN, "" when there is none.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
