package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/eksxa/kubectl-eksxa/internal/broker"
	"github.com/eksxa/kubectl-eksxa/pkg/cache"
	"github.com/eksxa/kubectl-eksxa/pkg/chain"
	"github.com/eksxa/kubectl-eksxa/pkg/token"
)

// TestPrintLoginSaysWhatHappened: each hop is reported as what happened
// to it in this run (assumed, reused from the cache, or not needed), and
// the token as cached only when it was.
func TestPrintLoginSaysWhatHappened(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	hop := func(n string) chain.Hop { return chain.Hop{RoleARN: "arn:aws:iam::111111111111:role/" + n} }
	sess := func(n string) string { return "arn:aws:sts::111111111111:assumed-role/" + n + "/s" }
	res := broker.Result{
		Region: "eu-west-1",
		Hops: []broker.HopResult{
			{Hop: hop("a")}, // before a reused later hop
			{Hop: hop("b"), ARN: sess("b"), Expires: now.Add(time.Hour), Cached: true},
			{Hop: hop("c"), ARN: sess("c"), Expires: now.Add(time.Hour), Assumed: true},
		},
		Identity: sess("c"),
		Token:    token.Token{Value: "k8s-aws-v1.x", Expiration: now.Add(14 * time.Minute)},
	}
	tests := []struct {
		name   string
		cached bool
		mode   string
		want   []string
		not    []string
	}{
		{"cached", true, cache.ModeAuto, []string{"token cached, until"}, []string{"not cached"}},
		{"--cache none", false, cache.ModeNone, []string{"token not cached (--cache none), valid until"}, []string{"token cached"}},
		{"store failed", false, cache.ModeFile, []string{"token not cached (the cache could not be used"}, []string{"token cached"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := res
			res.TokenCached = tt.cached
			var b strings.Builder
			if err := printLogin(&b, broker.Request{Cluster: "prod"}, res, tt.mode, now); err != nil {
				t.Fatal(err)
			}
			// One space between cells: the test is about words, not columns.
			var lines []string
			for _, l := range strings.Split(b.String(), "\n") {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
			out := strings.Join(lines, "\n")
			want := append([]string{
				"hop 1/3 " + hop("a").RoleARN + " not needed: a later hop's session is cached",
				"hop 2/3 " + sess("b") + " reused from the cache, until 2026-05-06T08:00:00Z (1h0m0s)",
				"hop 3/3 " + sess("c") + " assumed, until 2026-05-06T08:00:00Z (1h0m0s)",
			}, tt.want...)
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("report says %q:\n%s", n, out)
				}
			}
		})
	}
}

// TestChainIdentityNamesTheBase: a chain without hops is named by who STS
// said it is, else by where its base credentials come from; never "".
func TestChainIdentityNamesTheBase(t *testing.T) {
	const role = "arn:aws:sts::222222222222:assumed-role/eks-admin/s"
	tests := []struct {
		name string
		r    broker.Request
		res  broker.Result
		want string
	}{
		{"last hop", broker.Request{Profile: "p"}, broker.Result{Final: chain.Session{ARN: role}}, role},
		{"STS said", broker.Request{}, broker.Result{Identity: "arn:aws:iam::111111111111:user/alice"}, "arn:aws:iam::111111111111:user/alice"},
		{"profile", broker.Request{Profile: "dev"}, broker.Result{}, "the base credentials (profile dev)"},
		{"env keys", broker.Request{EnvAccessKeyID: "AKIAEXAMPLE"}, broker.Result{}, "the base credentials (the environment's AWS_ACCESS_KEY_ID)"},
		{"default chain", broker.Request{}, broker.Result{}, "the base credentials (the AWS SDK's default chain)"},
	}
	for _, tt := range tests {
		if got := chainIdentity(tt.r, tt.res); got != tt.want {
			t.Errorf("%s: chainIdentity = %q, want %q", tt.name, got, tt.want)
		}
	}
}
