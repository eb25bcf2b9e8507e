package sharedconfig

import (
	"fmt"
	"sort"
	"strings"
)

// Kind says where a chain's root credentials come from.
type Kind string

// Root kinds, in the order botocore tries them for a profile without a
// role to assume (ProfileProviderBuilder.providers).
const (
	KindWebIdentity      Kind = "web-identity"      // web_identity_token_file (+ role_arn, part of the root)
	KindSSO              Kind = "sso"               // sso_session or sso_start_url
	KindStatic           Kind = "static"            // aws_access_key_id + aws_secret_access_key
	KindLogin            Kind = "login"             // login_session (aws login)
	KindProcess          Kind = "process"           // credential_process
	KindCredentialSource Kind = "credential-source" //nolint:gosec // G101: a kind's name, not a credential; credential_source of a profile with role_arn
	// KindNone: the profile holds no credentials of its own; the default
	// chain (environment, container, instance role) supplies them.
	KindNone Kind = "none"
)

// Credential sources a profile may name.
const (
	SourceEnvironment = "Environment"
	SourceEC2         = "Ec2InstanceMetadata"
	SourceECS         = "EcsContainer"
)

// Link is one role_arn of a chain, as its profile wrote it. Values are
// raw; the caller validates them.
type Link struct {
	Profile         string
	RoleARN         string
	ExternalID      string
	RoleSessionName string
	MFASerial       string
	DurationSeconds string
}

// Chain is what a profile means: the root credentials and the roles
// assumed from them, root first.
type Chain struct {
	// Selected is the profile asked for; it holds the region and the
	// other client settings.
	Selected *Profile
	// Root is the profile whose own credentials sign the first link.
	Root *Profile
	Kind Kind
	// CredentialSource is the root's credential_source for
	// KindCredentialSource.
	CredentialSource string
	// SSOSession is the root's [sso-session] for KindSSO with sso_session.
	SSOSession *Profile
	Links      []Link
}

// Chain resolves profile name as botocore's AssumeRoleProvider and
// ProfileProviderBuilder do:
//
//   - a profile with role_arn (and no web_identity_token_file) is a link,
//     signed by its credential_source or by its source_profile (not both,
//     one of them required);
//   - a source_profile with static keys, or without role_arn, is the root:
//     its own credentials (web identity, SSO, keys in the credentials
//     file, login, credential_process, keys in the config file, in that
//     order); otherwise its role is one more link;
//   - a source_profile seen before is a loop, unless a profile names
//     itself and has static keys ("assume my own role").
//
// Errors name the profile, the setting and the files read.
func (c *Config) Chain(name string) (Chain, error) {
	top := c.profiles[name]
	if top == nil {
		return Chain{}, &NotFoundError{What: "profile", Name: name, Files: c.files.All(), Known: c.ProfileNames()}
	}
	ch := Chain{Selected: top}
	visited := []string{name}
	var links []Link // outermost first
	p := top
	for hasRole(p) {
		l, err := linkOf(p)
		if err != nil {
			return Chain{}, err
		}
		links = append(links, l)
		src, cs := p.Get("source_profile"), p.Get("credential_source")
		if p.Has("credential_source") {
			switch cs {
			case SourceEnvironment, SourceEC2, SourceECS:
			default:
				return Chain{}, fmt.Errorf("profile %q: credential_source %q must be %s, %s or %s", p.Name, cs, SourceEnvironment, SourceEC2, SourceECS)
			}
			ch.Root, ch.Kind, ch.CredentialSource = p, KindCredentialSource, cs
			break
		}
		sp := c.profiles[src]
		if sp == nil {
			return Chain{}, &NotFoundError{What: "source_profile", Name: src, Of: p.Name, Files: c.files.All(), Known: c.ProfileNames()}
		}
		if contains(visited, src) && (src != p.Name || !hasStatic(sp)) {
			return Chain{}, fmt.Errorf("profile %q: source_profile loop: %s -> %s", name, strings.Join(visited, " -> "), src)
		}
		visited = append(visited, src)
		if hasStatic(sp) || !hasRole(sp) {
			if err := c.setRoot(&ch, sp, p.Name); err != nil {
				return Chain{}, err
			}
			break
		}
		p = sp
	}
	if ch.Root == nil {
		if err := c.setRoot(&ch, top, ""); err != nil {
			return Chain{}, err
		}
	}
	for i, j := 0, len(links)-1; i < j; i, j = i+1, j-1 {
		links[i], links[j] = links[j], links[i]
	}
	if len(links) > 0 {
		ch.Links = links
	}
	return ch, nil
}

// setRoot finds p's own credentials. A source profile (of profile of)
// must have some.
func (c *Config) setRoot(ch *Chain, p *Profile, of string) error {
	ch.Root = p
	switch {
	case p.Has("web_identity_token_file"):
		ch.Kind = KindWebIdentity
	case p.Has("sso_session") || p.Has("sso_start_url"):
		ch.Kind = KindSSO
		if name := p.Get("sso_session"); p.Has("sso_session") {
			s := c.ssoSessions[name]
			if s == nil {
				return &NotFoundError{What: "sso-session", Name: name, Of: p.Name, Files: c.files.ConfigFiles}
			}
			ch.SSOSession = s
		}
		return checkSSO(p, ch.SSOSession)
	case fromFileHasStatic(p, c.files.CredentialsFiles):
		ch.Kind = KindStatic
	case p.Has("login_session"):
		ch.Kind = KindLogin
	case p.Has("credential_process"):
		ch.Kind = KindProcess
	case hasStatic(p):
		ch.Kind = KindStatic
	default:
		ch.Kind = KindNone
		if of != "" {
			return fmt.Errorf("profile %q: source_profile %q has no credentials in %s", of, p.Name, strings.Join(c.files.All(), ", "))
		}
		return nil
	}
	if ch.Kind == KindStatic {
		return checkStatic(p)
	}
	return nil
}

func hasRole(p *Profile) bool {
	return p.Has("role_arn") && !p.Has("web_identity_token_file")
}

func hasStatic(p *Profile) bool {
	return p.Has("aws_access_key_id") || p.Has("aws_secret_access_key")
}

func fromFileHasStatic(p *Profile, credFiles []string) bool {
	for _, k := range []string{"aws_access_key_id", "aws_secret_access_key"} {
		if p.Has(k) && contains(credFiles, p.File(k)) {
			return true
		}
	}
	return false
}

func linkOf(p *Profile) (Link, error) {
	if p.Has("source_profile") && p.Has("credential_source") {
		return Link{}, fmt.Errorf("profile %q: both source_profile and credential_source are set; keep one", p.Name)
	}
	if !p.Has("source_profile") && !p.Has("credential_source") {
		return Link{}, fmt.Errorf("profile %q has role_arn %s but neither source_profile nor credential_source to sign the AssumeRole call with", p.Name, p.Get("role_arn"))
	}
	return Link{
		Profile:         p.Name,
		RoleARN:         p.Get("role_arn"),
		ExternalID:      p.Get("external_id"),
		RoleSessionName: p.Get("role_session_name"),
		MFASerial:       p.Get("mfa_serial"),
		DurationSeconds: p.Get("duration_seconds"),
	}, nil
}

// checkStatic names a missing half of a key pair, and a key that looks
// like a typo of it.
func checkStatic(p *Profile) error {
	for _, pair := range [][2]string{{"aws_access_key_id", "aws_secret_access_key"}, {"aws_secret_access_key", "aws_access_key_id"}} {
		have, want := pair[0], pair[1]
		if p.Has(have) && !p.Has(want) {
			msg := fmt.Sprintf("profile %q in %s has %s but no %s", p.Name, p.File(have), have, want)
			if typo := nearest(p, want); typo != "" {
				msg += fmt.Sprintf(" (%s looks like a typo of it)", typo)
			}
			return fmt.Errorf("%s", msg)
		}
	}
	return nil
}

// checkSSO names the settings an SSO profile lacks.
func checkSSO(p, session *Profile) error {
	var missing []string
	for _, k := range []string{"sso_account_id", "sso_role_name"} {
		if !p.Has(k) {
			missing = append(missing, k)
		}
	}
	where := p
	if session != nil {
		where = session
	}
	for _, k := range []string{"sso_start_url", "sso_region"} {
		if !where.Has(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	s := fmt.Sprintf("profile %q", p.Name)
	if session != nil {
		s += fmt.Sprintf(" (sso-session %q)", session.Name)
	}
	return fmt.Errorf("%s: IAM Identity Center settings missing: %s; run `aws configure sso --profile %s`", s, strings.Join(missing, ", "), p.Name)
}

// nearest returns the profile's setting closest to want, when it is a
// likely typo (at most two edits away) and not want itself.
func nearest(p *Profile, want string) string {
	keys := p.Keys()
	sort.Strings(keys)
	best, bestD := "", 3
	for _, k := range keys {
		if k == want {
			continue
		}
		if d := editDistance(k, want); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
