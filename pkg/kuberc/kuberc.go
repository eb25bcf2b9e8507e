// Package kuberc reads the credential plugin policy in kubectl's
// preferences file (kuberc; the policy is kubectl 1.35's), says whether it
// lets kubectl run a given exec credential plugin, and adds an allowlist
// entry for one without changing anything else in the file.
//
// The rules are client-go's (plugin/pkg/client/auth/exec): policy "" or
// AllowAll runs every plugin, DenyAll none; Allowlist runs a plugin whose
// command, as written or as found on PATH, equals an entry's command, as
// written or as found on PATH. An Allowlist policy with no entries, an
// empty or non-normalized entry, or an unknown policy makes kubectl refuse
// every plugin. Entries are `command:` (kubectl 1.36+); kubectl 1.35 spells
// it `name:`, which 1.36 still reads.
package kuberc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Policies.
const (
	PolicyAllowAll  = "AllowAll"
	PolicyDenyAll   = "DenyAll"
	PolicyAllowlist = "Allowlist"
)

// apiVersion is the kuberc version that has the policy (v1alpha1 has none).
const apiVersion = "kubectl.config.k8s.io/v1beta1"

// Locate returns the kuberc file kubectl reads, as kubectl finds it from
// its environment: KUBERC (a path, or "off"), else ~/.kube/kuberc; "" when
// kuberc is off (KUBERC=off or KUBECTL_KUBERC=false).
func Locate(kuberc, kubectlKuberc, home string) string {
	if kuberc == "off" || kubectlKuberc == "false" {
		return ""
	}
	if kuberc != "" {
		return kuberc
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".kube", "kuberc")
}

// Policy is a kuberc's credential plugin policy.
type Policy struct {
	// Type is credentialPluginPolicy: "", AllowAll, DenyAll or Allowlist.
	Type string
	// Allowlist is credentialPluginAllowlist's commands; nil when the
	// field is absent.
	Allowlist []string
	// EntryKey is the key the entries use, "command" or "name" (kubectl
	// 1.35's spelling); "command" when there are none.
	EntryKey string
}

type file struct {
	APIVersion string `yaml:"apiVersion"`
	Policy     string `yaml:"credentialPluginPolicy"`
	Allowlist  *[]struct {
		Name    string `yaml:"name"`
		Command string `yaml:"command"`
	} `yaml:"credentialPluginAllowlist"`
}

// Parse reads a kuberc's policy. A kuberc of another apiVersion has none
// (AllowAll).
func Parse(data []byte) (Policy, error) {
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return Policy{}, fmt.Errorf("not YAML: %w", err)
	}
	p := Policy{EntryKey: "command"}
	if f.APIVersion != apiVersion {
		return p, nil
	}
	p.Type = f.Policy
	if f.Allowlist != nil {
		p.Allowlist = []string{}
		names := 0
		for _, e := range *f.Allowlist {
			c := e.Command
			if c == "" {
				c = e.Name
				if c != "" {
					names++
				}
			}
			p.Allowlist = append(p.Allowlist, c)
		}
		if names > 0 && names == len(*f.Allowlist) {
			p.EntryKey = "name"
		}
	}
	return p, nil
}

// Read reads and parses the kuberc at path; ok is false when there is
// none.
func Read(path string) (p Policy, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Policy{}, false, nil
	}
	if err != nil {
		return Policy{}, false, err
	}
	p, err = Parse(data)
	return p, err == nil, err
}

// LookPath finds a command as exec.LookPath does, on the PATH kubectl
// would search.
type LookPath func(file string) (string, error)

// Blocked says why the policy stops kubectl running command; "" when it
// lets it.
func (p Policy) Blocked(command string, lookPath LookPath) string {
	switch p.Type {
	case "", PolicyAllowAll:
		return ""
	case PolicyDenyAll:
		return "credentialPluginPolicy is DenyAll: kubectl runs no credential plugin"
	case PolicyAllowlist:
	default:
		return fmt.Sprintf("credentialPluginPolicy %q is not one kubectl knows (AllowAll, DenyAll, Allowlist): kubectl runs no credential plugin", p.Type)
	}
	if p.Allowlist == nil {
		return "credentialPluginPolicy is Allowlist but there is no credentialPluginAllowlist: kubectl runs no credential plugin"
	}
	if len(p.Allowlist) == 0 {
		return "credentialPluginAllowlist is empty: kubectl runs no credential plugin"
	}
	allowed := map[string]bool{}
	for i, c := range p.Allowlist {
		if c == "" || filepath.Clean(c) != c {
			return fmt.Sprintf("credentialPluginAllowlist entry %d (%q) is empty or not a clean path: kubectl refuses the allowlist and runs no credential plugin", i+1, c)
		}
		allowed[c] = true
	}
	cmd := filepath.Clean(command)
	if allowed[cmd] {
		return ""
	}
	resolved, err := lookPath(cmd)
	if err != nil {
		return fmt.Sprintf("%s is not on PATH, so kubectl cannot match it against credentialPluginAllowlist", command)
	}
	if allowed[resolved] {
		return ""
	}
	for c := range allowed {
		if filepath.Base(c) != filepath.Base(resolved) {
			continue
		}
		if r, err := lookPath(c); err == nil && r == resolved {
			return ""
		}
	}
	return fmt.Sprintf("credentialPluginAllowlist does not list %s (%s)", command, resolved)
}

// Entry is the allowlist item that lets kubectl run command: the path
// lookPath finds it at (the form the Kubernetes docs prefer), else command
// as written. It is YAML for one sequence item, with the policy's EntryKey.
func (p Policy) Entry(command string, lookPath LookPath) string {
	value := filepath.Clean(command)
	if r, err := lookPath(value); err == nil && filepath.IsAbs(r) {
		value = r
	}
	key := p.EntryKey
	if key == "" {
		key = "command"
	}
	return "- " + key + ": " + scalar(value)
}

// scalar writes s as a YAML scalar that reads back as s in block and flow
// context: plain when it is made of path characters only, else quoted.
func scalar(s string) string {
	plain := s != "" && s[0] != '-' && s[0] != ':'
	for _, r := range s {
		if !pathChar(r) {
			plain = false
			break
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "~":
		plain = false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		plain = false
	}
	if plain {
		return s
	}
	return strconv.Quote(s)
}

// ErrDenyAll is AddEntry's answer for a DenyAll policy: allowing one plugin
// means changing the policy, which is the user's decision.
var ErrDenyAll = errors.New("credentialPluginPolicy is DenyAll; to allow kubectl-eksxa, change it to Allowlist and list the plugins you use")

// AddEntry returns data (a kuberc) with entry (Entry's result) added to
// credentialPluginAllowlist, and nothing else changed: every other byte,
// comment and blank line is kept. The entry goes first in a block list (the
// list is an OR, so order does not matter), first in a flow list, or, when
// the policy is Allowlist with no list, in a new list at the end.
func AddEntry(data []byte, entry string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a kuberc: the document is not a mapping")
	}
	root := doc.Content[0]
	var policy, list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "credentialPluginPolicy":
			policy = root.Content[i+1]
		case "credentialPluginAllowlist":
			list = root.Content[i+1]
		}
	}
	if policy != nil && policy.Value == PolicyDenyAll {
		return nil, ErrDenyAll
	}
	if policy == nil || policy.Value != PolicyAllowlist {
		return nil, errors.New("credentialPluginPolicy is not Allowlist: there is no allowlist to add to")
	}
	nl := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		nl = "\r\n"
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	switch {
	case list == nil:
		out := append([]byte(nil), data...)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, nl...)
		}
		return append(out, "credentialPluginAllowlist:"+nl+entry+nl...), nil
	case list.Kind == yaml.SequenceNode && list.Style&yaml.FlowStyle != 0:
		// [ ... ]: insert "{key: value}, " right after the bracket.
		off, ok := offset(lines, list.Line, list.Column)
		if !ok || data[off] != '[' {
			return nil, errors.New("cannot find the start of credentialPluginAllowlist's [ list")
		}
		item := "{" + strings.TrimPrefix(entry, "- ") + "}"
		if len(list.Content) > 0 {
			item += ", "
		}
		return splice(data, off+1, item), nil
	case list.Kind == yaml.SequenceNode && len(list.Content) > 0:
		// A block list: a new "- key: value" line before the first item,
		// indented as it is.
		first := list.Content[0]
		line := lines[first.Line-1]
		dash := bytes.LastIndexByte(line[:first.Column-1], '-')
		if dash < 0 || len(bytes.TrimLeft(line[:dash], " ")) != 0 {
			return nil, errors.New("credentialPluginAllowlist's items are laid out in a way this edit does not handle; add the entry by hand")
		}
		off, _ := offset(lines, first.Line, 1)
		return splice(data, off, string(line[:dash])+entry+nl), nil
	default:
		return nil, errors.New("credentialPluginAllowlist is not a list; add the entry by hand")
	}
}

// offset is the byte offset of a 1-based line and column.
func offset(lines [][]byte, line, col int) (int, bool) {
	if line < 1 || line > len(lines) || col < 1 || col > len(lines[line-1]) {
		return 0, false
	}
	off := 0
	for _, l := range lines[:line-1] {
		off += len(l)
	}
	return off + col - 1, true
}

func splice(data []byte, at int, s string) []byte {
	out := make([]byte, 0, len(data)+len(s))
	out = append(out, data[:at]...)
	out = append(out, s...)
	return append(out, data[at:]...)
}

// pathChar says whether r may appear in a plain YAML path scalar.
func pathChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./~-", r)
}

// Write replaces the kuberc at path with data: written through a symlink
// to its target, with the old file's mode, atomically (a temp file in the
// same folder, synced, then renamed over it), so a failed write leaves the
// old file.
func Write(path string, data []byte) (err error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kuberc-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil { // the temp file is garbage
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(fi.Mode().Perm()); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
