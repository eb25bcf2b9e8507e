package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"testing"
)

// refKey is an independent spelling of Key's encoding, to pin it down.
func refKey(kind string, parts ...string) string {
	var buf []byte
	field := func(s string) {
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	field("kubectl-eksxa cache key v1")
	field(kind)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(parts)))
	for _, p := range parts {
		field(p)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

func TestKeyEncoding(t *testing.T) {
	hexKey := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, parts := range [][]string{
		nil,
		{""},
		{"my-cluster", "us-east-1", "profile=dev"},
		{"arn:aws:iam::222222222222:role/eks-admin,external-id=x", "ünïcode"},
	} {
		got := Key("token", parts...)
		if want := refKey("token", parts...); got != want {
			t.Errorf("Key(token, %q) = %s, want %s", parts, got, want)
		}
		if !hexKey.MatchString(got) {
			t.Errorf("Key(token, %q) = %q, not 64 hex digits", parts, got)
		}
		if err := validateKey(got); err != nil {
			t.Errorf("Key output rejected by validateKey: %v", err)
		}
	}
}

func TestKeyUnambiguous(t *testing.T) {
	// Each pair would collide under naive concatenation or joining.
	type in struct {
		kind  string
		parts []string
	}
	cases := [][2]in{
		{{"token", []string{"a", "bc"}}, {"token", []string{"ab", "c"}}},
		{{"token", []string{"a,b"}}, {"token", []string{"a", "b"}}},
		{{"token", []string{"a\x00b"}}, {"token", []string{"a", "b"}}},
		{{"token", nil}, {"token", []string{""}}},
		{{"token", []string{"", ""}}, {"token", []string{""}}},
		{{"tokena", nil}, {"token", []string{"a"}}},
		{{"token", []string{"x"}}, {"session", []string{"x"}}},
	}
	for _, c := range cases {
		a, b := Key(c[0].kind, c[0].parts...), Key(c[1].kind, c[1].parts...)
		if a == b {
			t.Errorf("Key(%q, %q) == Key(%q, %q)", c[0].kind, c[0].parts, c[1].kind, c[1].parts)
		}
	}
	if first, second := Key("token", "a", "b"), Key("token", "a", "b"); first != second {
		t.Error("Key is not deterministic")
	}
}

func BenchmarkKey(b *testing.B) {
	parts := []string{"my-cluster", "eu-west-1", "profile=dev", "akid=AKIAEXAMPLE",
		"arn:aws:iam::111111111111:role/jump,session-name=me", "arn:aws:iam::222222222222:role/eks-admin,external-id=x"}
	b.ReportAllocs()
	for b.Loop() {
		Key("token", parts...)
	}
}
