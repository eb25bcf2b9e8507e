package nodes

// Report is what `kubectl eksxa nodes` prints, as a table or as JSON.
// Every part carries Unknown instead of its content when it could not be
// learnt.
type Report struct {
	Cluster      string       `json:"cluster"`
	Region       string       `json:"region"`
	ControlPlane ControlPlane `json:"controlPlane"`
	// AutoMode is nil when DescribeCluster could not be called.
	AutoMode        *AutoModeConfig `json:"autoMode"`
	NodeGroups      NodeGroups      `json:"nodeGroups"`
	FargateProfiles FargateProfiles `json:"fargateProfiles"`
	Nodes           Nodes           `json:"nodes"`
}

// Unknown says why a part of the report is missing and, when a refusal is
// the reason, what to grant.
type Unknown struct {
	Reason string `json:"reason"`
	// Grant is the IAM permission or the Kubernetes access that would
	// let the call through; empty when the reason is not a refusal.
	Grant string `json:"grant,omitempty"`
}

// ControlPlane is the cluster's control plane, from DescribeCluster.
type ControlPlane struct {
	// Version is the Kubernetes minor version, e.g. "1.31".
	Version string `json:"version,omitempty"`
	// PlatformVersion is the EKS platform version, e.g. "eks.12".
	PlatformVersion string `json:"platformVersion,omitempty"`
	// Status is the cluster status, e.g. ACTIVE.
	Status string `json:"status,omitempty"`
	// Support is nil when DescribeClusterVersions was refused or failed
	// (it is skipped quietly).
	Support *Support `json:"support,omitempty"`
	Unknown *Unknown `json:"unknown,omitempty"`
}

// Support is a Kubernetes version's support status on EKS, from
// DescribeClusterVersions.
type Support struct {
	// Status is STANDARD_SUPPORT, EXTENDED_SUPPORT or UNSUPPORTED.
	Status string `json:"status"`
	// EndOfStandardSupport and EndOfExtendedSupport are dates,
	// YYYY-MM-DD (UTC), empty when EKS gives none.
	EndOfStandardSupport string `json:"endOfStandardSupport,omitempty"`
	EndOfExtendedSupport string `json:"endOfExtendedSupport,omitempty"`
}

// AutoModeConfig is EKS Auto Mode's compute configuration.
type AutoModeConfig struct {
	Enabled bool `json:"enabled"`
	// NodePools are the built-in node pools Auto Mode runs, e.g.
	// general-purpose and system.
	NodePools []string `json:"nodePools"`
}

// NodeGroups are the cluster's managed node groups.
type NodeGroups struct {
	Items   []NodeGroup `json:"items"`
	Unknown *Unknown    `json:"unknown,omitempty"`
}

// Node group states.
const (
	StateCurrent = "current"
	StateBehind  = "behind"
	StateUnknown = "unknown"
)

// NodeGroup is one managed node group and how its AMI release compares
// with the latest recommended one.
type NodeGroup struct {
	Name              string `json:"name"`
	AMIType           string `json:"amiType"`
	ReleaseVersion    string `json:"releaseVersion"`
	KubernetesVersion string `json:"kubernetesVersion"`
	CapacityType      string `json:"capacityType"`
	DesiredSize       int32  `json:"desiredSize"`
	MinSize           int32  `json:"minSize"`
	MaxSize           int32  `json:"maxSize"`
	Status            string `json:"status"`
	// LatestReleaseVersion is the latest recommended release for the
	// group's AMI type and Kubernetes version, read from SSMParameter.
	LatestReleaseVersion string `json:"latestReleaseVersion,omitempty"`
	SSMParameter         string `json:"ssmParameter,omitempty"`
	// State is current, behind or unknown.
	State string `json:"state"`
	// DaysBehind is how many days older the group's AMI build is than
	// the latest (Amazon Linux releases; 0 otherwise).
	DaysBehind int `json:"daysBehind,omitempty"`
	// Behind says how far behind, in words.
	Behind  string   `json:"behind,omitempty"`
	Unknown *Unknown `json:"unknown,omitempty"`
	// Fix is set when the group is behind.
	Fix   *Fix     `json:"fix,omitempty"`
	Notes []string `json:"notes,omitempty"`

	// lookupFailed: the latest release could not be learnt because a
	// call failed (as opposed to there being none to learn).
	lookupFailed bool
}

// Fix updates a node group to the latest release, in Terraform and aws
// CLI forms.
type Fix struct {
	// Terraform is the attribute line for the group's aws_eks_node_group
	// resource: release_version = "1.31.5-20250212".
	Terraform string `json:"terraform"`
	// AWSCLI is the aws eks update-nodegroup-version command.
	AWSCLI string `json:"awsCli"`
}

// FargateProfiles are the cluster's Fargate profile names.
type FargateProfiles struct {
	Names   []string `json:"names"`
	Unknown *Unknown `json:"unknown,omitempty"`
}

// Nodes are the cluster's nodes, from its API.
type Nodes struct {
	// Counts is the number of nodes per compute type.
	Counts  map[ComputeType]int `json:"counts"`
	Items   []NodeInfo          `json:"items"`
	Unknown *Unknown            `json:"unknown,omitempty"`
}

// NodeInfo is one node as the report shows it.
type NodeInfo struct {
	Name        string      `json:"name"`
	ComputeType ComputeType `json:"computeType"`
	// Group is the managed node group, or the node pool of an Auto Mode
	// (or Karpenter) node.
	Group          string `json:"group,omitempty"`
	CapacityType   string `json:"capacityType,omitempty"`
	KubeletVersion string `json:"kubeletVersion"`
	OSImage        string `json:"osImage"`
	Ready          string `json:"ready"`
	// Skew is nil when the versions could not be compared (see
	// SkewError).
	Skew      *Skew  `json:"skew,omitempty"`
	SkewError string `json:"skewError,omitempty"`
}

// Outdated counts the node groups that are behind, and those for which it
// could not be told because a call failed (a refused SSM or EKS call;
// AMI types without a parameter are not counted).
func (r *Report) Outdated() (behind, undetermined int) {
	if r.NodeGroups.Unknown != nil {
		undetermined++
	}
	for _, g := range r.NodeGroups.Items {
		switch {
		case g.State == StateBehind:
			behind++
		case g.lookupFailed:
			undetermined++
		}
	}
	return behind, undetermined
}

// SkewProblems counts the nodes whose kubelet is outside the version skew
// policy.
func (r *Report) SkewProblems() int {
	n := 0
	for _, it := range r.Nodes.Items {
		if it.Skew != nil && !it.Skew.OK {
			n++
		}
	}
	return n
}
