package access

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as one indented JSON object with stable
// lowerCamel field names.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// textWidth is where notes are wrapped.
const textWidth = 80

// WriteText writes the report for a person at a terminal: a header
// (cluster, mode, principal), the EKS calls made, the access entry, the
// verdict, notes, then the fix blocks, unindented so they paste as they
// are. Plain text, no colours.
func (r Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	row("Cluster", fmt.Sprintf("%s (%s)", r.Cluster, r.Region))
	if r.ClusterARN != "" {
		row("Cluster ARN", r.ClusterARN)
	}
	mode := r.AuthMode
	if mode == "" {
		mode = "unknown"
	}
	row("Auth mode", mode+modeGloss(r.AuthMode))
	row("Caller", r.CallerARN)
	p := r.Principal
	switch {
	case !p.Mappable():
		row("Principal", fmt.Sprintf("%s (%s: cannot be mapped)", p.ARN, p.Kind))
	case p.SessionName != "":
		row("Principal", fmt.Sprintf("%s (role, session %s)", p.ARN, p.SessionName))
	default:
		row("Principal", fmt.Sprintf("%s (%s)", p.ARN, p.Kind))
	}
	if r.PrincipalWithPath != "" && r.PrincipalWithPath != p.ARN {
		row("With path", r.PrincipalWithPath+" (from the "+firstNonEmpty(r.PathSource, PathFromEntry)+"; STS drops role paths)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(r.Checked) > 0 {
		fmt.Fprintln(ew)
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "EKS API\tRESULT")
		for _, c := range r.Checked {
			res := "ok"
			switch {
			case c.MissingPermission != "":
				res = "refused: the caller lacks IAM permission " + c.MissingPermission
			case !c.OK:
				res = c.Error + checkGloss(c)
			}
			fmt.Fprintf(tw, "%s\t%s\n", c.API, res)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if e := r.Entry; e != nil {
		fmt.Fprintln(ew)
		fmt.Fprintf(ew, "Access entry: %s\n", e.PrincipalARN)
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		if e.Described {
			fmt.Fprintf(tw, "  Type:\t%s\n", e.Type)
			fmt.Fprintf(tw, "  Username:\t%s\n", e.Username)
			fmt.Fprintf(tw, "  Groups:\t%s\n", orNone(strings.Join(e.Groups, ", ")))
		} else {
			fmt.Fprintf(tw, "  Details:\t(unknown: eks:DescribeAccessEntry refused)\n")
		}
		switch {
		case !e.PoliciesKnown:
			fmt.Fprintf(tw, "  Policies:\t(unknown: eks:ListAssociatedAccessPolicies refused)\n")
		case len(e.Policies) == 0:
			fmt.Fprintf(tw, "  Policies:\t(none)\n")
		default:
			for i, pol := range e.Policies {
				k := "  Policies:"
				if i > 0 {
					k = ""
				}
				scope := pol.Scope + " scope"
				if pol.Scope == "namespace" {
					scope = "namespaces " + strings.Join(pol.Namespaces, ", ")
				}
				fmt.Fprintf(tw, "%s\t%s (%s)\n", k, pol.Name, scope)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if l := r.Live; l != nil {
		fmt.Fprintln(ew)
		if l.Error != "" {
			fmt.Fprintf(ew, "Live check: GET /version failed: %s\n", l.Error)
		} else {
			fmt.Fprintf(ew, "Live check: GET /version answered %d%s\n", l.Status, liveGloss(l.Status))
		}
	}

	fmt.Fprintln(ew)
	fmt.Fprintf(ew, "Verdict: %s - %s\n", strings.ToUpper(string(r.Verdict)), r.Reason)

	if len(r.Notes) > 0 {
		fmt.Fprintln(ew)
		fmt.Fprintln(ew, "Notes:")
		for _, n := range r.Notes {
			for i, line := range wrap(n, textWidth-4) {
				lead := "  - "
				if i > 0 {
					lead = "    "
				}
				fmt.Fprintf(ew, "%s%s\n", lead, line)
			}
		}
	}

	if f := r.Fix; f != nil {
		block := func(title, body string) {
			if body == "" {
				return
			}
			fmt.Fprintf(ew, "\n%s:\n\n%s", title, body)
		}
		block("Fix: access entry, Terraform", f.Terraform)
		block("Fix: access entry, AWS CLI (run as a cluster administrator)", f.CLI)
		block("Fix: aws-auth ConfigMap", f.AWSAuth)
		block("Fix: switch the cluster to API_AND_CONFIG_MAP to use access entries", f.SwitchMode)
		block("For a complete diagnosis, allow the caller these EKS calls (IAM policy)", f.IAMPolicy)
	}
	return ew.err
}

func modeGloss(mode string) string {
	switch mode {
	case ModeAPI:
		return " (access entries only)"
	case ModeAPIAndConfigMap:
		return " (access entries, then the aws-auth ConfigMap)"
	case ModeConfigMap:
		return " (the aws-auth ConfigMap only)"
	}
	return ""
}

func checkGloss(c Check) string {
	switch c.Error {
	case "InvalidRequestException":
		return " (the cluster is in CONFIG_MAP mode)"
	case "ResourceNotFoundException":
		return " (no access entry for this ARN)"
	}
	return ""
}

func liveGloss(status int) string {
	switch status {
	case 200:
		return " OK: the cluster authenticated the token"
	case 401:
		return " Unauthorized: the cluster refused the principal"
	case 403:
		return " Forbidden: the cluster authenticated the token (but forbids /version)"
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// wrap splits s into lines of at most width runes at spaces (a longer
// word stays whole on its own line).
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// errWriter keeps the first write error and drops later writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
