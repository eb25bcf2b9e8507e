package kubeconfig

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"
)

// DuplicateNameError is a kubeconfig that lists one name twice: kubectl
// refuses such a file too. Its text names the name, the list and the file,
// never the entries' content.
type DuplicateNameError struct {
	File string
	// List is clusters, users, contexts or extensions.
	List string
	Name string
}

func (e *DuplicateNameError) Error() string {
	return fmt.Sprintf("kubeconfig %s lists the name %q twice in %s: kubectl refuses this file too; rename or remove one of the two entries, then run the command again",
		e.File, e.Name, e.List)
}

// Load parses a kubeconfig's bytes (empty: a new, empty config) as
// client-go does, with errors fit to show: they name file and never carry
// a credential from the file. client-go's own error for a duplicate name
// prints every entry of the list, tokens, passwords and keys included;
// Load finds duplicates first (*DuplicateNameError), and redacts every
// credential value of the file from any other loader error.
func Load(data []byte, file string) (*clientcmdapi.Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return clientcmdapi.NewConfig(), nil
	}
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("kubeconfig %s is not valid YAML: %s", file, quietYAMLError(err))
	}
	doc, _ := raw.(map[string]any)
	for _, list := range []string{"clusters", "users", "contexts", "extensions"} {
		if name, ok := duplicate(doc[list]); ok {
			return nil, &DuplicateNameError{File: file, List: list, Name: name}
		}
	}
	cfg, err := clientcmd.Load(data)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s cannot be read: %s", file, scrub(err.Error(), secretsIn(doc)))
	}
	return cfg, nil
}

// duplicate returns the first name listed twice in a named list.
func duplicate(list any) (string, bool) {
	items, _ := list.([]any)
	seen := map[string]bool{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		name, ok := m["name"].(string)
		if !ok {
			continue
		}
		if seen[name] {
			return name, true
		}
		seen[name] = true
	}
	return "", false
}

// quietYAMLError is a YAML syntax error's first line with anything quoted
// (backquotes or double quotes: file content) replaced by (...): the
// position and the kind of mistake are what help.
func quietYAMLError(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	var b strings.Builder
	var quote rune
	for _, c := range msg {
		switch {
		case quote != 0 && c == quote:
			quote = 0
			b.WriteString("(...)")
		case quote != 0:
		case c == '`' || c == '"':
			quote = c
		default:
			b.WriteRune(c)
		}
	}
	if quote != 0 {
		b.WriteString("(...)")
	}
	return b.String()
}

// credentialKeys are the user fields whose values are secrets.
var credentialKeys = []string{"token", "password", "client-key-data", "client-certificate-data"}

// secretsIn collects every credential value of a parsed kubeconfig
// document: the credential fields of each user, its auth-provider config
// and its exec env values, as written and, for *-data fields, decoded.
func secretsIn(doc map[string]any) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 3 {
			out = append(out, s)
		}
	}
	users, _ := doc["users"].([]any)
	for _, it := range users {
		m, _ := it.(map[string]any)
		u, _ := m["user"].(map[string]any)
		for _, k := range credentialKeys {
			s := scalar(u[k])
			add(s)
			if strings.HasSuffix(k, "-data") {
				if b, err := base64.StdEncoding.DecodeString(s); err == nil {
					add(string(b))
					add(strings.Trim(fmt.Sprint(b), "[]")) //nolint:staticcheck // QF1010: the []byte's %v form ([1 2 3]) is what is wanted, not its text
				}
			}
		}
		if ap, ok := u["auth-provider"].(map[string]any); ok {
			c, _ := ap["config"].(map[string]any)
			for _, v := range c {
				add(scalar(v))
			}
		}
		if ex, ok := u["exec"].(map[string]any); ok {
			env, _ := ex["env"].([]any)
			for _, e := range env {
				em, _ := e.(map[string]any)
				add(scalar(em["value"]))
			}
		}
	}
	// Longest first, so a value inside another is not left half shown.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// scalar is a YAML scalar's text ("" for anything else): a token written
// as a number is still a token.
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64, int64, bool:
		return fmt.Sprint(v)
	}
	return ""
}

// scrub replaces each secret in msg with REDACTED.
func scrub(msg string, secrets []string) string {
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "REDACTED")
	}
	return msg
}

// safeEnvNames are exec env variables whose values are settings, not
// secrets; Redact shows them.
var safeEnvNames = map[string]bool{
	"AWS_PROFILE": true, "AWS_REGION": true, "AWS_DEFAULT_REGION": true, "AWS_CONFIG_FILE": true,
	"AWS_SHARED_CREDENTIALS_FILE": true, "EKSXA_CACHE": true, "EKSXA_CACHE_DIR": true, "EKSXA_DEBUG": true,
	"KUBECACHEDIR": true, "AWS_STS_REGIONAL_ENDPOINTS": true,
}

// Redact returns cfg as YAML with credentials hidden, as `kubectl config
// view` shows them: tokens and passwords REDACTED, key, certificate and CA
// data DATA+OMITTED; and beyond kubectl, auth-provider config values and
// exec env values (other than plain settings such as AWS_PROFILE) REDACTED.
// cfg itself is not changed.
func Redact(cfg *clientcmdapi.Config) ([]byte, error) {
	c := cfg.DeepCopy()
	clientcmdapi.ShortenConfig(c)
	for _, u := range c.AuthInfos {
		if u.Password != "" {
			u.Password = "REDACTED"
		}
		if u.AuthProvider != nil {
			for k := range u.AuthProvider.Config {
				u.AuthProvider.Config[k] = "REDACTED"
			}
		}
		if u.Exec != nil {
			for i, e := range u.Exec.Env {
				if !safeEnvNames[e.Name] && e.Value != "" {
					u.Exec.Env[i].Value = "REDACTED"
				}
			}
		}
	}
	return clientcmd.Write(*c)
}
