package access

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Fix holds the remedies, each a block ready to paste; empty when it does
// not apply. They are to be applied by someone the cluster (or the AWS
// account) already lets administer it, not by the refused principal.
type Fix struct {
	// Terraform: aws_eks_access_entry and aws_eks_access_policy_association
	// (or only the association when the entry exists).
	Terraform string `json:"terraform,omitempty"`
	// CLI: aws eks create-access-entry and associate-access-policy.
	CLI string `json:"cli,omitempty"`
	// AWSAuth: the mapRoles (or mapUsers) entry for the aws-auth ConfigMap.
	AWSAuth string `json:"awsAuth,omitempty"`
	// SwitchMode: how to move a CONFIG_MAP cluster to API_AND_CONFIG_MAP.
	SwitchMode string `json:"switchMode,omitempty"`
	// IAMPolicy: an identity policy granting the EKS read calls doctor was
	// refused.
	IAMPolicy string `json:"iamPolicy,omitempty"`
}

const (
	adminPolicy = "AmazonEKSClusterAdminPolicy"
	viewPolicy  = "AmazonEKSViewPolicy"
)

func accessPolicyARN(partition, name string) string {
	return fmt.Sprintf("arn:%s:eks::aws:cluster-access-policy/%s", partition, name)
}

// tfName turns a principal name into a Terraform resource name.
func tfName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	n := b.String()
	if n == "" || (n[0] >= '0' && n[0] <= '9') {
		n = "p_" + n
	}
	return n
}

// hclString quotes s as an HCL string literal.
func hclString(s string) string {
	q, _ := json.Marshal(s)
	r := strings.ReplaceAll(string(q), "${", "$${")
	return strings.ReplaceAll(r, "%{", "%%{")
}

func terraformFix(r *Report, withEntry bool) string {
	p := r.Principal
	name := tfName(p.Name)
	var b strings.Builder
	if p.PathDropped && r.PrincipalWithPath == "" {
		fmt.Fprintf(&b, "# The role's path is unknown (STS drops it): if %s has one, put it in principal_arn.\n", p.Name)
	}
	clusterRef, principalRef := hclString(r.Cluster), hclString(r.FixARN())
	if withEntry {
		fmt.Fprintf(&b, `resource "aws_eks_access_entry" %q {
  cluster_name  = %s
  principal_arn = %s
  type          = "STANDARD"
}

`, name, clusterRef, principalRef)
		clusterRef = fmt.Sprintf("aws_eks_access_entry.%s.cluster_name", name)
		principalRef = fmt.Sprintf("aws_eks_access_entry.%s.principal_arn", name)
	}
	fmt.Fprintf(&b, `resource "aws_eks_access_policy_association" %q {
  cluster_name  = %s
  principal_arn = %s
  policy_arn    = %q

  access_scope {
    type = "cluster"
  }

  # Narrower: read-only in chosen namespaces.
  # policy_arn = %q
  # access_scope {
  #   type       = "namespace"
  #   namespaces = ["default"]
  # }
}
`, name, clusterRef, principalRef, accessPolicyARN(p.Partition, adminPolicy), accessPolicyARN(p.Partition, viewPolicy))
	return b.String()
}

func cliFix(r *Report, withEntry bool) string {
	p := r.Principal
	common := fmt.Sprintf("--cluster-name %s --region %s \\\n    --principal-arn %s", shellQuote(r.Cluster), shellQuote(r.Region), shellQuote(r.FixARN()))
	var b strings.Builder
	if p.PathDropped && r.PrincipalWithPath == "" {
		fmt.Fprintf(&b, "# The role's path is unknown (STS drops it): if %s has one, put it in --principal-arn.\n", p.Name)
	}
	if withEntry {
		fmt.Fprintf(&b, "aws eks create-access-entry %s \\\n    --type STANDARD\n", common)
	}
	fmt.Fprintf(&b, "aws eks associate-access-policy %s \\\n    --policy-arn %s \\\n    --access-scope type=cluster\n", common, accessPolicyARN(p.Partition, adminPolicy))
	fmt.Fprintf(&b, "# Narrower: --policy-arn %s --access-scope type=namespace,namespaces=default\n", accessPolicyARN(p.Partition, viewPolicy))
	return b.String()
}

// awsAuthFix is the aws-auth entry to add. Role ARNs go in without a
// path: aws-auth matches the role ARN as STS reports it.
func awsAuthFix(r *Report) string {
	p := r.Principal
	var b strings.Builder
	b.WriteString("# kubectl edit configmap aws-auth -n kube-system   (as someone the cluster already lets in)\n")
	if p.Kind == KindUser {
		fmt.Fprintf(&b, "# Add under data.mapUsers:\n- userarn: %s\n  username: %s\n", p.ARN, p.Name)
	} else {
		b.WriteString("# Add under data.mapRoles (rolearn without the role's path: aws-auth does not match paths):\n")
		fmt.Fprintf(&b, "- rolearn: %s\n  username: %s:{{SessionName}}\n", roleARN(p.Partition, p.Account, "/", p.Name), p.Name)
	}
	b.WriteString("  groups:\n    - system:masters   # full admin; narrower: a group of your own bound by a (Cluster)RoleBinding, e.g. view-only\n")
	return b.String()
}

func switchModeFix(r *Report) string {
	return fmt.Sprintf(`# Terraform, in the aws_eks_cluster resource:
  access_config {
    authentication_mode = "API_AND_CONFIG_MAP"
  }
# or the AWS CLI:
aws eks update-cluster-config --name %s --region %s \
    --access-config authenticationMode=API_AND_CONFIG_MAP
# aws-auth keeps working in API_AND_CONFIG_MAP; the switch cannot be undone.
# Then run kubectl eksxa doctor again for the access entry to create.
`, shellQuote(r.Cluster), shellQuote(r.Region))
}

// iamPolicyFix grants the EKS read calls the caller was refused.
func iamPolicyFix(r *Report) string {
	clusterARN := r.ClusterARN
	if clusterARN == "" {
		clusterARN = fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", r.Principal.Partition, r.Region, r.Principal.Account, r.Cluster)
	}
	entryARN := strings.Replace(clusterARN, ":cluster/", ":access-entry/", 1) + "/*"
	type statement struct {
		Effect   string
		Action   []string
		Resource []string
	}
	doc := struct {
		Version   string
		Statement []statement
	}{"2012-10-17", []statement{{"Allow", r.missing, []string{clusterARN, entryARN}}}}
	out, _ := json.MarshalIndent(doc, "", "  ")
	return string(out) + "\n"
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	for _, c := range s {
		if !shellSafe(c) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// shellSafe says whether c can stand unquoted in a POSIX shell word.
func shellSafe(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:=,@+%", c)
}
