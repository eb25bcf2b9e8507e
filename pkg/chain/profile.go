package chain

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/eksxa/kubectl-eksxa/pkg/sharedconfig"
)

// SharedFiles names the shared config and credentials files to read. The
// caller resolves AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE and the home
// directory; WalkProfile reads exactly these files (none for a nil slice,
// never ~/.aws behind the caller's back). A file that does not exist counts
// as empty, as in botocore.
type SharedFiles = sharedconfig.Files

// BaseKind says where a chain's base credentials come from.
type BaseKind = sharedconfig.Kind

// Base kinds.
const (
	BaseStatic           = sharedconfig.KindStatic           // aws_access_key_id/aws_secret_access_key in the profile
	BaseCredentialSource = sharedconfig.KindCredentialSource // credential_source=Environment|Ec2InstanceMetadata|EcsContainer
	BaseSSO              = sharedconfig.KindSSO              // sso_session / sso_start_url
	BaseProcess          = sharedconfig.KindProcess          // credential_process
	BaseWebIdentity      = sharedconfig.KindWebIdentity      // web_identity_token_file (+ its role_arn, part of the base)
	BaseLogin            = sharedconfig.KindLogin            // login_session (aws login)
	// BaseDefault: the profile names no credentials of its own (say, only a
	// region); the SDK's default chain (environment, container, instance
	// role) supplies them.
	BaseDefault = sharedconfig.KindNone
)

// Credential sources a profile may name.
const (
	CredentialSourceEnvironment = sharedconfig.SourceEnvironment
	CredentialSourceEC2         = sharedconfig.SourceEC2
	CredentialSourceECS         = sharedconfig.SourceECS
)

// Base is the root of a profile chain: the profile whose own credentials sign
// the first hop.
type Base struct {
	// Profile is the root profile's name.
	Profile string
	// CredentialSource is the root profile's credential_source
	// (Environment, Ec2InstanceMetadata or EcsContainer), "" when it has none.
	// Environment means the base credentials come from AWS_ACCESS_KEY_ID etc.
	CredentialSource string
	// Kind says which kind of credentials the root profile holds.
	Kind BaseKind
	// Root is the root profile's settings (SSO, credential_process, web
	// identity); nil for a Base not made from a profile.
	Root *sharedconfig.Profile
	// SSOSession is the root's [sso-session] section, nil for none.
	SSOSession *sharedconfig.Profile
	// SSORegion is the IAM Identity Center region of a BaseSSO root
	// (sso_region, or its sso-session's): permission-set roles live under
	// a path that names it.
	SSORegion string

	static aws.Credentials
}

// Static returns the root profile's static keys when Kind is BaseStatic.
// Callers must use these rather than load the profile through the SDK's
// default chain, which would assume the profile's own role_arn as well.
func (b Base) Static() (aws.Credentials, bool) {
	return b.static, b.static.HasKeys()
}

// String describes the base without any secret.
func (b Base) String() string {
	s := fmt.Sprintf("profile %q (%s", b.Profile, b.Kind)
	if b.CredentialSource != "" {
		s += " " + b.CredentialSource
	}
	return s + ")"
}

// GoString keeps %#v from printing the static keys.
func (b Base) GoString() string { return "chain.Base{" + b.String() + "}" }

// WalkProfile reads files and resolves profile name (see ResolveProfile).
func WalkProfile(_ context.Context, name string, files SharedFiles) (Base, []Hop, error) {
	cfg, err := sharedconfig.Load(os.ReadFile, files)
	if err != nil {
		return Base{}, nil, err
	}
	return ResolveProfile(cfg, name)
}

// ResolveProfile returns what profile name means in cfg: its root (Base)
// and the hops from the root outwards, so each hop can be assumed and
// cached on its own. The rules are the AWS CLI's (see
// sharedconfig.Config.Chain); the hops' settings are checked as a
// --role-arn SPEC's are, and errors name the profile and the setting.
func ResolveProfile(cfg *sharedconfig.Config, name string) (Base, []Hop, error) {
	ch, err := cfg.Chain(name)
	if err != nil {
		return Base{}, nil, err
	}
	base := Base{Profile: ch.Root.Name, Kind: ch.Kind, CredentialSource: ch.CredentialSource, Root: ch.Root, SSOSession: ch.SSOSession}
	if ch.Kind == BaseSSO {
		base.SSORegion = ch.Root.Get("sso_region")
		if ch.SSOSession != nil && ch.SSOSession.Get("sso_region") != "" {
			base.SSORegion = ch.SSOSession.Get("sso_region")
		}
	}
	if ch.Kind == BaseStatic {
		base.static = aws.Credentials{
			AccessKeyID:     ch.Root.Get("aws_access_key_id"),
			SecretAccessKey: ch.Root.Get("aws_secret_access_key"),
			SessionToken:    ch.Root.Get("aws_session_token"),
			Source:          "SharedConfigCredentials: " + ch.Root.File("aws_access_key_id"),
		}
	}
	var hops []Hop
	for _, l := range ch.Links {
		h, err := hopFromLink(l)
		if err != nil {
			return Base{}, nil, err
		}
		hops = append(hops, h)
	}
	return base, hops, nil
}

func hopFromLink(l sharedconfig.Link) (Hop, error) {
	h := Hop{
		RoleARN:     l.RoleARN,
		ExternalID:  l.ExternalID,
		SessionName: l.RoleSessionName,
		MFASerial:   l.MFASerial,
		FromProfile: l.Profile,
	}
	var err error
	if l.DurationSeconds != "" {
		n, perr := strconv.Atoi(l.DurationSeconds)
		if perr != nil {
			return Hop{}, fmt.Errorf("profile %q: duration_seconds %q is not a whole number of seconds", l.Profile, l.DurationSeconds)
		}
		h.Duration = time.Duration(n) * time.Second
	}
	switch {
	case ValidateRoleARN(h.RoleARN) != nil:
		err = fmt.Errorf("role_arn: %w", ValidateRoleARN(h.RoleARN))
	case h.ExternalID != "" && validateExternalID(h.ExternalID) != nil:
		err = fmt.Errorf("external_id: %w", validateExternalID(h.ExternalID))
	case h.SessionName != "" && ValidateSessionName(h.SessionName) != nil:
		err = fmt.Errorf("role_session_name: %w", ValidateSessionName(h.SessionName))
	case h.MFASerial != "" && validateMFASerial(h.MFASerial) != nil:
		err = fmt.Errorf("mfa_serial: %w", validateMFASerial(h.MFASerial))
	case h.Duration != 0 && validateDuration(h.Duration, fmtDuration(h.Duration)) != nil:
		err = fmt.Errorf("duration_seconds: %w", validateDuration(h.Duration, fmtDuration(h.Duration)))
	}
	if err != nil {
		return Hop{}, fmt.Errorf("profile %q: %w", l.Profile, err)
	}
	return h, nil
}
