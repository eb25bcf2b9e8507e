package fleet

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"unicode"

	"github.com/eksxa/kubectl-eksxa/pkg/quote"
)

// MaxContextName is the longest context name --alias-template may give, in
// bytes. kubectl puts no limit on context names; 253 is the limit of a
// DNS subdomain (RFC 1123), which Kubernetes uses for most object names,
// and keeps a name one can type after kubectl --context.
const MaxContextName = 253

// ErrBadContextName is wrapped by the error for a context name that holds
// a control character or is longer than MaxContextName: a mistake in the
// template, a usage error.
var ErrBadContextName = errors.New("not a usable context name")

// checkContextName refuses a name with a control character (a newline
// would split the kubeconfig's YAML key and every table line showing it)
// or longer than MaxContextName.
func checkContextName(name string) error {
	for i, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %s holds the control character %U at byte %d", ErrBadContextName, quote.Q(name), r, i)
		}
	}
	if len(name) > MaxContextName {
		return fmt.Errorf("%w: %s is %d bytes, more than %d", ErrBadContextName, quote.Q(name), len(name), MaxContextName)
	}
	return nil
}

// AliasData is what --alias-template sees for one cluster.
type AliasData struct {
	// Name is the cluster's name, Region its region, Account the 12-digit
	// account it lives in.
	Name, Region, Account string
}

// Namer names a cluster's context: the cluster ARN by default, else the
// output of a Go text/template over AliasData.
type Namer struct {
	tmpl *template.Template // nil: the cluster ARN
}

// ParseAliasTemplate parses text ("" for the default, the cluster ARN) and
// tries it on a sample cluster, so that a field that does not exist
// (.Cluster) or a function that fails is caught before any AWS call.
func ParseAliasTemplate(text string) (Namer, error) {
	if text == "" {
		return Namer{}, nil
	}
	t, err := template.New("alias").Option("missingkey=error").Parse(text)
	if err != nil {
		return Namer{}, fmt.Errorf("%s is not a Go template: %w", quote.Q(text), err)
	}
	n := Namer{tmpl: t}
	name, err := n.execute(AliasData{Name: "demo", Region: "us-east-1", Account: "111122223333"})
	if err != nil {
		return Namer{}, fmt.Errorf("%s: %w (it may use .Name, .Region and .Account)", quote.Q(text), err)
	}
	// A control character or an overlong name in the template's own text
	// shows on the sample already: refuse it before any AWS call.
	if err := checkContextName(name); err != nil {
		return Namer{}, fmt.Errorf("gives %w", err)
	}
	return n, nil
}

// Name returns c's context name. An empty name (the template printed only
// spaces) is an error naming the cluster; a name with a control character
// or longer than MaxContextName is one wrapping ErrBadContextName.
func (n Namer) Name(c Found) (string, error) {
	if n.tmpl == nil {
		return c.ARN, nil
	}
	name, err := n.execute(AliasData{Name: c.Name, Region: c.Region, Account: c.Account})
	if err != nil {
		return "", fmt.Errorf("--alias-template for %s: %w", c.ARN, err)
	}
	if strings.TrimSpace(name) == "" {
		return "", fmt.Errorf("--alias-template gives an empty context name for %s", c.ARN)
	}
	if err := checkContextName(name); err != nil {
		return "", fmt.Errorf("--alias-template for %s: %w", c.ARN, err)
	}
	return name, nil
}

func (n Namer) execute(d AliasData) (string, error) {
	var b strings.Builder
	if err := n.tmpl.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}
