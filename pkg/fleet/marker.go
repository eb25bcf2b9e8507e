package fleet

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/runtime"
)

// MarkerName is the name of the kubeconfig extension that marks a cluster,
// user or context as written by `kubeconfig --all-clusters`. kubectl keeps
// extensions it does not know when it rewrites the file (use-context,
// set-context, ...), so the mark survives.
const MarkerName = "eksxa"

// Marker is the extension's content: where the cluster was found, so
// that --prune removes the entry only when a scan of that account and
// region succeeded and did not find it.
type Marker struct {
	Account string `json:"account"`
	Cluster string `json:"cluster"` // the cluster's name
	Region  string `json:"region"`
}

func (m Marker) target() Target { return Target{Account: m.Account, Region: m.Region} }

// object is the marker as a kubeconfig extension: JSON that clientcmd
// writes as YAML and reads back as a *runtime.Unknown.
func (m Marker) object() runtime.Object {
	raw, _ := json.Marshal(m) // three strings: cannot fail
	return &runtime.Unknown{Raw: raw, ContentType: runtime.ContentTypeJSON}
}

// markerOf returns the marker in extensions, if there is a valid one.
func markerOf(extensions map[string]runtime.Object) (Marker, bool) {
	u, ok := extensions[MarkerName].(*runtime.Unknown)
	if !ok || u == nil {
		return Marker{}, false
	}
	var m Marker
	if err := json.Unmarshal(u.Raw, &m); err != nil || m.Account == "" || m.Region == "" || m.Cluster == "" {
		return Marker{}, false
	}
	return m, true
}
