package chain

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// SharedFiles names the shared config and credentials files to read. The
// caller resolves AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE and the home
// directory; WalkProfile reads exactly these files (none for a nil slice,
// never the SDK's default ~/.aws paths behind the caller's back). A file that
// does not exist counts as empty, as in the SDK.
type SharedFiles struct {
	ConfigFiles, CredentialsFiles []string
}

// BaseKind says where a chain's base credentials come from.
type BaseKind string

// Base kinds.
const (
	BaseStatic           BaseKind = "static"            // aws_access_key_id/aws_secret_access_key in the profile
	BaseCredentialSource BaseKind = "credential-source" // credential_source=Environment|Ec2InstanceMetadata|EcsContainer
	BaseSSO              BaseKind = "sso"               // sso_session / sso_start_url
	BaseProcess          BaseKind = "process"           // credential_process
	BaseWebIdentity      BaseKind = "web-identity"      // web_identity_token_file (+ its role_arn, part of the base)
	BaseLogin            BaseKind = "login"             // login_session (aws login)
	// BaseDefault: the profile names no credentials of its own (say, only a
	// region); the SDK's default chain (environment, container, instance
	// role) supplies them.
	BaseDefault BaseKind = "default"
)

// Credential sources a profile may name.
const (
	CredentialSourceEnvironment = "Environment"
	CredentialSourceEC2         = "Ec2InstanceMetadata"
	CredentialSourceECS         = "EcsContainer"
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

// WalkProfile resolves profile name's role_arn/source_profile chain with the
// AWS SDK's shared config loader and returns its root (Base) and the hops
// from the root outwards, so each hop can be assumed and cached on its own.
// A profile that names itself as source_profile and holds static keys is the
// usual "assume my own role" form; any other loop is an error.
func WalkProfile(ctx context.Context, name string, files SharedFiles) (Base, []Hop, error) {
	load := func(p string) (config.SharedConfig, error) {
		return config.LoadSharedConfigProfile(ctx, p, func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles = append([]string{}, files.ConfigFiles...)
			o.CredentialsFiles = append([]string{}, files.CredentialsFiles...)
		})
	}
	top, err := load(name)
	if err != nil {
		return Base{}, nil, profileLoadError(name, err, load)
	}

	var hops []Hop // outermost first; reversed at the end
	seen := map[string]bool{}
	node := &top
	for {
		seen[node.Profile] = true
		if node.Source == nil {
			break
		}
		if node.RoleARN != "" {
			h, err := hopFromProfile(node)
			if err != nil {
				return Base{}, nil, err
			}
			hops = append(hops, h)
		}
		src := node.Source
		selfRef := src.Profile == node.Profile && src.Credentials.HasKeys()
		if seen[src.Profile] && !selfRef {
			return Base{}, nil, fmt.Errorf("profile %q: source_profile loop: profile %q names source_profile %q, which is already in the chain", name, node.Profile, src.Profile)
		}
		node = src
	}

	base := Base{Profile: node.Profile, CredentialSource: node.CredentialSource}
	roleIsHop := true
	switch {
	case node.Credentials.HasKeys():
		base.Kind, base.static = BaseStatic, node.Credentials
	case node.CredentialSource != "":
		base.Kind = BaseCredentialSource
		switch node.CredentialSource {
		case CredentialSourceEnvironment, CredentialSourceEC2, CredentialSourceECS:
		default:
			return Base{}, nil, fmt.Errorf("profile %q: credential_source %q must be %s, %s or %s", node.Profile, node.CredentialSource, CredentialSourceEnvironment, CredentialSourceEC2, CredentialSourceECS)
		}
	case node.WebIdentityTokenFile != "":
		base.Kind, roleIsHop = BaseWebIdentity, false
	case node.SSOSessionName != "" || node.SSOStartURL != "":
		base.Kind, base.SSORegion = BaseSSO, node.SSORegion
		if node.SSOSession != nil && node.SSOSession.SSORegion != "" {
			base.SSORegion = node.SSOSession.SSORegion
		}
	case node.LoginSession != "":
		base.Kind = BaseLogin
	case node.CredentialProcess != "":
		base.Kind = BaseProcess
	default:
		if node.RoleARN != "" {
			return Base{}, nil, fmt.Errorf("profile %q has role_arn %s but neither source_profile nor credential_source to sign the AssumeRole call with", node.Profile, node.RoleARN)
		}
		base.Kind = BaseDefault
	}
	if roleIsHop && node.RoleARN != "" {
		h, err := hopFromProfile(node)
		if err != nil {
			return Base{}, nil, err
		}
		hops = append(hops, h)
	}
	for i, j := 0, len(hops)-1; i < j; i, j = i+1, j-1 {
		hops[i], hops[j] = hops[j], hops[i]
	}
	return base, hops, nil
}

func hopFromProfile(c *config.SharedConfig) (Hop, error) {
	h := Hop{
		RoleARN:     c.RoleARN,
		ExternalID:  c.ExternalID,
		SessionName: c.RoleSessionName,
		MFASerial:   c.MFASerial,
		FromProfile: c.Profile,
	}
	if c.RoleDurationSeconds != nil {
		h.Duration = *c.RoleDurationSeconds
	}
	var err error
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
		return Hop{}, fmt.Errorf("profile %q: %w", c.Profile, err)
	}
	return h, nil
}

// profileLoadError turns the SDK's loader errors into ones that say what is
// wrong in the user's terms.
func profileLoadError(name string, err error, load func(string) (config.SharedConfig, error)) error {
	var notExist config.SharedConfigProfileNotExistError
	var assume config.SharedConfigAssumeRoleError
	switch {
	case errors.As(err, &assume) && errors.As(assume.Err, &notExist):
		return fmt.Errorf("profile %q: source_profile %q (of the profile with role_arn %s) does not exist", name, assume.Profile, assume.RoleARN)
	case errors.As(err, &notExist):
		return fmt.Errorf("profile %q not found in the shared config or credentials files: %w", name, err)
	case errors.As(err, &assume) && assume.Err == nil:
		// The SDK clears a profile's source_profile when it meets the profile
		// a second time and then finds it has no credentials. Loading that
		// profile alone tells a loop (it fails the same way) from a source
		// profile that simply has no credentials.
		_, again := load(assume.Profile)
		var a2 config.SharedConfigAssumeRoleError
		if errors.As(again, &a2) && a2.Err == nil && a2.Profile == assume.Profile {
			return fmt.Errorf("profile %q: source_profile loop: profile %q is reached again through source_profile (from the profile with role_arn %s)", name, assume.Profile, assume.RoleARN)
		}
		return fmt.Errorf("profile %q: source_profile %q (of the profile with role_arn %s) has no credentials", name, assume.Profile, assume.RoleARN)
	}
	return fmt.Errorf("profile %q: %w", name, err)
}
