package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// entryVersion is the format version of encoded entries. A different
// version is a foreign entry, hence a miss.
const entryVersion = 1

// Entry kinds, in encoded entries and Index rows.
const (
	KindToken   = "token"
	KindSession = "session"
)

// Session is one hop's STS session.
type Session struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
	// ARN is the assumed-role ARN STS returned for the session.
	ARN string
}

// ValidFor reports whether s is complete and lives at least d past now.
func (s Session) ValidFor(now time.Time, d time.Duration) bool {
	return s.AccessKeyID != "" && s.SecretAccessKey != "" && !s.Expires.Before(now.Add(d))
}

// Token is an EKS bearer token and its expiry.
type Token struct {
	Token   string
	Expires time.Time
}

// ValidFor reports whether t is present and lives at least d past now.
func (t Token) ValidFor(now time.Time, d time.Duration) bool {
	return t.Token != "" && !t.Expires.Before(now.Add(d))
}

type sessionJSON struct {
	V               int       `json:"v"`
	Kind            string    `json:"kind"`
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken,omitempty"`
	Expires         time.Time `json:"expires"`
	ARN             string    `json:"arn,omitempty"`
}

type tokenJSON struct {
	V       int       `json:"v"`
	Kind    string    `json:"kind"`
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
}

// errIncomplete never names a field's value.
var errIncomplete = errors.New("cache: incomplete entry")

// EncodeSession encodes s as a versioned JSON entry. A session without key
// ID, secret key or expiry is refused.
func EncodeSession(s Session) (string, error) {
	if s.AccessKeyID == "" || s.SecretAccessKey == "" || s.Expires.IsZero() {
		return "", fmt.Errorf("%w: session needs an access key ID, a secret key and an expiry", errIncomplete)
	}
	b, err := json.Marshal(sessionJSON{ //nolint:gosec // G117: the entry is the session, stored 0600 or in the keyring, never printed
		V: entryVersion, Kind: KindSession,
		AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken,
		Expires: s.Expires.UTC(), ARN: s.ARN,
	})
	if err != nil {
		return "", errors.New("cache: cannot encode session")
	}
	return string(b), nil
}

// DecodeSession decodes an entry written by EncodeSession. Anything else
// (corrupt, foreign, another version or kind, incomplete) is a miss: an
// error wrapping ErrNotFound that never quotes the input.
func DecodeSession(v string) (Session, error) {
	var j sessionJSON
	if err := json.Unmarshal([]byte(v), &j); err != nil {
		return Session{}, fmt.Errorf("%w: corrupt session entry", ErrNotFound)
	}
	if j.V != entryVersion || j.Kind != KindSession {
		return Session{}, fmt.Errorf("%w: not a version %d session entry", ErrNotFound, entryVersion)
	}
	if j.AccessKeyID == "" || j.SecretAccessKey == "" || j.Expires.IsZero() {
		return Session{}, fmt.Errorf("%w: incomplete session entry", ErrNotFound)
	}
	return Session{
		AccessKeyID: j.AccessKeyID, SecretAccessKey: j.SecretAccessKey, SessionToken: j.SessionToken,
		Expires: j.Expires, ARN: j.ARN,
	}, nil
}

// EncodeToken encodes t as a versioned JSON entry. A token without value or
// expiry is refused.
func EncodeToken(t Token) (string, error) {
	if t.Token == "" || t.Expires.IsZero() {
		return "", fmt.Errorf("%w: token needs a value and an expiry", errIncomplete)
	}
	b, err := json.Marshal(tokenJSON{V: entryVersion, Kind: KindToken, Token: t.Token, Expires: t.Expires.UTC()})
	if err != nil {
		return "", errors.New("cache: cannot encode token")
	}
	return string(b), nil
}

// DecodeToken decodes an entry written by EncodeToken; anything else is a
// miss, as for DecodeSession.
func DecodeToken(v string) (Token, error) {
	var j tokenJSON
	if err := json.Unmarshal([]byte(v), &j); err != nil {
		return Token{}, fmt.Errorf("%w: corrupt token entry", ErrNotFound)
	}
	if j.V != entryVersion || j.Kind != KindToken {
		return Token{}, fmt.Errorf("%w: not a version %d token entry", ErrNotFound, entryVersion)
	}
	if j.Token == "" || j.Expires.IsZero() {
		return Token{}, fmt.Errorf("%w: incomplete token entry", ErrNotFound)
	}
	return Token{Token: j.Token, Expires: j.Expires}, nil
}
