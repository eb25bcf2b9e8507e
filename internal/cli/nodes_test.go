package cli

import (
	"strings"
	"testing"
)

// TestNodesUsage: nodes' usage errors are exit 2 with nothing on stdout,
// before any AWS configuration is read.
func TestNodesUsage(t *testing.T) {
	isolateAWS(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nodes", "--cluster-name", "prod", "-o", "yaml"}, `-o: unknown output format "yaml" (want table or json)`},
		{[]string{"nodes"}, "--cluster-name is required"},
		{[]string{"nodes", "--cluster-name", "prod", "--fail-outdated=maybe"}, "invalid argument"},
		{[]string{"nodes", "--cluster-name", "prod", "extra"}, `unknown command "extra"`},
	} {
		code, out, errOut := run(t, nil, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "kubectl eksxa nodes --help") {
			t.Errorf("%v: exit %d stdout %q stderr %q; want 2, nothing, %q", tc.args, code, out, errOut, tc.want)
		}
	}
	code, out, _ := run(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "nodes") {
		t.Errorf("--help: exit %d, lists no nodes command:\n%s", code, out)
	}
}
