package sso

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
)

// OIDC is the part of the sso-oidc API a sign-in uses; *ssooidc.Client
// implements it.
type OIDC interface {
	RegisterClient(ctx context.Context, in *ssooidc.RegisterClientInput, optFns ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error)
	StartDeviceAuthorization(ctx context.Context, in *ssooidc.StartDeviceAuthorizationInput, optFns ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error)
	CreateToken(ctx context.Context, in *ssooidc.CreateTokenInput, optFns ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error)
}

var _ OIDC = (*ssooidc.Client)(nil)

// ErrSignInRequired is returned by Ensure when the session has no usable
// token, it cannot be refreshed, and the caller may not ask the person to
// sign in.
var ErrSignInRequired = errors.New("the IAM Identity Center sign-in has expired or is missing")

// Outcome says where Ensure's token came from.
type Outcome string

// Outcomes.
const (
	Cached    Outcome = "cached"
	Refreshed Outcome = "refreshed"
	SignedIn  Outcome = "signed in"
)

// RefreshWindow is the time left under which a cached token is refreshed
// (when it can be) before it is used, so that the calls made with it right
// after never meet an expired token.
const RefreshWindow = 5 * time.Minute

// Defaults RFC 8628 gives when the service leaves them out.
const (
	defaultInterval = 5 * time.Second
	slowDownStep    = 5 * time.Second
	defaultLifetime = 10 * time.Minute
)

// deviceCodeGrant is the OAuth grant type of the device flow (RFC 8628).
const deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"

// SignIn signs in to IAM Identity Center and refreshes sign-ins.
type SignIn struct {
	OIDC OIDC
	Now  func() time.Time
	// Sleep waits d, or returns ctx's error when ctx is done first.
	Sleep func(ctx context.Context, d time.Duration) error
	// Open opens a URL in a browser; nil opens nothing (--no-browser).
	Open func(url string) error
	// Out gets the person's instructions (stderr); never a secret.
	Out io.Writer
	// ClientName names the registered client, as the portal shows it.
	ClientName string
	// Log gets verbose lines; may be nil. Never a secret.
	Log func(format string, args ...any)
}

// Ensure returns a token for s from the cache folder dir with at least
// RefreshWindow left when it can: the cached one; else one refreshed with
// its refresh token (saved to dir); else a cached one that still has a
// minute; else, when interactive, a new sign-in (saved to dir). Otherwise
// the error wraps ErrSignInRequired.
func (si *SignIn) Ensure(ctx context.Context, dir string, s Session, interactive bool) (Token, Outcome, error) {
	now := si.Now()
	tok, err := Load(dir, s)
	if err != nil && !errors.Is(err, ErrNoToken) {
		return Token{}, "", err
	}
	if err != nil {
		si.logf("sso: %v", err)
	}
	if tok.ValidFor(now, RefreshWindow) {
		si.logf("sso: cached token for %s, expires %s", s, tok.ExpiresAt.UTC().Format(time.RFC3339))
		return tok, Cached, nil
	}
	if tok.Refreshable(now) {
		nt, rerr := si.Refresh(ctx, s, tok)
		if rerr == nil {
			if err := Save(dir, s, nt); err != nil {
				return Token{}, "", err
			}
			si.logf("sso: token for %s refreshed, expires %s", s, nt.ExpiresAt.UTC().Format(time.RFC3339))
			return nt, Refreshed, nil
		}
		if ctx.Err() != nil {
			return Token{}, "", rerr
		}
		si.logf("sso: refresh failed: %v", rerr)
	}
	if tok.ValidFor(si.Now(), time.Minute) {
		return tok, Cached, nil
	}
	if !interactive {
		return Token{}, "", fmt.Errorf("%s: %w", s, ErrSignInRequired)
	}
	nt, err := si.DeviceAuthorization(ctx, s, tok)
	if err != nil {
		return Token{}, "", err
	}
	if err := Save(dir, s, nt); err != nil {
		return Token{}, "", err
	}
	return nt, SignedIn, nil
}

// Refresh renews tok with its refresh token (the refresh_token grant) and
// returns the new token, keeping the client registration.
func (si *SignIn) Refresh(ctx context.Context, s Session, tok Token) (Token, error) {
	if !tok.Refreshable(si.Now()) {
		return Token{}, errors.New("the cached sign-in has no refresh token or its client registration expired")
	}
	out, err := si.OIDC.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId: aws.String(tok.ClientID), ClientSecret: aws.String(tok.ClientSecret),
		GrantType: aws.String("refresh_token"), RefreshToken: aws.String(tok.RefreshToken),
	})
	if err != nil {
		return Token{}, fmt.Errorf("refreshing the IAM Identity Center sign-in: %w", err)
	}
	nt := si.token(s, out, tok.ClientID, tok.ClientSecret, tok.RegistrationExpiresAt)
	if nt.RefreshToken == "" {
		nt.RefreshToken = tok.RefreshToken
	}
	return nt, nil
}

// DeviceAuthorization runs the device flow for s: it reuses prev's client
// registration while it lasts the whole flow, else registers a client;
// writes the URL and code to Out and opens the browser; and polls until
// the person approves. It returns when the device code expires, the person
// denies it, or ctx is done (Ctrl-C), with an error saying which.
func (si *SignIn) DeviceAuthorization(ctx context.Context, s Session, prev Token) (Token, error) {
	clientID, secret, regExpires := prev.ClientID, prev.ClientSecret, prev.RegistrationExpiresAt
	reused := clientID != "" && secret != "" && si.Now().Add(time.Hour).Before(regExpires)
	var auth *ssooidc.StartDeviceAuthorizationOutput
	for {
		if !reused {
			reg, err := si.OIDC.RegisterClient(ctx, &ssooidc.RegisterClientInput{
				ClientName: aws.String(si.ClientName), ClientType: aws.String("public"), Scopes: s.Scopes,
			})
			if err != nil {
				return Token{}, fmt.Errorf("registering with IAM Identity Center (%s): %w", s.Region, err)
			}
			clientID, secret = aws.ToString(reg.ClientId), aws.ToString(reg.ClientSecret)
			regExpires = time.Unix(reg.ClientSecretExpiresAt, 0)
		}
		var err error
		auth, err = si.OIDC.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
			ClientId: aws.String(clientID), ClientSecret: aws.String(secret), StartUrl: aws.String(s.StartURL),
		})
		if err == nil {
			break
		}
		// A cached registration the service no longer knows: register anew, once.
		var api smithy.APIError
		if reused && errors.As(err, &api) && api.ErrorCode() == "InvalidClientException" {
			si.logf("sso: the cached client registration was refused; registering again")
			reused = false
			continue
		}
		return Token{}, fmt.Errorf("starting the IAM Identity Center sign-in for %s: %w", s.StartURL, err)
	}
	interval := time.Duration(auth.Interval) * time.Second
	if interval <= 0 {
		interval = defaultInterval
	}
	lifetime := time.Duration(auth.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = defaultLifetime
	}
	deadline := si.Now().Add(lifetime)
	code, uri, complete := aws.ToString(auth.UserCode), aws.ToString(auth.VerificationUri), aws.ToString(auth.VerificationUriComplete)
	fmt.Fprintf(si.Out, "Sign in to IAM Identity Center (%s):\n  open %s\n  and confirm the code %s\n", s.StartURL, uri, code)
	if complete == "" {
		complete = uri
	}
	if si.Open != nil {
		if err := si.Open(complete); err != nil {
			fmt.Fprintf(si.Out, "  (no browser opened: %v)\n", err)
		} else {
			fmt.Fprintf(si.Out, "  (a browser window was opened at %s)\n", complete)
		}
	}
	fmt.Fprintf(si.Out, "Waiting for the approval (the code expires at %s)...\n", deadline.Format("15:04:05"))
	for {
		if err := si.Sleep(ctx, interval); err != nil {
			return Token{}, fmt.Errorf("IAM Identity Center sign-in cancelled: %w", err)
		}
		if !si.Now().Before(deadline) {
			return Token{}, fmt.Errorf("the sign-in code %s expired before it was approved; run the command again", code)
		}
		out, err := si.OIDC.CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId: aws.String(clientID), ClientSecret: aws.String(secret),
			GrantType: aws.String(deviceCodeGrant), DeviceCode: auth.DeviceCode,
		})
		if err == nil {
			fmt.Fprintln(si.Out, "Signed in.")
			return si.token(s, out, clientID, secret, regExpires), nil
		}
		if ctx.Err() != nil {
			return Token{}, fmt.Errorf("IAM Identity Center sign-in cancelled: %w", ctx.Err())
		}
		var api smithy.APIError
		code := ""
		if errors.As(err, &api) {
			code = api.ErrorCode()
		}
		switch code {
		case "AuthorizationPendingException":
		case "SlowDownException":
			interval += slowDownStep
			si.logf("sso: asked to slow down; polling every %s", interval)
		case "ExpiredTokenException":
			return Token{}, fmt.Errorf("the sign-in code %s expired before it was approved; run the command again", aws.ToString(auth.UserCode))
		case "AccessDeniedException":
			return Token{}, errors.New("the IAM Identity Center sign-in was denied in the browser")
		default:
			return Token{}, fmt.Errorf("waiting for the IAM Identity Center sign-in: %w", err)
		}
	}
}

// token makes the cached token from a CreateToken answer.
func (si *SignIn) token(s Session, out *ssooidc.CreateTokenOutput, clientID, secret string, regExpires time.Time) Token {
	return Token{
		StartURL: s.StartURL, Region: s.Region,
		AccessToken:  aws.ToString(out.AccessToken),
		ExpiresAt:    si.Now().Add(time.Duration(out.ExpiresIn) * time.Second).Truncate(time.Second),
		RefreshToken: aws.ToString(out.RefreshToken),
		ClientID:     clientID, ClientSecret: secret, RegistrationExpiresAt: regExpires,
	}
}

func (si *SignIn) logf(format string, args ...any) {
	if si.Log != nil {
		si.Log(format, args...)
	}
}
