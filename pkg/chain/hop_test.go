package chain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	arnAdmin = "arn:aws:iam::222222222222:role/eks-admin"
	arnMFA   = "arn:aws:iam::111111111111:mfa/alice"
)

func TestParseHop(t *testing.T) {
	tests := []struct {
		spec string
		want Hop
	}{
		{arnAdmin, Hop{RoleARN: arnAdmin}},
		{"arn:aws-cn:iam::123456789012:role/team/platform/eks-admin", Hop{RoleARN: "arn:aws-cn:iam::123456789012:role/team/platform/eks-admin"}},
		{"arn:aws-us-gov:iam::123456789012:role/a+b=c.d@e_f-g", Hop{RoleARN: "arn:aws-us-gov:iam::123456789012:role/a+b=c.d@e_f-g"}},
		{arnAdmin + ",external-id=ext-123,session-name=alice@corp,duration=2h,mfa-serial=" + arnMFA + ",source-identity=alice",
			Hop{RoleARN: arnAdmin, ExternalID: "ext-123", SessionName: "alice@corp", Duration: 2 * time.Hour, MFASerial: arnMFA, SourceIdentity: "alice"}},
		{arnAdmin + ",duration=3600", Hop{RoleARN: arnAdmin, Duration: time.Hour}},
		{arnAdmin + ",duration=900", Hop{RoleARN: arnAdmin, Duration: 15 * time.Minute}},
		{arnAdmin + ",duration=12h", Hop{RoleARN: arnAdmin, Duration: 12 * time.Hour}},
		{arnAdmin + ",duration=1h30m", Hop{RoleARN: arnAdmin, Duration: 90 * time.Minute}},
		{arnAdmin + ",source-identity=bob,external-id=x=y", Hop{RoleARN: arnAdmin, ExternalID: "x=y", SourceIdentity: "bob"}},
		{" " + arnAdmin + " , external-id = abc ", Hop{RoleARN: arnAdmin, ExternalID: "abc"}},
		{arnAdmin + ",mfa-serial=GAHT12345678", Hop{RoleARN: arnAdmin, MFASerial: "GAHT12345678"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseHop(tt.spec)
			if err != nil {
				t.Fatalf("ParseHop: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseHop (-want +got):\n%s", diff)
			}
			again, err := ParseHop(got.String())
			if err != nil {
				t.Fatalf("ParseHop(String() = %q): %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip through %q (-want +got):\n%s", got.String(), diff)
			}
		})
	}
}

func TestParseHopErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", `hop spec "": empty, want a role ARN such as arn:aws:iam::111122223333:role/NAME`},
		{"eks-admin", `hop spec "eks-admin": role ARN "eks-admin" does not have the shape arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`},
		{"arn:aws:iam::222222222222:user/bob", `role ARN "arn:aws:iam::222222222222:user/bob" does not have the shape arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`},
		{"arn:aws:sts::222222222222:assumed-role/x/y", `does not have the shape`},
		{"arn:azure:iam::222222222222:role/x", `partition "azure" is not an AWS partition`},
		{"arn:aws:iam::2222:role/x", `account "2222" is not 12 digits`},
		{"arn:aws:iam::22222222222a:role/x", `account "22222222222a" is not 12 digits`},
		{"arn:aws:iam::222222222222:role/", `role name "" must be 1-64 characters`},
		{"arn:aws:iam::222222222222:role/bad name", `role name "bad name" must be 1-64 characters`},
		{"arn:aws:iam::222222222222:role/" + strings.Repeat("r", 65), `must be 1-64 characters`},
		{"arn:aws:iam::222222222222:role//x", `role path "//" must be /SEGMENT/.../`},
		{arnAdmin + ",", `setting 1 after the role ARN is empty (stray comma?)`},
		{arnAdmin + ",,external-id=ab", `setting 1 after the role ARN is empty`},
		{arnAdmin + ",external-id", `setting "external-id" is not KEY=VALUE`},
		{arnAdmin + ",externalid=ab", `unknown setting "externalid", want one of external-id, session-name, duration, mfa-serial, source-identity`},
		{arnAdmin + ",region=us-east-1", `unknown setting "region"`},
		{arnAdmin + ",duration=1h,duration=2h", `setting "duration" given more than once`},
		{arnAdmin + ",external-id=", `setting "external-id" has an empty value`},
		{arnAdmin + ",session-name= ", `setting "session-name" has an empty value`},
		{arnAdmin + ",duration=2d", `duration "2d" is neither a duration like 1h or 90m nor whole seconds like 3600`},
		{arnAdmin + ",duration=14m", `duration "14m" must be between 15m and 12h`},
		{arnAdmin + ",duration=899", `duration "899" must be between 15m and 12h`},
		{arnAdmin + ",duration=43201", `duration "43201" must be between 15m and 12h`},
		{arnAdmin + ",duration=13h", `duration "13h" must be between 15m and 12h`},
		{arnAdmin + ",duration=-3600", `duration "-3600" must be between 15m and 12h`},
		{arnAdmin + ",duration=99999999999999999999", `is neither a duration`},
		{arnAdmin + ",duration=1h0.5s", `duration "1h0.5s" must be whole seconds`},
		{arnAdmin + ",session-name=a", `session name "a" must be 2-64 characters of letters, digits and +=,.@_-`},
		{arnAdmin + ",session-name=al ice", `session name "al ice" must be 2-64`},
		{arnAdmin + ",session-name=" + strings.Repeat("s", 65), `must be 2-64 characters`},
		{arnAdmin + ",session-name=ålice", `session name "ålice" must be 2-64`},
		{arnAdmin + ",external-id=a", `external ID "a" must be 2-1224 characters`},
		{arnAdmin + ",external-id=a", `(in a hop SPEC without the comma, which ends a setting; an external ID or session name with a comma goes in a profile: role_arn with external_id or role_session_name in ~/.aws/config, selected with --profile)`},
		// A comma cuts the value; the message says so, not that "a" is too short.
		{arnAdmin + ",external-id=a,b", `the value of external-id holds a comma, and a comma ends each setting of a hop SPEC, so it cannot be written here; an external ID or session name with a comma goes in a profile`},
		{arnAdmin + ",session-name=al,ice,duration=1h", `the value of session-name holds a comma`},
		{arnAdmin + ",session-name=a", `session name "a" must be 2-64 characters of letters, digits and +=,.@_- (in a hop SPEC without the comma`},
		{arnAdmin + ",source-identity=a b", `source identity "a b" must be 2-64 characters`},
		{arnAdmin + ",source-identity=aws:me", `source identity "aws:me" must be 2-64 characters`},
		{arnAdmin + ",mfa-serial=arn:aws:iam::111111111111:user/alice", `MFA serial "arn:aws:iam::111111111111:user/alice" does not have the shape arn:PARTITION:iam::ACCOUNT:mfa/NAME`},
		{arnAdmin + ",mfa-serial=short", `MFA serial "short" must be a device ARN`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseHop(tt.spec)
			if err == nil {
				t.Fatalf("ParseHop(%q) = %+v, want error containing %q", tt.spec, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseHop(%q) error:\n got  %s\n want it to contain %s", tt.spec, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "hop spec ") {
				t.Errorf("error %q does not start with the spec", err)
			}
			if diff := cmp.Diff(Hop{}, got); diff != "" {
				t.Errorf("ParseHop returned a hop with an error:\n%s", diff)
			}
		})
	}
}

func TestHopString(t *testing.T) {
	h := Hop{RoleARN: arnAdmin, SourceIdentity: "alice", MFASerial: arnMFA, Duration: 90 * time.Minute, SessionName: "s1", ExternalID: "e1", FromProfile: "prod"}
	want := arnAdmin + ",external-id=e1,session-name=s1,duration=1h30m,mfa-serial=" + arnMFA + ",source-identity=alice"
	if got := h.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	for d, want := range map[time.Duration]string{time.Hour: "1h", 15 * time.Minute: "15m", 12 * time.Hour: "12h", time.Hour + 5*time.Second: "1h0m5s", 1000 * time.Second: "16m40s"} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestHopKeyParts(t *testing.T) {
	a := Hop{RoleARN: arnAdmin}
	b := Hop{RoleARN: arnAdmin, Duration: time.Hour, FromProfile: "other"}
	if diff := cmp.Diff(a.KeyParts(), b.KeyParts()); diff != "" {
		t.Errorf("default and explicit 1h select the same session but key differently:\n%s", diff)
	}
	want := []string{"role-arn=" + arnAdmin, "external-id=", "session-name=", "duration=3600", "mfa-serial=", "source-identity="}
	if diff := cmp.Diff(want, a.KeyParts()); diff != "" {
		t.Errorf("KeyParts (-want +got):\n%s", diff)
	}
	// Every setting changes the key.
	variants := []Hop{
		{RoleARN: "arn:aws:iam::222222222222:role/other"},
		{RoleARN: arnAdmin, ExternalID: "e1"},
		{RoleARN: arnAdmin, SessionName: "s1"},
		{RoleARN: arnAdmin, Duration: 2 * time.Hour},
		{RoleARN: arnAdmin, MFASerial: arnMFA},
		{RoleARN: arnAdmin, SourceIdentity: "alice"},
	}
	for _, v := range variants {
		if cmp.Equal(a.KeyParts(), v.KeyParts()) {
			t.Errorf("%s keys like %s", v, a)
		}
	}
}

func TestDefaultSessionName(t *testing.T) {
	tests := map[string]string{
		"alice":                  "eksxa-alice",
		"":                       "eksxa",
		`CORP\alice`:             "eksxa-alice",
		"jean pierre":            "eksxa-jean-pierre",
		"zoë":                    "eksxa-zo-",
		"a.b+c=d,e@f_g-h":        "eksxa-a.b+c=d,e@f_g-h",
		strings.Repeat("x", 100): "eksxa-" + strings.Repeat("x", 58),
		"日本":                     "eksxa---",
	}
	for in, want := range tests {
		got := DefaultSessionName(in)
		if got != want {
			t.Errorf("DefaultSessionName(%q) = %q, want %q", in, got, want)
		}
		if err := ValidateSessionName(got); err != nil {
			t.Errorf("DefaultSessionName(%q) = %q is not a valid session name: %v", in, got, err)
		}
	}
}

func FuzzParseHop(f *testing.F) {
	for _, s := range []string{
		arnAdmin,
		arnAdmin + ",external-id=ext-123,session-name=alice,duration=2h,mfa-serial=" + arnMFA + ",source-identity=alice",
		arnAdmin + ",duration=3600",
		"arn:aws-cn:iam::123456789012:role/p/q/r",
		arnAdmin + ",,",
		arnAdmin + ",duration=1h0.5s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		h, err := ParseHop(spec)
		if err != nil {
			if h != (Hop{}) {
				t.Fatalf("ParseHop(%q) returned %+v with error %v", spec, h, err)
			}
			return
		}
		s := h.String()
		again, err := ParseHop(s)
		if err != nil {
			t.Fatalf("ParseHop(%q) ok but its String() %q does not parse: %v", spec, s, err)
		}
		if again != h {
			t.Fatalf("round trip of %q through %q: got %+v, want %+v", spec, s, again, h)
		}
		if again.String() != s {
			t.Fatalf("String() not canonical: %q then %q", s, again.String())
		}
	})
}
