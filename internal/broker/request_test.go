package broker

import (
	"testing"

	"github.com/eksxa/kubectl-eksxa/pkg/chain"
)

// TestKeysFollowTheIdentity: every input that decides who signs changes
// both the token key and every session key; equal inputs give equal keys.
func TestKeysFollowTheIdentity(t *testing.T) {
	hop := func(s string) chain.Hop { h, _ := chain.ParseHop(s); return h }
	base := func() Request {
		return Request{
			Cluster: "prod", Region: "eu-west-1", Profile: "k8s", EnvAccessKeyID: "AKIAEXAMPLE",
			Env:   []string{"AWS_PROFILE=k8s"},
			Files: []string{"/h/.aws/config\x00120\x001700000000000000000", "/h/.aws/credentials\x00absent"},
			Hops:  []chain.Hop{hop(role)},
		}
	}
	tests := []struct {
		name        string
		change      func(*Request)
		sessionSame bool // sessions do not depend on it: they serve every cluster and region
	}{
		{"cluster", func(r *Request) { r.Cluster = "staging" }, true},
		{"region", func(r *Request) { r.Region = "eu-west-2" }, true},
		{"profile", func(r *Request) { r.Profile = "other" }, false},
		{"access key ID", func(r *Request) { r.EnvAccessKeyID = "AKIAOTHER" }, false},
		{"no access key ID", func(r *Request) { r.EnvAccessKeyID = "" }, false},
		{"AWS_PROFILE", func(r *Request) { r.Env = []string{"AWS_PROFILE=other"} }, false},
		{"AWS_ROLE_ARN added", func(r *Request) {
			r.Env = append(r.Env, "AWS_ROLE_ARN=arn:aws:iam::111111111111:role/ci")
		}, false},
		{"config file edited", func(r *Request) { r.Files[0] = "/h/.aws/config\x00121\x001700000000000000001" }, false},
		{"credentials file created", func(r *Request) { r.Files[1] = "/h/.aws/credentials\x0040\x001700000000000000000" }, false},
		{"another config file", func(r *Request) { r.Files[0] = "/h/.aws/eks-config\x00120\x001700000000000000000" }, false},
		{"session name", func(r *Request) { r.SessionName = "bob" }, false},
		{"hop setting", func(r *Request) { r.Hops = []chain.Hop{hop(role + ",external-id=x")} }, false},
		{"one more hop", func(r *Request) { r.Hops = append(r.Hops, hop(role)) }, false},
		// A file stamp must not be mistaken for an environment variable.
		{"env part moved to files", func(r *Request) { r.Files = append(r.Env, r.Files...); r.Env = nil }, false},
	}
	b := base()
	if b.TokenKey() != base().TokenKey() || b.sessionKey(b.Hops, 0) != base().sessionKey(b.Hops, 0) {
		t.Fatal("the same request gave two keys")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := base()
			tt.change(&v)
			if v.TokenKey() == b.TokenKey() {
				t.Error("token key unchanged")
			}
			// The final hop's session (the resolver's hops are the
			// request's here: no profile hops).
			final := func(r Request) string { return r.sessionKey(r.Hops, len(r.Hops)-1) }
			if same := final(v) == final(b); same != tt.sessionSame {
				t.Errorf("session key same = %v, want %v", same, tt.sessionSame)
			}
		})
	}
}
