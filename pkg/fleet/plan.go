package fleet

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/eksxa/kubectl-eksxa/pkg/kubeconfig"
)

// Named is a cluster to write with its context name.
type Named struct {
	Found
	Context string
}

// NameAll names each cluster's context with namer and refuses a name that
// is empty or given to two clusters, naming both: nothing may be written
// then. The result is sorted by context name.
func NameAll(clusters []Found, namer Namer) ([]Named, error) {
	byName := map[string]Found{}
	var out []Named
	for _, c := range clusters {
		name, err := namer.Name(c)
		if err != nil {
			return nil, err
		}
		if other, ok := byName[name]; ok {
			a, b := other.ARN, c.ARN
			if b < a {
				a, b = b, a
			}
			return nil, fmt.Errorf("--alias-template gives the context name %q to both %s and %s; add .Account or .Region to it", name, a, b)
		}
		byName[name] = c
		out = append(out, Named{Found: c, Context: name})
	}
	slices.SortFunc(out, func(x, y Named) int { return cmp.Compare(x.Context, y.Context) })
	return out, nil
}

// Action is what a plan does to one context.
type Action string

// Plan actions.
const (
	Add       Action = "add"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Remove    Action = "remove"
)

// Change is one line of a plan.
type Change struct {
	Action Action
	// Context is the context's name; "" for a removed cluster or user
	// entry whose context is already gone.
	Context string
	// Cluster is the cluster's ARN (the name of its cluster entry); for a
	// removed entry without context, that entry's name.
	Cluster string
}

// Plan is the change to a kubeconfig for a scanned fleet.
type Plan struct {
	// Changes are sorted by action (add, update, unchanged, remove), then
	// context and cluster.
	Changes []Change
	// ClearCurrent is set when current-context names a context the plan
	// removes; Apply then unsets it.
	ClearCurrent bool

	result *clientcmdapi.Config // the config with the plan applied
}

// Count returns how many changes have action a.
func (p Plan) Count(a Action) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == a {
			n++
		}
	}
	return n
}

// Changed reports whether applying the plan changes the file at all.
func (p Plan) Changed() bool {
	return p.ClearCurrent || slices.ContainsFunc(p.Changes, func(c Change) bool { return c.Action != Unchanged })
}

// EntryFunc returns the single-cluster kubeconfig entry for a cluster:
// server, CA, and the exec command and args that reproduce its chain.
// Its Context and User are set by the plan.
type EntryFunc func(Named) kubeconfig.Entry

// PlanOptions tune MakePlan.
type PlanOptions struct {
	// Prune removes marked entries of successfully scanned targets whose
	// cluster is gone.
	Prune bool
	// Overwrite replaces a context or user this command did not write
	// even when it holds another cluster or chain (kubeconfig's
	// --overwrite).
	Overwrite bool
}

// MakePlan compares cfg with what the fleet should look like and returns
// the plan; cfg is not changed. Each named cluster gets its cluster entry
// (named by the ARN), a context and a user named by Named.Context, written
// by kubeconfig.Apply exactly as `kubeconfig` writes one cluster, plus the
// marker. Entries this command wrote (marked) are replaced freely; others
// follow kubeconfig.Apply's rule: a context or user that holds another
// cluster or chain is an error (*kubeconfig.ConflictError, wrapped), unless
// opts.Overwrite. With opts.Prune, entries that carry the marker of a
// target that results scanned successfully, for a cluster no longer there,
// are removed.
func MakePlan(cfg *clientcmdapi.Config, named []Named, entry EntryFunc, results []TargetResult, opts PlanOptions) (Plan, error) {
	work := cfg.DeepCopy()
	p := Plan{result: work}
	keep := map[string]bool{} // "kind/name" of the entries written
	for _, n := range named {
		e := entry(n)
		e.Context, e.User = n.Context, ""
		ctxName, userName := e.ContextName(), e.UserName()
		overwrite := opts.Overwrite || (isMarked(ctxExtensions(cfg.Contexts[ctxName])) && isMarked(userExtensions(cfg.AuthInfos[userName])))
		if err := kubeconfig.Apply(work, e, kubeconfig.ApplyOptions{Overwrite: overwrite}); err != nil {
			var ce *kubeconfig.ConflictError
			if errors.As(err, &ce) {
				return Plan{}, fmt.Errorf("%s %q already holds %s, not %s, and was not written by --all-clusters: change --alias-template, rename or delete it, or pass --overwrite to replace it; nothing was written",
					ce.Kind, ce.Name, ce.Holds, ce.Want)
			}
			return Plan{}, fmt.Errorf("%s: %w", n.ARN, err)
		}
		mark := Marker{Account: n.Account, Region: n.Region, Cluster: n.Name}.object()
		setMarker(&work.Clusters[e.ClusterARN].Extensions, mark)
		setMarker(&work.AuthInfos[userName].Extensions, mark)
		setMarker(&work.Contexts[ctxName].Extensions, mark)
		keep["cluster/"+e.ClusterARN], keep["user/"+userName], keep["context/"+ctxName] = true, true, true

		action := Unchanged
		switch {
		case cfg.Contexts[ctxName] == nil:
			action = Add
		case !sameCluster(cfg.Clusters[e.ClusterARN], work.Clusters[e.ClusterARN]) ||
			!sameUser(cfg.AuthInfos[userName], work.AuthInfos[userName]) ||
			!sameContext(cfg.Contexts[ctxName], work.Contexts[ctxName]):
			action = Update
		}
		p.Changes = append(p.Changes, Change{Action: action, Context: ctxName, Cluster: e.ClusterARN})
	}
	if opts.Prune {
		p.planRemovals(work, results, keep)
	}
	order := map[Action]int{Add: 0, Update: 1, Unchanged: 2, Remove: 3}
	slices.SortFunc(p.Changes, func(x, y Change) int {
		return cmp.Or(cmp.Compare(order[x.Action], order[y.Action]), cmp.Compare(x.Context, y.Context), cmp.Compare(x.Cluster, y.Cluster))
	})
	return p, nil
}

func setMarker(ext *map[string]runtime.Object, mark runtime.Object) {
	if *ext == nil {
		*ext = map[string]runtime.Object{}
	}
	(*ext)[MarkerName] = mark
}

func isMarked(ext map[string]runtime.Object) bool {
	_, ok := markerOf(ext)
	return ok || ext == nil // nil: no such entry, nothing to protect
}

func ctxExtensions(c *clientcmdapi.Context) map[string]runtime.Object {
	if c == nil {
		return nil
	}
	return nonNil(c.Extensions)
}

func userExtensions(u *clientcmdapi.AuthInfo) map[string]runtime.Object {
	if u == nil {
		return nil
	}
	return nonNil(u.Extensions)
}

func nonNil(m map[string]runtime.Object) map[string]runtime.Object {
	if m == nil {
		return map[string]runtime.Object{}
	}
	return m
}

// planRemovals removes from cfg the marked entries of successfully
// scanned targets whose cluster was not there, except those in keep
// ("kind/name" of the entries this run writes).
func (p *Plan) planRemovals(cfg *clientcmdapi.Config, results []TargetResult, keep map[string]bool) {
	type key struct {
		Target
		name string
	}
	scanned := map[Target]bool{}
	present := map[key]bool{}
	for _, r := range results {
		if !r.OK() {
			continue
		}
		scanned[r.Target] = true
		for _, name := range r.Present {
			present[key{r.Target, name}] = true
		}
	}
	gone := func(kind, name string, ext map[string]runtime.Object) bool {
		m, ok := markerOf(ext)
		return ok && !keep[kind+"/"+name] && scanned[m.target()] && !present[key{m.target(), m.Cluster}]
	}
	orphans := map[string]bool{} // removed cluster and user entries, by name
	for _, name := range slices.Sorted(maps.Keys(cfg.Clusters)) {
		if gone("cluster", name, cfg.Clusters[name].Extensions) {
			delete(cfg.Clusters, name)
			orphans[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.AuthInfos)) {
		if gone("user", name, cfg.AuthInfos[name].Extensions) {
			delete(cfg.AuthInfos, name)
			orphans[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Contexts)) {
		c := cfg.Contexts[name]
		if !gone("context", name, c.Extensions) {
			continue
		}
		delete(cfg.Contexts, name)
		p.Changes = append(p.Changes, Change{Action: Remove, Context: name, Cluster: c.Cluster})
		delete(orphans, c.Cluster)
		delete(orphans, c.AuthInfo)
		if name == cfg.CurrentContext {
			p.ClearCurrent = true
			cfg.CurrentContext = ""
		}
	}
	// Cluster and user entries whose context was already deleted by hand.
	for _, name := range slices.Sorted(maps.Keys(orphans)) {
		p.Changes = append(p.Changes, Change{Action: Remove, Cluster: name})
	}
}

// Apply makes the plan's changes to cfg, which must be the config the plan
// was made from.
func (p Plan) Apply(cfg *clientcmdapi.Config) {
	if p.result != nil {
		*cfg = *p.result
	}
}

// String prints the plan, a line per change: "add  CONTEXT  (CLUSTER)".
// It holds no credential: exec entries hold none.
func (p Plan) String() string {
	var b strings.Builder
	for _, c := range p.Changes {
		switch c.Context {
		case "":
			fmt.Fprintf(&b, "%-9s  entry %s (its context was already gone)\n", c.Action, c.Cluster)
		case c.Cluster:
			fmt.Fprintf(&b, "%-9s  %s\n", c.Action, c.Context)
		default:
			fmt.Fprintf(&b, "%-9s  %s  (%s)\n", c.Action, c.Context, c.Cluster)
		}
	}
	if p.ClearCurrent {
		b.WriteString("current-context is removed: pick another with kubectl config use-context\n")
	}
	return b.String()
}

// The same* functions compare entries as they would be written, so that
// fields clientcmd does not write (where an entry was read from) do not
// count.
func sameCluster(a, b *clientcmdapi.Cluster) bool {
	return a != nil && b != nil && sameEncoding(
		clientcmdapi.Config{Clusters: map[string]*clientcmdapi.Cluster{"x": a}},
		clientcmdapi.Config{Clusters: map[string]*clientcmdapi.Cluster{"x": b}})
}

func sameUser(a, b *clientcmdapi.AuthInfo) bool {
	return a != nil && b != nil && sameEncoding(
		clientcmdapi.Config{AuthInfos: map[string]*clientcmdapi.AuthInfo{"x": a}},
		clientcmdapi.Config{AuthInfos: map[string]*clientcmdapi.AuthInfo{"x": b}})
}

func sameContext(a, b *clientcmdapi.Context) bool {
	return a != nil && b != nil && sameEncoding(
		clientcmdapi.Config{Contexts: map[string]*clientcmdapi.Context{"x": a}},
		clientcmdapi.Config{Contexts: map[string]*clientcmdapi.Context{"x": b}})
}

func sameEncoding(a, b clientcmdapi.Config) bool {
	x, err := clientcmd.Write(a)
	if err != nil {
		return false
	}
	y, err := clientcmd.Write(b)
	return err == nil && string(x) == string(y)
}
