package sharedconfig

import "testing"

func TestNotFoundErrorNextStep(t *testing.T) {
	many := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
	for _, tt := range []struct {
		err  NotFoundError
		want string
	}{
		{NotFoundError{What: "profile", Name: "x", Files: []string{"/c"}}, `profile "x" not found in /c`},
		{NotFoundError{What: "profile", Name: "x", Files: []string{"/c"}, Known: []string{}}, "profile \"x\" not found in /c; they hold no profile. Check the name, or create it with `aws configure --profile x`"},
		{NotFoundError{What: "source_profile", Name: "x", Of: "p", Files: []string{"/c"}, Known: []string{"p", "q"}}, "profile \"p\": source_profile \"x\" not found in /c; profiles there: p, q. Check the name, or create it with `aws configure --profile x`"},
		{NotFoundError{What: "profile", Name: "x", Files: []string{"/c"}, Known: many}, "profile \"x\" not found in /c; profiles there: a, b, c, d, e, f, g, h, i, j and 2 more. Check the name, or create it with `aws configure --profile x`"},
		{NotFoundError{What: "sso-session", Name: "s", Of: "p", Files: []string{"/c"}, Known: many}, `profile "p": sso-session "s" not found in /c`},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}
