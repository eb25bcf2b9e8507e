package sharedconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Files names the shared config and credentials files to read, as the
// caller resolved them (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, the
// home directory). Load reads exactly these; a file that does not exist
// counts as empty, as in botocore.
type Files struct {
	ConfigFiles, CredentialsFiles []string
}

// All lists every file, config files first.
func (f Files) All() []string {
	return append(append([]string{}, f.ConfigFiles...), f.CredentialsFiles...)
}

// Config is the merged content of the shared files.
type Config struct {
	files       Files
	profiles    map[string]*Profile
	ssoSessions map[string]*Profile
}

// Profile is one profile (or sso-session) and where each of its settings
// was written.
type Profile struct {
	// Name is the profile's name as botocore reads it: "default",
	// [profile NAME] in a config file (NAME may be quoted), [NAME] in a
	// credentials file.
	Name     string
	settings map[string]string
	from     map[string]string // setting -> file
}

// Get returns a setting ("" when unset). Keys are lower case.
func (p *Profile) Get(key string) string { return p.settings[key] }

// Has reports whether a setting is present (even if empty).
func (p *Profile) Has(key string) bool {
	_, ok := p.settings[key]
	return ok
}

// File is the file a setting was read from ("" when unset).
func (p *Profile) File(key string) string { return p.from[key] }

// Keys lists the profile's setting names (never their values).
func (p *Profile) Keys() []string {
	keys := make([]string, 0, len(p.settings))
	for k := range p.settings {
		keys = append(keys, k)
	}
	return keys
}

// Load reads and merges files as botocore does (botocore.session and
// botocore.configloader): in a config file, [default] and
// [profile NAME] are profiles and [sso-session NAME] are SSO sessions, NAME
// split as a shell would split it (so quotes hold spaces), other sections
// ignored; in a credentials file every section is a profile; a credentials
// file's setting overrides the config file's for the same profile.
// readFile is os.ReadFile in production.
func Load(readFile func(string) ([]byte, error), files Files) (*Config, error) {
	c := &Config{files: files, profiles: map[string]*Profile{}, ssoSessions: map[string]*Profile{}}
	for _, path := range files.ConfigFiles {
		sections, err := readSections(readFile, path)
		if err != nil {
			return nil, err
		}
		for _, s := range sections {
			var into map[string]*Profile
			name := s.name
			switch {
			case strings.HasPrefix(name, "profile"):
				into = c.profiles
			case strings.HasPrefix(name, "sso-session"):
				into = c.ssoSessions
			case name == "default":
				into = c.profiles
			default:
				continue
			}
			if name != "default" {
				parts, ok := shellSplit(name)
				if !ok || len(parts) != 2 {
					continue
				}
				name = parts[1]
			}
			// A later section of the same name replaces an earlier one
			// ([default] and [profile default]), as botocore's dict does.
			into[name] = newProfile(name, s.settings, path)
		}
	}
	for _, path := range files.CredentialsFiles {
		sections, err := readSections(readFile, path)
		if err != nil {
			return nil, err
		}
		for _, s := range sections {
			p, ok := c.profiles[s.name]
			if !ok {
				c.profiles[s.name] = newProfile(s.name, s.settings, path)
				continue
			}
			for k, v := range s.settings {
				p.settings[k], p.from[k] = v, path
			}
		}
	}
	return c, nil
}

func newProfile(name string, settings map[string]string, file string) *Profile {
	p := &Profile{Name: name, settings: settings, from: make(map[string]string, len(settings))}
	for k := range settings {
		p.from[k] = file
	}
	return p
}

func readSections(readFile func(string) ([]byte, error), path string) ([]section, error) {
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	sections, err := parseINI(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sections, nil
}

// Profile returns the named profile, or nil.
func (c *Config) Profile(name string) *Profile { return c.profiles[name] }

// SSOSession returns the named [sso-session], or nil.
func (c *Config) SSOSession(name string) *Profile { return c.ssoSessions[name] }

// ProfileNames returns the names of the profiles found, sorted.
func (c *Config) ProfileNames() []string {
	names := make([]string, 0, len(c.profiles))
	for n := range c.profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Files are the files Load was given.
func (c *Config) Files() Files { return c.files }

// NotFoundError says a profile is in none of the files read.
type NotFoundError struct {
	// What is "profile" or "source_profile" or "sso-session".
	What, Name string
	// Of is the profile that names it, "" for the selected profile.
	Of    string
	Files []string
	// Known lists the profiles the files do hold (Config.ProfileNames), for
	// the next step; nil when not looked up.
	Known []string
}

// maxKnownNamed bounds how many existing profiles an error lists.
const maxKnownNamed = 10

func (e *NotFoundError) Error() string {
	s := fmt.Sprintf("%s %q not found in %s", e.What, e.Name, strings.Join(e.Files, ", "))
	if e.Of != "" {
		s = fmt.Sprintf("profile %q: ", e.Of) + s
	}
	if e.What == "sso-session" {
		return s
	}
	switch n := len(e.Known); {
	case e.Known == nil:
	case n == 0:
		s += "; they hold no profile"
	case n <= maxKnownNamed:
		s += "; profiles there: " + strings.Join(e.Known, ", ")
	default:
		s += fmt.Sprintf("; profiles there: %s and %d more", strings.Join(e.Known[:maxKnownNamed], ", "), n-maxKnownNamed)
	}
	if e.Known != nil {
		s += fmt.Sprintf(". Check the name, or create it with `aws configure --profile %s`", e.Name)
	}
	return s
}

// shellSplit splits s as Python's shlex.split does (POSIX mode, no
// comments): blanks separate words, '...' is literal, "..." is literal
// but for \" and \\, and a backslash outside quotes escapes the next
// character. It reports false where shlex raises (an unclosed quote or a
// trailing backslash).
func shellSplit(s string) ([]string, bool) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
	)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case ' ', '\t', '\n', '\r':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, false
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			in = true
		case '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, false
			}
			in = true
		case '\\':
			if i+1 >= len(s) {
				return nil, false
			}
			i++
			cur.WriteByte(s[i])
			in = true
		default:
			cur.WriteByte(ch)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, true
}
