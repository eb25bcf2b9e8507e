// Package quote quotes a value the user typed for an error message,
// keeping the message short however long the value is.
package quote

import (
	"fmt"
	"unicode/utf8"
)

// MaxBytes is how much of a value an error shows: enough for any real
// role ARN, region, cluster name or account list, short enough that a
// pasted file or a runaway variable does not flood the terminal.
const MaxBytes = 80

// Q returns s quoted as %q does. A value longer than MaxBytes is cut at a
// rune boundary at or before MaxBytes and followed by "…(N bytes)", N
// being its full length.
func Q(s string) string {
	if len(s) <= MaxBytes {
		return fmt.Sprintf("%q", s)
	}
	cut := MaxBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…(%d bytes)", s[:cut], len(s))
}
