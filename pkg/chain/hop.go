package chain

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Duration limits STS puts on AssumeRole.
const (
	DefaultDuration = time.Hour
	MinDuration     = 15 * time.Minute
	MaxDuration     = 12 * time.Hour
	// ChainedMaxDuration is the most STS grants a hop signed by a role session.
	ChainedMaxDuration = time.Hour
)

// Hop is one AssumeRole step.
type Hop struct {
	RoleARN        string
	ExternalID     string
	SessionName    string
	MFASerial      string
	SourceIdentity string
	// Duration is the session duration asked for; 0 means DefaultDuration.
	Duration time.Duration
	// FromProfile is the shared-config profile the hop came from, "" for a
	// hop given as a SPEC.
	FromProfile string
}

// EffectiveDuration is the duration the hop asks STS for.
func (h Hop) EffectiveDuration() time.Duration {
	if h.Duration == 0 {
		return DefaultDuration
	}
	return h.Duration
}

// Hop SPEC setting keys, in canonical order.
const (
	keyExternalID     = "external-id"
	keySessionName    = "session-name"
	keyDuration       = "duration"
	keyMFASerial      = "mfa-serial"
	keySourceIdentity = "source-identity"
)

var specKeys = []string{keyExternalID, keySessionName, keyDuration, keyMFASerial, keySourceIdentity}

// The patterns use + where STS gives a length range, and the code checks the
// length: a bounded repetition such as {1,512} compiles into that many
// states, and package init (which runs on every call of the binary, warm
// token included) spent ~8 ms compiling mfaARNRe alone. The classes are
// ASCII, so byte lengths are character counts.
var (
	// arn:PARTITION:iam::ACCOUNT:role/[path/]name
	roleARNRe   = regexp.MustCompile(`^arn:([^:]*):iam::([^:]*):role/(.*)$`)
	partitionRe = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	accountRe   = regexp.MustCompile(`^[0-9]{12}$`)
	roleNameRe  = regexp.MustCompile(`^[\w+=,.@-]+$`) // 1-64
	// IAM path segments: printable ASCII except '/'.
	pathSegRe = regexp.MustCompile(`^[\x21-\x2e\x30-\x7e]+$`)

	sessionNameRe    = regexp.MustCompile(`^[\w+=,.@-]+$`) // 2-64
	sourceIdentityRe = sessionNameRe                       // 2-64
	externalIDRe     = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	mfaARNRe         = regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):iam::([0-9]{12}):mfa/([\w+=,.@/-]+)$`) // name 1-512
	mfaSerialRe      = regexp.MustCompile(`^[\w+=/:,.@-]+$`)                                             // 9-256
	mfaCodeRe        = regexp.MustCompile(`^[0-9]{6}$`)
)

// ParseHop parses a hop SPEC:
//
//	ARN[,external-id=ID][,session-name=NAME][,duration=1h|3600][,mfa-serial=ARN][,source-identity=ID]
//
// It is strict: the role ARN must have the IAM role shape, every setting must
// be known, given once and non-empty, and every value must be one STS accepts.
func ParseHop(spec string) (Hop, error) {
	h, err := parseHop(spec)
	if err != nil {
		return Hop{}, fmt.Errorf("hop spec %q: %w", spec, err)
	}
	return h, nil
}

func parseHop(spec string) (Hop, error) {
	if strings.TrimSpace(spec) == "" {
		return Hop{}, errors.New("empty, want a role ARN such as arn:aws:iam::111122223333:role/NAME")
	}
	parts := strings.Split(spec, ",")
	var h Hop
	h.RoleARN = strings.TrimSpace(parts[0])
	if err := ValidateRoleARN(h.RoleARN); err != nil {
		return Hop{}, err
	}
	// A part without "=" after a setting is the rest of that setting's
	// value, cut at a comma the SPEC cannot carry: say so, not that the
	// first half is malformed.
	for i := 2; i < len(parts); i++ {
		if p := strings.TrimSpace(parts[i]); p != "" && !strings.Contains(p, "=") {
			prev, _, _ := strings.Cut(strings.TrimSpace(parts[i-1]), "=")
			return Hop{}, errCommaInValue(strings.TrimSpace(prev))
		}
	}
	seen := map[string]bool{}
	for i, raw := range parts[1:] {
		part := strings.TrimSpace(raw)
		if part == "" {
			return Hop{}, fmt.Errorf("setting %d after the role ARN is empty (stray comma?)", i+1)
		}
		key, val, ok := strings.Cut(part, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			return Hop{}, fmt.Errorf("setting %q is not KEY=VALUE", part)
		}
		if !isSpecKey(key) {
			return Hop{}, fmt.Errorf("unknown setting %q, want one of %s", key, strings.Join(specKeys, ", "))
		}
		if seen[key] {
			return Hop{}, fmt.Errorf("setting %q given more than once", key)
		}
		seen[key] = true
		if val == "" {
			return Hop{}, fmt.Errorf("setting %q has an empty value", key)
		}
		var err error
		switch key {
		case keyExternalID:
			if h.ExternalID, err = val, validateExternalID(val); err != nil {
				err = fmt.Errorf("%w (in a hop SPEC without the comma, which ends a setting; %s)", err, commaFix)
			}
		case keySessionName:
			if h.SessionName, err = val, ValidateSessionName(val); err != nil {
				err = fmt.Errorf("%w (in a hop SPEC without the comma, which ends a setting; %s)", err, commaFix)
			}
		case keyDuration:
			h.Duration, err = parseDuration(val)
		case keyMFASerial:
			h.MFASerial, err = val, validateMFASerial(val)
		case keySourceIdentity:
			h.SourceIdentity, err = val, validateSourceIdentity(val)
		}
		if err != nil {
			return Hop{}, err
		}
	}
	return h, nil
}

// commaFix is how to pass a value a hop SPEC cannot carry.
const commaFix = "an external ID or session name with a comma goes in a profile: role_arn with external_id or role_session_name in ~/.aws/config, selected with --profile"

// errCommaInValue says that key's value was cut at a comma.
func errCommaInValue(key string) error {
	return fmt.Errorf("the value of %s holds a comma, and a comma ends each setting of a hop SPEC, so it cannot be written here; %s", key, commaFix)
}

func isSpecKey(k string) bool {
	for _, s := range specKeys {
		if k == s {
			return true
		}
	}
	return false
}

// ValidateRoleARN checks the shape arn:PARTITION:iam::ACCOUNT:role/[path/]name.
func ValidateRoleARN(arn string) error {
	m := roleARNRe.FindStringSubmatch(arn)
	if m == nil {
		return fmt.Errorf("role ARN %q does not have the shape arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME", arn)
	}
	partition, account, rest := m[1], m[2], m[3]
	if !partitionRe.MatchString(partition) {
		return fmt.Errorf("role ARN %q: partition %q is not an AWS partition (aws, aws-cn, aws-us-gov, ...)", arn, partition)
	}
	if !accountRe.MatchString(account) {
		return fmt.Errorf("role ARN %q: account %q is not 12 digits", arn, account)
	}
	segs := strings.Split(rest, "/")
	name := segs[len(segs)-1]
	if len(name) > 64 || !roleNameRe.MatchString(name) {
		return fmt.Errorf("role ARN %q: role name %q must be 1-64 characters of letters, digits and +=,.@_-", arn, name)
	}
	if len(rest)-len(name) > 512 {
		return fmt.Errorf("role ARN %q: role path is longer than 512 characters", arn)
	}
	for _, s := range segs[:len(segs)-1] {
		if !pathSegRe.MatchString(s) {
			return fmt.Errorf("role ARN %q: role path %q must be /SEGMENT/.../ of printable characters", arn, "/"+strings.Join(segs[:len(segs)-1], "/")+"/")
		}
	}
	return nil
}

// ValidateSessionName checks a role session name: 2-64 of [\w+=,.@-].
func ValidateSessionName(s string) error {
	if len(s) < 2 || len(s) > 64 || !sessionNameRe.MatchString(s) {
		return fmt.Errorf("session name %q must be 2-64 characters of letters, digits and +=,.@_-", s)
	}
	return nil
}

func validateSourceIdentity(s string) error {
	if len(s) < 2 || len(s) > 64 || !sourceIdentityRe.MatchString(s) {
		return fmt.Errorf("source identity %q must be 2-64 characters of letters, digits and +=,.@_-", s)
	}
	return nil
}

func validateExternalID(s string) error {
	if len(s) < 2 || len(s) > 1224 || !externalIDRe.MatchString(s) {
		return fmt.Errorf("external ID %q must be 2-1224 characters of letters, digits and +=,.@:/_-", s)
	}
	return nil
}

func validateMFASerial(s string) error {
	if strings.HasPrefix(s, "arn:") {
		if m := mfaARNRe.FindStringSubmatch(s); m == nil || len(m[3]) > 512 {
			return fmt.Errorf("MFA serial %q does not have the shape arn:PARTITION:iam::ACCOUNT:mfa/NAME", s)
		}
		return nil
	}
	if len(s) < 9 || len(s) > 256 || !mfaSerialRe.MatchString(s) {
		return fmt.Errorf("MFA serial %q must be a device ARN (arn:PARTITION:iam::ACCOUNT:mfa/NAME) or a hardware serial number", s)
	}
	return nil
}

// parseDuration accepts a Go duration ("1h", "90m") or whole seconds ("3600").
func parseDuration(s string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > int64(MaxDuration/time.Second) {
			return 0, fmt.Errorf("duration %q must be between %s and %s", s, fmtDuration(MinDuration), fmtDuration(MaxDuration))
		}
		d = time.Duration(n) * time.Second
	} else {
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("duration %q is neither a duration like 1h or 90m nor whole seconds like 3600", s)
		}
	}
	return d, validateDuration(d, s)
}

func validateDuration(d time.Duration, as string) error {
	if d < MinDuration || d > MaxDuration {
		return fmt.Errorf("duration %q must be between %s and %s", as, fmtDuration(MinDuration), fmtDuration(MaxDuration))
	}
	if d%time.Second != 0 {
		return fmt.Errorf("duration %q must be whole seconds", as)
	}
	return nil
}

// fmtDuration prints a duration the short way: 1h, 15m, 1h30m, 1h0m5s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// String returns the hop in canonical SPEC form; it parses back to the same
// hop (FromProfile aside). A hop from a profile whose role name or external
// ID holds a comma has no SPEC form: pass such a chain by its profile.
func (h Hop) String() string {
	var b strings.Builder
	b.WriteString(h.RoleARN)
	add := func(k, v string) {
		if v != "" {
			b.WriteString("," + k + "=" + v)
		}
	}
	add(keyExternalID, h.ExternalID)
	add(keySessionName, h.SessionName)
	if h.Duration != 0 {
		add(keyDuration, fmtDuration(h.Duration))
	}
	add(keyMFASerial, h.MFASerial)
	add(keySourceIdentity, h.SourceIdentity)
	return b.String()
}

// KeyParts lists every setting that selects the hop's session, canonically
// (fixed order, every key present, the effective duration in seconds), for
// building a cache key. It holds no secret.
func (h Hop) KeyParts() []string {
	return []string{
		"role-arn=" + h.RoleARN,
		keyExternalID + "=" + h.ExternalID,
		keySessionName + "=" + h.SessionName,
		keyDuration + "=" + strconv.FormatInt(int64(h.EffectiveDuration()/time.Second), 10),
		keyMFASerial + "=" + h.MFASerial,
		keySourceIdentity + "=" + h.SourceIdentity,
	}
}

// DefaultSessionName returns "eksxa-<user>" made into a valid role session
// name: characters outside [\w+=,.@-] become '-', and it is cut to 64.
func DefaultSessionName(osUser string) string {
	if i := strings.LastIndexAny(osUser, `\/`); i >= 0 { // DOMAIN\user
		osUser = osUser[i+1:]
	}
	var b strings.Builder
	b.WriteString("eksxa")
	if osUser != "" {
		b.WriteByte('-')
	}
	for _, r := range osUser {
		switch {
		case r < 0x80 && (r == '_' || r == '+' || r == '=' || r == ',' || r == '.' || r == '@' || r == '-' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')):
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}
