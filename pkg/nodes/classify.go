package nodes

// ComputeType is how EKS runs a node.
type ComputeType string

// Compute types, from the node's labels (see Classify).
const (
	// Managed: a node of a managed node group.
	Managed ComputeType = "managed"
	// AutoMode: an EC2 managed instance of EKS Auto Mode.
	AutoMode ComputeType = "auto"
	// Fargate: a Fargate pod's node.
	Fargate ComputeType = "fargate"
	// Hybrid: an EKS Hybrid Nodes machine (on premises or at the edge).
	Hybrid ComputeType = "hybrid"
	// SelfManaged: none of the above; an Auto Scaling group or machine
	// you run yourself (Karpenter nodes you installed included).
	SelfManaged ComputeType = "self-managed"
)

// The EKS labels Classify reads.
const (
	// LabelNodegroup names a managed node group's node (set by EKS on
	// every node it launches for a group).
	LabelNodegroup = "eks.amazonaws.com/nodegroup"
	// LabelComputeType is "auto", "fargate" or "hybrid" on nodes EKS runs
	// for Auto Mode, Fargate and Hybrid Nodes.
	LabelComputeType = "eks.amazonaws.com/compute-type"
	// LabelCapacityType is ON_DEMAND, SPOT or CAPACITY_BLOCK on managed
	// node group nodes.
	LabelCapacityType = "eks.amazonaws.com/capacityType"
	// LabelNodePool names the Karpenter NodePool of an Auto Mode node
	// (and of nodes from a self-installed Karpenter).
	LabelNodePool = "karpenter.sh/nodepool"
)

// Classify says how EKS runs a node, from its labels, and names its group:
// the managed node group, the Auto Mode or Karpenter node pool, or "" when
// there is none. The compute-type label wins over the node group label,
// which only managed node groups set.
func Classify(labels map[string]string) (ComputeType, string) {
	switch labels[LabelComputeType] {
	case "auto":
		return AutoMode, labels[LabelNodePool]
	case "fargate":
		return Fargate, ""
	case "hybrid":
		return Hybrid, ""
	}
	if g := labels[LabelNodegroup]; g != "" {
		return Managed, g
	}
	return SelfManaged, labels[LabelNodePool]
}
