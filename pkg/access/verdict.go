package access

import (
	"fmt"
	"strings"
)

// decide sets the verdict, reason, notes and fix from what was learnt.
func (r *Report) decide() {
	p := r.Principal
	switch {
	case p.PathDropped && r.Entry == nil && r.AuthMode != ModeConfigMap && r.PathSource == PathFromChain:
		r.note(fmt.Sprintf("STS drops the role path from session ARNs; the chain names the role %s, so the fix uses that ARN.", r.PrincipalWithPath))
	case p.PathDropped && r.Entry == nil && r.AuthMode != ModeConfigMap && r.PathSource == PathFromSSORule:
		r.note(fmt.Sprintf("STS drops the role path from session ARNs; %s is an IAM Identity Center permission-set role, which lives under /aws-reserved/sso.amazonaws.com/ "+
			"(plus the Identity Center's region when that is not us-east-1), so the fix uses %s. Check it with aws iam get-role --role-name %s --query Role.Arn --output text.",
			p.Name, r.PrincipalWithPath, p.Name))
	case p.PathDropped && r.Entry == nil && r.AuthMode != ModeConfigMap:
		hint := fmt.Sprintf("STS drops the role path from session ARNs, and no access entry revealed it: if role %s has a path, the access entry must use the ARN with it (aws iam get-role --role-name %s --query Role.Arn --output text).", p.Name, p.Name)
		if strings.HasPrefix(p.Name, "AWSReservedSSO_") {
			hint += " IAM Identity Center roles live under /aws-reserved/sso.amazonaws.com/ (sometimes with a region segment)."
		}
		r.note(hint)
	}
	if len(r.missing) > 0 {
		r.note(fmt.Sprintf("The caller may not call %s: allow it (see the IAM policy below) for a complete diagnosis.", strings.Join(r.missing, ", ")))
	}
	fix := &Fix{}
	switch {
	case r.Entry != nil:
		r.Verdict = Allowed
		r.Reason = fmt.Sprintf("access entry %s maps this principal: the cluster lets it in.", r.Entry.PrincipalARN)
		r.judgeEntry(fix)
	case r.AuthMode == ModeConfigMap:
		r.Verdict = Unknown
		r.Reason = "the cluster authenticates through the aws-auth ConfigMap only, which cannot be read without access to the cluster."
		r.note("In CONFIG_MAP mode the IAM principal that created the cluster is let in as system:masters without appearing in aws-auth.")
		fix.AWSAuth = awsAuthFix(r)
		fix.SwitchMode = switchModeFix(r)
	case r.entryAbsent && r.AuthMode == ModeAPI:
		r.Verdict = Denied
		r.Reason = "no access entry maps this principal and the cluster (authentication mode API) consults nothing else."
		fix.Terraform = terraformFix(r, true)
		fix.CLI = cliFix(r, true)
	case r.entryAbsent:
		r.Verdict = Unknown
		r.Reason = "not found in access entries; it may still be mapped in the aws-auth ConfigMap, which cannot be read without access to the cluster."
		fix.Terraform = terraformFix(r, true)
		fix.CLI = cliFix(r, true)
		fix.AWSAuth = awsAuthFix(r)
	default:
		r.Verdict = Unknown
		r.Reason = "whether an access entry maps this principal could not be learnt."
		fix.Terraform = terraformFix(r, true)
		fix.CLI = cliFix(r, true)
		if r.AuthMode != ModeAPI {
			fix.AWSAuth = awsAuthFix(r)
		}
	}
	if len(r.missing) > 0 {
		fix.IAMPolicy = iamPolicyFix(r)
	}
	if *fix != (Fix{}) {
		r.Fix = fix
	}
}

// judgeEntry adds what an entry that lets the principal in does not tell:
// whether anything authorizes it.
func (r *Report) judgeEntry(fix *Fix) {
	e := r.Entry
	if e.Type != "" && e.Type != "STANDARD" {
		r.note(fmt.Sprintf("The access entry is of type %s, meant for nodes or pods, not for kubectl users.", e.Type))
	}
	switch {
	case !e.PoliciesKnown:
		r.note("The entry's access policies could not be read, so what the principal may do once in is not known.")
	case len(e.Policies) == 0 && !e.Described:
		r.note("The access entry has no access policy and its Kubernetes groups could not be read: the principal may be authorized to do nothing.")
	case len(e.Policies) == 0 && len(e.Groups) == 0:
		r.note("The access entry has no access policy and no Kubernetes group: the principal gets in but is authorized to do nothing (kubectl will say Forbidden, not Unauthorized). Associate an access policy.")
		fix.Terraform = terraformFix(r, false)
		fix.CLI = cliFix(r, false)
	case len(e.Policies) == 0:
		r.note(fmt.Sprintf("The access entry has no access policy: what the principal may do rests on the RoleBindings and ClusterRoleBindings of its groups (%s).", strings.Join(e.Groups, ", ")))
	}
}

// verdictUnmappable handles federated users and the root user.
func (r *Report) verdictUnmappable() {
	r.Verdict = Denied
	switch r.Principal.Kind {
	case KindFederatedUser:
		r.Reason = "a federated user (sts GetFederationToken) cannot be mapped by an access entry or the aws-auth ConfigMap."
	default:
		r.Reason = "the account root user cannot be mapped by an access entry."
	}
	r.note("Use an IAM role: assume it at the end of the chain (--role-arn) and give that role an access entry.")
}
