package chain

import (
	"strings"
	"testing"
)

// TestParseHopLengthLimits pins the length limits STS sets, checked in code
// beside the patterns rather than by bounded repetitions in them.
func TestParseHopLengthLimits(t *testing.T) {
	r := strings.Repeat
	mfaARN := func(n int) string { return "arn:aws:iam::111111111111:mfa/" + r("m", n) }
	tests := []struct {
		name string
		spec string
		ok   bool
	}{
		{"role name 1", "arn:aws:iam::222222222222:role/r", true},
		{"role name 64", "arn:aws:iam::222222222222:role/" + r("r", 64), true},
		{"role name 65", "arn:aws:iam::222222222222:role/" + r("r", 65), false},
		{"session name 2", arnAdmin + ",session-name=ab", true},
		{"session name 64", arnAdmin + ",session-name=" + r("s", 64), true},
		{"session name 65", arnAdmin + ",session-name=" + r("s", 65), false},
		{"source identity 1", arnAdmin + ",source-identity=a", false},
		{"source identity 2", arnAdmin + ",source-identity=ab", true},
		{"source identity 64", arnAdmin + ",source-identity=" + r("i", 64), true},
		{"source identity 65", arnAdmin + ",source-identity=" + r("i", 65), false},
		{"mfa serial 8", arnAdmin + ",mfa-serial=" + r("9", 8), false},
		{"mfa serial 9", arnAdmin + ",mfa-serial=" + r("9", 9), true},
		{"mfa serial 256", arnAdmin + ",mfa-serial=" + r("9", 256), true},
		{"mfa serial 257", arnAdmin + ",mfa-serial=" + r("9", 257), false},
		{"mfa device name 0", arnAdmin + ",mfa-serial=" + mfaARN(0), false},
		{"mfa device name 1", arnAdmin + ",mfa-serial=" + mfaARN(1), true},
		{"mfa device name 512", arnAdmin + ",mfa-serial=" + mfaARN(512), true},
		{"mfa device name 513", arnAdmin + ",mfa-serial=" + mfaARN(513), false},
		{"mfa device name with a path", arnAdmin + ",mfa-serial=arn:aws:iam::111111111111:mfa/team/alice", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHop(tt.spec)
			if tt.ok && err != nil {
				t.Errorf("ParseHop: %v, want ok", err)
			}
			if !tt.ok && err == nil {
				t.Error("ParseHop: ok, want an error")
			}
		})
	}
}

// BenchmarkParseHop is the cost of a --role-arn flag on every call.
func BenchmarkParseHop(b *testing.B) {
	spec := arnAdmin + ",external-id=ext-123,session-name=alice,duration=1h,mfa-serial=" + arnMFA
	for b.Loop() {
		if _, err := ParseHop(spec); err != nil {
			b.Fatal(err)
		}
	}
}
