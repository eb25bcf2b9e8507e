package sharedconfig

import (
	"fmt"
	"strings"
	"unicode"
)

// section is one [header] of an INI file: its name as written between the
// brackets and its settings, keys lower-cased.
type section struct {
	name     string
	settings map[string]string
	line     int
}

// parseINI reads an INI file the way botocore does, which is Python's
// configparser.RawConfigParser with its defaults (botocore.configloader):
//
//   - lines end in \n, \r\n or \r (Python's universal newlines);
//   - a line whose first non-blank character is # or ; is a comment; there
//     are no inline comments ("key = v # c" has the value "v # c");
//   - "[name]" starts a section; the name is everything between the first
//     "[" and the last "]", unstripped;
//   - "key = value" or "key: value"; the key is lower-cased, both are
//     stripped; a line indented deeper than its key's line continues the
//     value (botocore's nested "s3 =" blocks);
//   - a section or a key twice in one file is an error (strict mode), and
//     so is a setting before any section or a line that is neither;
//   - [DEFAULT]'s settings are inherited by every section.
//
// Errors name the line.
func parseINI(data string) ([]section, error) {
	data = strings.ReplaceAll(data, "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	data = strings.TrimPrefix(data, "\ufeff")
	var (
		out      []section
		defaults = map[string]string{}
		cur      map[string]string // nil before the first section
		curName  string
		seen     = map[string]bool{}
		key      string   // the key a continuation line extends, "" for none
		value    []string // its lines
		indent   = -1     // the key line's indentation
	)
	flush := func() {
		if key != "" && cur != nil {
			cur[key] = strings.TrimRightFunc(strings.Join(value, "\n"), unicode.IsSpace)
		}
		key, value = "", nil
	}
	for i, line := range strings.Split(data, "\n") {
		lineNo := i + 1
		stripped := strings.TrimSpace(line)
		if strings.HasPrefix(stripped, "#") || strings.HasPrefix(stripped, ";") {
			// A comment ends nothing and adds nothing (configparser keeps
			// the key open, so a deeper line after it still continues).
			continue
		}
		if stripped == "" {
			if key != "" {
				value = append(value, "")
			}
			continue
		}
		lead := len(line) - len(strings.TrimLeft(line, " \t\f\v"))
		if key != "" && lead > indent {
			value = append(value, stripped)
			continue
		}
		flush()
		indent = lead
		if strings.HasPrefix(stripped, "[") {
			if end := strings.LastIndex(stripped, "]"); end > 1 {
				curName = stripped[1:end]
				if seen[curName] && curName != "DEFAULT" {
					return nil, fmt.Errorf("line %d: section [%s] appears twice", lineNo, curName)
				}
				seen[curName] = true
				if curName == "DEFAULT" {
					cur = defaults
				} else {
					cur = map[string]string{}
					out = append(out, section{name: curName, settings: cur, line: lineNo})
				}
				continue
			}
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: a setting before any [section]", lineNo)
		}
		sep := strings.IndexAny(stripped, "=:")
		if sep < 0 {
			return nil, fmt.Errorf("line %d: want key = value, got %q", lineNo, truncate(stripped))
		}
		k := strings.ToLower(strings.TrimSpace(stripped[:sep]))
		if k == "" {
			return nil, fmt.Errorf("line %d: a setting without a key", lineNo)
		}
		if _, dup := cur[k]; dup {
			return nil, fmt.Errorf("line %d: %s is set twice in [%s]", lineNo, k, curName)
		}
		key, value = k, []string{strings.TrimSpace(stripped[sep+1:])}
		cur[k] = "" // marks the key as seen for the duplicate check
	}
	flush()
	for _, s := range out {
		for k, v := range defaults {
			if _, ok := s.settings[k]; !ok {
				s.settings[k] = v
			}
		}
	}
	return out, nil
}

// truncate keeps an offending line short in an error: a line of a
// credentials file may hold a secret, so errors show at most its start.
func truncate(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}
