package fleet

import (
	"fmt"
	"strings"
	"text/template"
)

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
		return Namer{}, fmt.Errorf("%q is not a Go template: %w", text, err)
	}
	n := Namer{tmpl: t}
	if _, err := n.execute(AliasData{Name: "demo", Region: "us-east-1", Account: "111122223333"}); err != nil {
		return Namer{}, fmt.Errorf("%q: %w (it may use .Name, .Region and .Account)", text, err)
	}
	return n, nil
}

// Name returns c's context name. An empty name (the template printed only
// spaces) is an error naming the cluster.
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
	return name, nil
}

func (n Namer) execute(d AliasData) (string, error) {
	var b strings.Builder
	if err := n.tmpl.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}
