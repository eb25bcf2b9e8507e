package quote

import (
	"strings"
	"testing"
)

func TestQ(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `""`},
		{"eu-west-1", `"eu-west-1"`},
		{"a\nb", `"a\nb"`},
		{strings.Repeat("x", 80), `"` + strings.Repeat("x", 80) + `"`},
		{strings.Repeat("x", 100000), `"` + strings.Repeat("x", 80) + `"…(100000 bytes)`},
		// "é" is two bytes: the cut never splits it.
		{strings.Repeat("x", 79) + "é" + "y", `"` + strings.Repeat("x", 79) + `"…(82 bytes)`},
	} {
		if got := Q(tt.in); got != tt.want {
			t.Errorf("Q(%.20q…) = %.120s, want %.120s", tt.in, got, tt.want)
		}
	}
}
