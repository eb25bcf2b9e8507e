package sso

import (
	"crypto/sha1" //nolint:gosec // G505: the AWS CLI names SSO cache files by SHA-1
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Session is the IAM Identity Center sign-in a profile uses.
type Session struct {
	// Name is the [sso-session NAME] section's name; "" for a profile
	// that sets sso_start_url itself (the legacy form).
	Name string
	// StartURL is the AWS access portal URL (sso_start_url).
	StartURL string
	// Region is the IAM Identity Center region (sso_region).
	Region string
	// Scopes are the client registration's scopes
	// (sso_registration_scopes); see DefaultScopes.
	Scopes []string
}

// DefaultScopes are registered for an sso-session with no
// sso_registration_scopes, as the AWS CLI does: sso:account:access is what
// makes the service issue a refresh token.
var DefaultScopes = []string{"sso:account:access"}

// CacheKey is what names the session's cache file: the sso-session name,
// else the start URL (botocore's SSOTokenLoader._generate_cache_key).
func (s Session) CacheKey() string {
	if s.Name != "" {
		return s.Name
	}
	return s.StartURL
}

// String names the session for messages.
func (s Session) String() string {
	if s.Name != "" {
		return fmt.Sprintf("sso-session %q (%s)", s.Name, s.StartURL)
	}
	return s.StartURL
}

// CacheFile is the session's token file under dir (normally
// ~/.aws/sso/cache): the lower-case hex SHA-1 of CacheKey, plus ".json".
func CacheFile(dir string, s Session) string {
	sum := sha1.Sum([]byte(s.CacheKey())) //nolint:gosec // G401: the AWS CLI's cache file name, shared with it; not a security use
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
}

// Token is one sign-in as the AWS CLI caches it. The access token, refresh
// token and client secret are secrets: never print them.
type Token struct {
	StartURL    string
	Region      string
	AccessToken string
	ExpiresAt   time.Time
	// RefreshToken, ClientID, ClientSecret and RegistrationExpiresAt
	// are present when the token can be refreshed.
	RefreshToken          string
	ClientID              string
	ClientSecret          string
	RegistrationExpiresAt time.Time
}

// String describes the token without any secret.
func (t Token) String() string {
	return fmt.Sprintf("sso token for %s (expires %s, refreshable %v)", t.StartURL, t.ExpiresAt.UTC().Format(time.RFC3339), t.Refreshable(t.ExpiresAt))
}

// GoString keeps %#v from printing the secrets.
func (t Token) GoString() string { return "sso.Token{" + t.String() + "}" }

// ValidFor reports whether t has an access token that lives at least d
// past now.
func (t Token) ValidFor(now time.Time, d time.Duration) bool {
	return t.AccessToken != "" && !t.ExpiresAt.Before(now.Add(d))
}

// Refreshable reports whether t can be refreshed at now: it has a refresh
// token and a client registration that has not expired.
func (t Token) Refreshable(now time.Time) bool {
	return t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" && now.Before(t.RegistrationExpiresAt)
}

// timeLayout is how botocore writes expiresAt (tokens.py
// _serialize_utc_timestamp): UTC, seconds, a Z.
const timeLayout = "2006-01-02T15:04:05Z"

type tokenJSON struct {
	StartURL              string `json:"startUrl,omitempty"`
	Region                string `json:"region,omitempty"`
	AccessToken           string `json:"accessToken"`
	ExpiresAt             string `json:"expiresAt"`
	RefreshToken          string `json:"refreshToken,omitempty"`
	ClientID              string `json:"clientId,omitempty"`
	ClientSecret          string `json:"clientSecret,omitempty"`
	RegistrationExpiresAt string `json:"registrationExpiresAt,omitempty"`
}

// MarshalJSON writes the AWS CLI's field names and time format.
func (t Token) MarshalJSON() ([]byte, error) {
	j := tokenJSON{
		StartURL: t.StartURL, Region: t.Region, AccessToken: t.AccessToken,
		ExpiresAt:    t.ExpiresAt.UTC().Format(timeLayout),
		RefreshToken: t.RefreshToken, ClientID: t.ClientID, ClientSecret: t.ClientSecret,
	}
	if !t.RegistrationExpiresAt.IsZero() {
		j.RegistrationExpiresAt = t.RegistrationExpiresAt.UTC().Format(timeLayout)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a cache file written by the AWS CLI (v1 or v2), the
// SDKs or this package.
func (t *Token) UnmarshalJSON(b []byte) error {
	var j tokenJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	exp, err := parseTime(j.ExpiresAt)
	if err != nil {
		return fmt.Errorf("expiresAt: %w", err)
	}
	var reg time.Time
	if j.RegistrationExpiresAt != "" {
		if reg, err = parseTime(j.RegistrationExpiresAt); err != nil {
			return fmt.Errorf("registrationExpiresAt: %w", err)
		}
	}
	*t = Token{
		StartURL: j.StartURL, Region: j.Region, AccessToken: j.AccessToken, ExpiresAt: exp,
		RefreshToken: j.RefreshToken, ClientID: j.ClientID, ClientSecret: j.ClientSecret, RegistrationExpiresAt: reg,
	}
	return nil
}

// parseTime reads RFC 3339, and the "...UTC" form older AWS CLI v2
// releases wrote.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05UTC", s)
}

// ErrNoToken is returned by Load when there is no usable cache file.
var ErrNoToken = errors.New("no cached IAM Identity Center sign-in")

// Load reads the session's token from dir. A missing or unreadable file
// is ErrNoToken (wrapped with the reason).
func Load(dir string, s Session) (Token, error) {
	b, err := os.ReadFile(CacheFile(dir, s))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Token{}, ErrNoToken
		}
		return Token{}, fmt.Errorf("%w: %w", ErrNoToken, err)
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil {
		return Token{}, fmt.Errorf("%w: %s is not a token file: %w", ErrNoToken, CacheFile(dir, s), err)
	}
	return t, nil
}

// Save writes t as the session's token file in dir (created 0700 when
// missing): to a temp file in dir, mode 0600, synced, then renamed over the
// old one, so a reader never sees half a file and an interrupted write
// leaves the old one.
func Save(dir string, s Session, t Token) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the SSO cache folder: %w", err)
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".eksxa-*.tmp")
	if err != nil {
		return fmt.Errorf("writing the SSO token: %w", err)
	}
	defer func() {
		if err != nil { // the temp file is garbage
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("writing the SSO token: %w", err)
	}
	if _, err = f.Write(b); err != nil {
		return fmt.Errorf("writing the SSO token: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing the SSO token: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing the SSO token: %w", err)
	}
	if err = os.Rename(f.Name(), CacheFile(dir, s)); err != nil {
		return fmt.Errorf("writing the SSO token: %w", err)
	}
	return nil
}
