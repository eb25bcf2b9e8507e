package fleet

import (
	"errors"
	"fmt"
	"strings"
	"text/template/parse"
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
// output of a Go template over AliasData.
//
// The template is parsed by text/template/parse and run by the small
// evaluator below, not by text/template: text/template calls methods
// through reflection, which makes the linker keep every exported method of
// every type in the binary (twice the size, 13 MB more, paid for by every
// kubectl call that loads it). The subset is what a context name needs:
// text, {{.Name}}, {{.Region}}, {{.Account}}, "string constants", and
// {{if}}/{{else if}}/{{else}}/{{end}} over a field, eq, ne and not.
type Namer struct {
	tree *parse.Tree // nil: the cluster ARN
}

// ParseAliasTemplate parses text ("" for the default, the cluster ARN) and
// tries it on a sample cluster, so that a field that does not exist
// (.Cluster) or a function that fails is caught before any AWS call.
func ParseAliasTemplate(text string) (Namer, error) {
	if text == "" {
		return Namer{}, nil
	}
	trees, err := parse.Parse("alias", text, "", "", aliasFuncs)
	if err != nil {
		return Namer{}, fmt.Errorf("%s is not a Go template: %w", quote.Q(text), err)
	}
	n := Namer{tree: trees["alias"]}
	if n.tree == nil || len(trees) != 1 {
		return Namer{}, fmt.Errorf("%s: define and template are not supported in --alias-template", quote.Q(text))
	}
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
	if n.tree == nil {
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
	if err := runList(&b, n.tree.Root, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// aliasFuncs are the functions the parser accepts; runCond gives them
// their meaning. (parse only checks that a name is known.)
var aliasFuncs = map[string]any{"eq": true, "ne": true, "not": true}

// errUnsupported says what the alias template language has.
var errUnsupported = errors.New(`--alias-template supports text, {{.Name}}, {{.Region}}, {{.Account}}, "strings", and {{if}}/{{else}}/{{end}} with eq, ne and not`)

func runList(b *strings.Builder, l *parse.ListNode, d AliasData) error {
	if l == nil {
		return nil
	}
	for _, node := range l.Nodes {
		switch node := node.(type) {
		case *parse.TextNode:
			b.Write(node.Text)
		case *parse.CommentNode:
		case *parse.ActionNode:
			v, err := runPipe(node.Pipe, d)
			if err != nil {
				return err
			}
			b.WriteString(v)
		case *parse.IfNode:
			ok, err := runCond(node.Pipe, d)
			if err != nil {
				return err
			}
			list := node.ElseList
			if ok {
				list = node.List
			}
			if err := runList(b, list, d); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: %w", node, errUnsupported)
		}
	}
	return nil
}

// runPipe evaluates a pipeline of one command with one operand: a field
// or a string constant.
func runPipe(p *parse.PipeNode, d AliasData) (string, error) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return "", fmt.Errorf("%s: %w", p, errUnsupported)
	}
	return operand(p.Cmds[0].Args[0], d)
}

func operand(n parse.Node, d AliasData) (string, error) {
	switch n := n.(type) {
	case *parse.FieldNode:
		if len(n.Ident) == 1 {
			switch n.Ident[0] {
			case "Name":
				return d.Name, nil
			case "Region":
				return d.Region, nil
			case "Account":
				return d.Account, nil
			}
		}
		return "", fmt.Errorf("can't evaluate field %s", strings.Join(n.Ident, "."))
	case *parse.StringNode:
		return n.Text, nil
	}
	return "", fmt.Errorf("%s: %w", n, errUnsupported)
}

// runCond evaluates an if's condition: a non-empty operand, eq A B, ne A B
// or not X.
func runCond(p *parse.PipeNode, d AliasData) (bool, error) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 {
		return false, fmt.Errorf("%s: %w", p, errUnsupported)
	}
	args := p.Cmds[0].Args
	id, ok := args[0].(*parse.IdentifierNode)
	if !ok {
		v, err := runPipe(p, d)
		return v != "", err
	}
	switch {
	case (id.Ident == "eq" || id.Ident == "ne") && len(args) == 3:
		a, err := operand(args[1], d)
		if err != nil {
			return false, err
		}
		c, err := operand(args[2], d)
		if err != nil {
			return false, err
		}
		return (a == c) == (id.Ident == "eq"), nil
	case id.Ident == "not" && len(args) == 2:
		v, err := operand(args[1], d)
		return v == "", err
	}
	return false, fmt.Errorf("%s: %w", p, errUnsupported)
}
