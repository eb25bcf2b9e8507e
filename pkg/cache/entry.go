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

// About is what an entry was cached for, without a secret: the same
// description as its index row. It is stored in the entry itself, so that
// entries can be matched (logout) and the index rebuilt when the index is
// lost or damaged. Entries written before it was recorded have none.
type About struct {
	Cluster   string     `json:"cluster,omitempty"`
	Region    string     `json:"region,omitempty"`
	Chain     []string   `json:"chain,omitempty"` // role ARNs, in order
	Identity  string     `json:"identity,omitempty"`
	Selection *Selection `json:"selection,omitempty"`
}

// About is row's description, as stored in its entry.
func (e IndexEntry) About() *About {
	return &About{Cluster: e.Cluster, Region: e.Region, Chain: e.Chain, Identity: e.Identity, Selection: e.Selection}
}

// Session is one hop's STS session.
type Session struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
	// ARN is the assumed-role ARN STS returned for the session.
	ARN string
	// About describes what the session was cached for (nil: unknown).
	About *About
}

// ValidFor reports whether s is complete and lives at least d past now.
func (s Session) ValidFor(now time.Time, d time.Duration) bool {
	return s.AccessKeyID != "" && s.SecretAccessKey != "" && !s.Expires.Before(now.Add(d))
}

// Token is an EKS bearer token and its expiry.
type Token struct {
	Token   string
	Expires time.Time
	// About describes what the token was cached for (nil: unknown).
	About *About
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
	About           *About    `json:"about,omitempty"`
}

type tokenJSON struct {
	V       int       `json:"v"`
	Kind    string    `json:"kind"`
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
	About   *About    `json:"about,omitempty"`
}

// describeJSON is the non-secret part of any entry.
type describeJSON struct {
	V       int       `json:"v"`
	Kind    string    `json:"kind"`
	Expires time.Time `json:"expires"`
	About   *About    `json:"about,omitempty"`
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
		Expires: s.Expires.UTC(), ARN: s.ARN, About: s.About,
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
		Expires: j.Expires, ARN: j.ARN, About: j.About,
	}, nil
}

// EncodeToken encodes t as a versioned JSON entry. A token without value or
// expiry is refused.
func EncodeToken(t Token) (string, error) {
	if t.Token == "" || t.Expires.IsZero() {
		return "", fmt.Errorf("%w: token needs a value and an expiry", errIncomplete)
	}
	b, err := json.Marshal(tokenJSON{V: entryVersion, Kind: KindToken, Token: t.Token, Expires: t.Expires.UTC(), About: t.About})
	if err != nil {
		return "", errors.New("cache: cannot encode token")
	}
	return string(b), nil
}

// tokenReadJSON is tokenJSON without About: the warm path does not need
// it, and skipping it saves its allocations (DescribeEntry reads it).
type tokenReadJSON struct {
	V       int       `json:"v"`
	Kind    string    `json:"kind"`
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
}

// DecodeToken decodes an entry written by EncodeToken; anything else is a
// miss, as for DecodeSession. About is not decoded (it is nil): it is on
// kubectl's hot path, and DescribeEntry reads the description.
func DecodeToken(v string) (Token, error) {
	var j tokenReadJSON
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

// DescribeEntry returns the index row that an entry stored under key in
// store describes itself as, from its non-secret fields (kind, expiry,
// About) alone. ok is false for anything that is not a version 1 token or
// session entry with an expiry; an entry without About gives a row with
// only its kind and expiry, which logout --cluster-name cannot match.
func DescribeEntry(key, store, value string) (row IndexEntry, ok bool) {
	var j describeJSON
	if json.Unmarshal([]byte(value), &j) != nil || j.V != entryVersion ||
		(j.Kind != KindToken && j.Kind != KindSession) || j.Expires.IsZero() {
		return IndexEntry{}, false
	}
	row = IndexEntry{Key: key, Kind: j.Kind, Store: store, Expires: j.Expires}
	if a := j.About; a != nil {
		row.Cluster, row.Region, row.Chain, row.Identity, row.Selection = a.Cluster, a.Region, a.Chain, a.Identity, a.Selection
	}
	return row, true
}
