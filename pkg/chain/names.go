package chain

import (
	"bufio"
	"os"
	"slices"
	"strings"
)

// ProfileNames lists the profiles the shared files define, sorted and
// without duplicates: `[default]` and `[profile NAME]` sections of the
// config files, `[NAME]` sections of the credentials files, as the AWS CLI
// names them. It only reads section headers (no SDK, no network), for shell
// completion; files that cannot be read are skipped.
func ProfileNames(files SharedFiles) []string {
	var names []string
	for _, f := range files.ConfigFiles {
		names = appendSections(names, f, true)
	}
	for _, f := range files.CredentialsFiles {
		names = appendSections(names, f, false)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// appendSections appends the profile names of the sections in path. In a
// config file a profile is `[profile NAME]` (or `[default]`); other
// sections (`[sso-session X]`, `[services X]`) are not profiles.
func appendSections(names []string, path string, config bool) []string {
	f, err := os.Open(path)
	if err != nil {
		return names
	}
	defer f.Close() //nolint:errcheck // read-only
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if len(line) < 3 || line[0] != '[' {
			continue
		}
		end := strings.IndexByte(line, ']')
		if end < 0 {
			continue
		}
		section := strings.TrimSpace(line[1:end])
		name := section
		if config && section != "default" {
			rest, ok := strings.CutPrefix(section, "profile")
			if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
				continue
			}
			name = strings.TrimSpace(rest)
		}
		if name != "" && !strings.ContainsAny(name, " \t") {
			names = append(names, name)
		}
	}
	return names
}
