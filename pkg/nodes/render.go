package nodes

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as indented JSON: the same content as the
// table.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// computeOrder is the order compute types are counted in.
var computeOrder = []ComputeType{Managed, AutoMode, Fargate, Hybrid, SelfManaged}

// WriteTable writes the report for a person at a terminal: the control
// plane, Auto Mode, the managed node groups (behind ones marked, with
// their fix), Fargate profiles and the nodes, each part either known or
// "unknown" with what to grant.
func (r *Report) WriteTable(w io.Writer) error {
	b := &strings.Builder{}
	cp := r.ControlPlane
	fmt.Fprintf(b, "Cluster %s (%s)\n", r.Cluster, r.Region)
	if cp.Unknown != nil {
		fmt.Fprintf(b, "Control plane: unknown: %s\n", unknownText(cp.Unknown, "  "))
	} else {
		fmt.Fprintf(b, "Control plane: Kubernetes %s, platform %s, %s%s\n", cp.Version, cp.PlatformVersion, cp.Status, supportText(cp.Support))
		if u := cp.SupportUnknown; u != nil {
			// One short line: the status only informs (--fail-outdated
			// does not need it), so no grant paragraph.
			fmt.Fprintf(b, "               support status unknown (%s)\n", u.Reason)
		}
	}
	switch {
	case r.AutoMode == nil:
		fmt.Fprintln(b, "Auto Mode:     unknown (DescribeCluster was refused)")
	case r.AutoMode.Enabled:
		pools := "no built-in node pools"
		if len(r.AutoMode.NodePools) > 0 {
			pools = "node pools " + strings.Join(r.AutoMode.NodePools, ", ")
		}
		fmt.Fprintf(b, "Auto Mode:     on, %s\n", pools)
	default:
		fmt.Fprintln(b, "Auto Mode:     off")
	}

	fmt.Fprintln(b)
	if u := r.NodeGroups.Unknown; u != nil {
		fmt.Fprintf(b, "MANAGED NODE GROUPS: unknown: %s\n", unknownText(u, "  "))
	} else if len(r.NodeGroups.Items) == 0 {
		fmt.Fprintln(b, "MANAGED NODE GROUPS: none")
	} else {
		fmt.Fprintln(b, "MANAGED NODE GROUPS")
		tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tAMI TYPE\tK8S\tRELEASE\tLATEST\tCAPACITY\tDESIRED/MIN/MAX\tSTATUS\tSTATE")
		for _, g := range r.NodeGroups.Items {
			state := g.State
			switch g.State {
			case StateBehind:
				state = "BEHIND: " + g.Behind
			case StateUnknown:
				state = "unknown (see below)"
			}
			sizes := fmt.Sprintf("%d/%d/%d", g.DesiredSize, g.MinSize, g.MaxSize)
			if g.detailsUnknown {
				sizes = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", g.Name, dash(g.AMIType), dash(g.KubernetesVersion),
				dash(g.ReleaseVersion), dash(g.LatestReleaseVersion), dash(g.CapacityType), sizes, dash(g.Status), state)
		}
		_ = tw.Flush() // into a strings.Builder: cannot fail
		// Groups whose lookups failed for the same reason share one
		// message.
		type unknownKey struct {
			text    string
			details bool
		}
		var unknownOrder []unknownKey
		unknownGroups := map[unknownKey][]string{}
		for _, g := range r.NodeGroups.Items {
			if g.Fix != nil {
				fmt.Fprintf(b, "\nFix for %s, %s:\n", g.Name, g.Behind)
				fmt.Fprintf(b, "  Terraform (its aws_eks_node_group):\n    %s\n", g.Fix.Terraform)
				fmt.Fprintf(b, "  aws CLI:\n    %s\n", g.Fix.AWSCLI)
			}
			if g.Unknown != nil {
				k := unknownKey{unknownText(g.Unknown, "  "), g.detailsUnknown}
				if _, seen := unknownGroups[k]; !seen {
					unknownOrder = append(unknownOrder, k)
				}
				unknownGroups[k] = append(unknownGroups[k], g.Name)
			}
		}
		for _, k := range unknownOrder {
			what := "Latest release unknown"
			if k.details {
				// DescribeNodegroup failed: everything but the name is unknown.
				what = "Details unknown"
			}
			fmt.Fprintf(b, "\n%s for %s: %s\n", what, strings.Join(unknownGroups[k], ", "), k.text)
		}
		sep := "\n"
		for _, g := range r.NodeGroups.Items {
			for _, n := range g.Notes {
				fmt.Fprintf(b, "%sNote on %s: %s\n", sep, g.Name, n)
				sep = ""
			}
		}
	}

	fmt.Fprintln(b)
	switch fp := r.FargateProfiles; {
	case fp.Unknown != nil:
		fmt.Fprintf(b, "FARGATE PROFILES: unknown: %s\n", unknownText(fp.Unknown, "  "))
	case len(fp.Names) == 0:
		fmt.Fprintln(b, "FARGATE PROFILES: none")
	default:
		fmt.Fprintf(b, "FARGATE PROFILES: %s\n", strings.Join(fp.Names, ", "))
	}

	fmt.Fprintln(b)
	ns := r.Nodes
	switch {
	case ns.Unknown != nil:
		fmt.Fprintf(b, "NODES: unknown: %s\n", unknownText(ns.Unknown, "  "))
	case len(ns.Items) == 0:
		fmt.Fprintln(b, "NODES: none")
	default:
		var counts []string
		for _, ct := range computeOrder {
			if n := ns.Counts[ct]; n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", n, ct))
			}
		}
		fmt.Fprintf(b, "NODES: %d (%s)\n", len(ns.Items), strings.Join(counts, ", "))
		tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCOMPUTE\tGROUP\tKUBELET\tOS IMAGE\tREADY\tSKEW")
		for _, n := range ns.Items {
			skew := "unknown: " + n.SkewError
			switch {
			case n.Skew != nil && n.Skew.OK:
				skew = "ok"
			case n.Skew != nil:
				skew = "TOO FAR: " + n.Skew.Problem
			case n.SkewError == "":
				skew = "unknown"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.ComputeType, dash(n.Group), dash(n.KubeletVersion), dash(n.OSImage), dash(n.Ready), skew)
		}
		_ = tw.Flush() // into a strings.Builder: cannot fail
		if bad := r.SkewProblems(); bad > 0 {
			fmt.Fprintf(b, "%d %s outside the Kubernetes version skew policy (https://kubernetes.io/releases/version-skew-policy/#kubelet): upgrade or replace %s.\n",
				bad, plural(bad, "node is", "nodes are"), plural(bad, "it", "them"))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func supportText(s *Support) string {
	if s == nil {
		return ""
	}
	switch s.Status {
	case "STANDARD_SUPPORT":
		if s.EndOfStandardSupport != "" {
			return ", standard support until " + s.EndOfStandardSupport
		}
		return ", standard support"
	case "EXTENDED_SUPPORT":
		if s.EndOfExtendedSupport != "" {
			return ", EXTENDED support (extra cost) until " + s.EndOfExtendedSupport
		}
		return ", EXTENDED support (extra cost)"
	case "UNSUPPORTED":
		return ", UNSUPPORTED: past the end of extended support"
	}
	return ", support " + s.Status
}

func unknownText(u *Unknown, indent string) string {
	if u.Grant == "" {
		return u.Reason
	}
	return u.Reason + "\n" + indent + "grant: " + u.Grant
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
