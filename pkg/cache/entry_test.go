package cache

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestSessionRoundTrip(t *testing.T) {
	in := Session{
		AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "SECRETKEY", SessionToken: strings.Repeat("T", 1000),
		Expires: t0.In(time.FixedZone("x", 3600)), ARN: "arn:aws:sts::222222222222:assumed-role/eks-admin/me",
	}
	v, err := EncodeSession(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSession(v)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got, cmp.Comparer(time.Time.Equal)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if _, err := DecodeToken(v); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session decoded as a token: err = %v", err)
	}
}

func TestTokenRoundTrip(t *testing.T) {
	in := Token{Token: "k8s-aws-v1.abc", Expires: t0}
	v, err := EncodeToken(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeToken(v)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got, cmp.Comparer(time.Time.Equal)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if _, err := DecodeSession(v); !errors.Is(err, ErrNotFound) {
		t.Errorf("a token decoded as a session: err = %v", err)
	}
}

func TestEncodeRefusesIncomplete(t *testing.T) {
	for _, s := range []Session{
		{SecretAccessKey: "S", Expires: t0},
		{AccessKeyID: "A", Expires: t0},
		{AccessKeyID: "A", SecretAccessKey: "SECRETKEY"},
	} {
		if _, err := EncodeSession(s); err == nil || strings.Contains(err.Error(), "SECRETKEY") {
			t.Errorf("EncodeSession(incomplete) err = %v", err)
		}
	}
	for _, tk := range []Token{{Expires: t0}, {Token: "SECRETTOKEN"}} {
		if _, err := EncodeToken(tk); err == nil || strings.Contains(err.Error(), "SECRETTOKEN") {
			t.Errorf("EncodeToken(incomplete) err = %v", err)
		}
	}
}

func TestDecodeMisses(t *testing.T) {
	const exp = `"expires":"2026-03-01T12:00:00Z"`
	tests := []struct{ name, session, token string }{
		{"empty", ``, ``},
		{"not json", `SECRET{`, `SECRET{`},
		{"truncated", `{"v":1,"kind":"session","accessKeyId":"A","secretAccessKey":"SECRET`, `{"v":1,"kind":"token","token":"SECRET`},
		{"json null", `null`, `null`},
		{"array", `["SECRET"]`, `["SECRET"]`},
		{"no version", `{"kind":"session","accessKeyId":"A","secretAccessKey":"SECRET",` + exp + `}`, `{"kind":"token","token":"SECRET",` + exp + `}`},
		{"future version", `{"v":2,"kind":"session","accessKeyId":"A","secretAccessKey":"SECRET",` + exp + `}`, `{"v":2,"kind":"token","token":"SECRET",` + exp + `}`},
		{"wrong type", `{"v":1,"kind":"session","accessKeyId":12345,"secretAccessKey":"SECRET",` + exp + `}`, `{"v":1,"kind":"token","token":98765,` + exp + `}`},
		{"no expiry", `{"v":1,"kind":"session","accessKeyId":"A","secretAccessKey":"SECRET"}`, `{"v":1,"kind":"token","token":"SECRET"}`},
		{"bad expiry", `{"v":1,"kind":"session","accessKeyId":"A","secretAccessKey":"SECRET","expires":"SECRET"}`, `{"v":1,"kind":"token","token":"SECRET","expires":"SECRET"}`},
		{"no secret", `{"v":1,"kind":"session","accessKeyId":"A",` + exp + `}`, `{"v":1,"kind":"token",` + exp + `}`},
		{"aws cli cache format", `{"Credentials":{"AccessKeyId":"A","SecretAccessKey":"SECRET"}}`, `{"kind":"ExecCredential","status":{"token":"SECRET"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := DecodeSession(tt.session); !errors.Is(err, ErrNotFound) {
				t.Errorf("DecodeSession = %+v, %v; want a miss", s, err)
			} else if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "12345") {
				t.Errorf("DecodeSession error quotes the input: %v", err)
			}
			if tk, err := DecodeToken(tt.token); !errors.Is(err, ErrNotFound) {
				t.Errorf("DecodeToken = %+v, %v; want a miss", tk, err)
			} else if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "98765") {
				t.Errorf("DecodeToken error quotes the input: %v", err)
			}
		})
	}
}

func TestValidFor(t *testing.T) {
	s := Session{AccessKeyID: "A", SecretAccessKey: "S", Expires: t0.Add(10 * time.Minute)}
	tk := Token{Token: "k", Expires: t0.Add(10 * time.Minute)}
	tests := []struct {
		now  time.Time
		d    time.Duration
		want bool
	}{
		{t0, time.Minute, true},
		{t0, 10 * time.Minute, true},
		{t0, 11 * time.Minute, false},
		{t0.Add(9*time.Minute + time.Second), time.Minute, false},
		{t0.Add(time.Hour), 0, false},
	}
	for _, tt := range tests {
		if got := s.ValidFor(tt.now, tt.d); got != tt.want {
			t.Errorf("Session.ValidFor(%s, %s) = %v, want %v", tt.now, tt.d, got, tt.want)
		}
		if got := tk.ValidFor(tt.now, tt.d); got != tt.want {
			t.Errorf("Token.ValidFor(%s, %s) = %v, want %v", tt.now, tt.d, got, tt.want)
		}
	}
	if (Session{Expires: t0.Add(time.Hour)}).ValidFor(t0, 0) {
		t.Error("an empty session is valid")
	}
}

// FuzzDecode: no input panics, and whatever decodes re-encodes to an entry
// that decodes the same.
func FuzzDecode(f *testing.F) {
	s, _ := EncodeSession(Session{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", Expires: t0})
	tk, _ := EncodeToken(Token{Token: "k", Expires: t0})
	for _, seed := range []string{s, tk, "", "{}", `{"v":1}`, "\xff\xfe", chunkMagic} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if s, err := DecodeSession(v); err == nil {
			again, err := EncodeSession(s)
			if err != nil {
				t.Fatalf("decoded session does not re-encode: %v", err)
			}
			if s2, err := DecodeSession(again); err != nil || !s2.Expires.Equal(s.Expires) || s2.SessionToken != s.SessionToken {
				t.Fatalf("re-encoded session decodes differently: %v", err)
			}
		} else if !errors.Is(err, ErrNotFound) {
			t.Fatalf("DecodeSession error is not a miss: %v", err)
		}
		if _, err := DecodeToken(v); err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatalf("DecodeToken error is not a miss: %v", err)
		}
	})
}

// TestEntriesDescribeThemselves: an entry's About survives encoding, and
// DescribeEntry gives its index row from the non-secret fields alone.
func TestEntriesDescribeThemselves(t *testing.T) {
	exp := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	about := &About{Cluster: "prod", Region: "eu-west-1", Chain: []string{"arn:aws:iam::222222222222:role/x"},
		Identity: "arn:aws:sts::222222222222:assumed-role/x/s", Selection: &Selection{Cluster: "prod", Hops: []string{"arn:aws:iam::222222222222:role/x"}}}
	tv, _ := EncodeToken(Token{Token: "k8s-aws-v1.secret", Expires: exp, About: about})
	sv, _ := EncodeSession(Session{AccessKeyID: "ASIA", SecretAccessKey: "secret", SessionToken: "secret", Expires: exp, About: about})
	for _, tt := range []struct{ kind, value string }{{KindToken, tv}, {KindSession, sv}} {
		row, ok := DescribeEntry("k", NameFile, tt.value)
		want := IndexEntry{Key: "k", Kind: tt.kind, Store: NameFile, Cluster: "prod", Region: "eu-west-1",
			Chain: about.Chain, Identity: about.Identity, Expires: exp, Selection: about.Selection}
		if diff := cmp.Diff(want, row); !ok || diff != "" {
			t.Errorf("DescribeEntry(%s) ok %v (-want +got):\n%s", tt.kind, ok, diff)
		}
	}
	if s, err := DecodeSession(sv); err != nil || !reflect.DeepEqual(s.About, about) {
		t.Errorf("DecodeSession About = %+v, %v", s.About, err)
	}
	for _, bad := range []string{"", "{", `{"v":1,"kind":"password","expires":"2026-01-01T00:00:00Z"}`, `{"v":2,"kind":"token","expires":"2026-01-01T00:00:00Z"}`, `{"v":1,"kind":"token"}`} {
		if _, ok := DescribeEntry("k", NameFile, bad); ok {
			t.Errorf("DescribeEntry(%q) ok", bad)
		}
	}
}
