package fleet

import (
	"cmp"
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
	// Context is the context's name; "" for a removed cluster and user
	// whose context is already gone.
	Context string
	// Cluster is the cluster's ARN for add, update and unchanged; for
	// remove, the name of the cluster and user entries (the ARN when this
	// command wrote them).
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

	clusters map[string]*clientcmdapi.Cluster
	users    map[string]*clientcmdapi.AuthInfo
	contexts map[string]*clientcmdapi.Context
	removals struct{ clusters, users, contexts []string }
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
type EntryFunc func(Named) kubeconfig.Entry

// MakePlan compares cfg with what the fleet should look like: a cluster
// and a user named by the cluster ARN and a context per named cluster,
// each built exactly as `kubeconfig` builds them for one cluster, plus the
// marker. With prune, entries that carry the marker of a target that
// results scanned successfully, for a cluster no longer there, are
// removed. An existing context of the same name that this command did not
// write and that points to another cluster is an error: it is never
// overwritten.
func MakePlan(cfg *clientcmdapi.Config, named []Named, entry EntryFunc, results []TargetResult, prune bool) (Plan, error) {
	p := Plan{
		clusters: map[string]*clientcmdapi.Cluster{},
		users:    map[string]*clientcmdapi.AuthInfo{},
		contexts: map[string]*clientcmdapi.Context{},
	}
	for _, n := range named {
		if old, ok := cfg.Contexts[n.Context]; ok {
			if _, ours := markerOf(old.Extensions); !ours && old.Cluster != n.ARN {
				return Plan{}, fmt.Errorf("context %q already exists for cluster entry %q and was not written by --all-clusters; it is left alone: rename or delete it, or change --alias-template", n.Context, old.Cluster)
			}
		}
		e := entry(n)
		e.Context = n.Context
		cluster, user, err := entryObjects(e)
		if err != nil {
			return Plan{}, fmt.Errorf("%s: %w", n.ARN, err)
		}
		mark := Marker{Account: n.Account, Region: n.Region, Cluster: n.Name}.object()
		cluster.Extensions[MarkerName] = mark
		user.Extensions[MarkerName] = mark
		ctx := clientcmdapi.NewContext()
		ctx.Cluster, ctx.AuthInfo = e.ClusterARN, e.ClusterARN
		if old, ok := cfg.Contexts[n.Context]; ok {
			ctx.Namespace = old.Namespace // the user's chosen namespace, as kubeconfig keeps it
		}
		ctx.Extensions[MarkerName] = mark

		action := Unchanged
		switch {
		case cfg.Contexts[n.Context] == nil:
			action = Add
		case !sameCluster(cfg.Clusters[e.ClusterARN], cluster) || !sameUser(cfg.AuthInfos[e.ClusterARN], user) || !sameContext(cfg.Contexts[n.Context], ctx):
			action = Update
		}
		p.clusters[e.ClusterARN], p.users[e.ClusterARN], p.contexts[n.Context] = cluster, user, ctx
		p.Changes = append(p.Changes, Change{Action: action, Context: n.Context, Cluster: e.ClusterARN})
	}
	if prune {
		p.planRemovals(cfg, results)
	}
	order := map[Action]int{Add: 0, Update: 1, Unchanged: 2, Remove: 3}
	slices.SortFunc(p.Changes, func(x, y Change) int {
		return cmp.Or(cmp.Compare(order[x.Action], order[y.Action]), cmp.Compare(x.Context, y.Context), cmp.Compare(x.Cluster, y.Cluster))
	})
	return p, nil
}

// planRemovals finds the marked entries of successfully scanned targets
// whose cluster was not there.
func (p *Plan) planRemovals(cfg *clientcmdapi.Config, results []TargetResult) {
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
	gone := func(ext map[string]runtime.Object) bool {
		m, ok := markerOf(ext)
		return ok && scanned[m.target()] && !present[key{m.target(), m.Cluster}]
	}
	removedEntries := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(cfg.Clusters)) {
		if _, keep := p.clusters[name]; !keep && gone(cfg.Clusters[name].Extensions) {
			p.removals.clusters = append(p.removals.clusters, name)
			removedEntries[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.AuthInfos)) {
		if _, keep := p.users[name]; !keep && gone(cfg.AuthInfos[name].Extensions) {
			p.removals.users = append(p.removals.users, name)
			removedEntries[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Contexts)) {
		c := cfg.Contexts[name]
		if _, keep := p.contexts[name]; keep || !gone(c.Extensions) {
			continue
		}
		p.removals.contexts = append(p.removals.contexts, name)
		p.Changes = append(p.Changes, Change{Action: Remove, Context: name, Cluster: c.Cluster})
		delete(removedEntries, c.Cluster)
		if name == cfg.CurrentContext {
			p.ClearCurrent = true
		}
	}
	// Cluster and user entries whose context was already deleted by hand.
	for _, name := range slices.Sorted(maps.Keys(removedEntries)) {
		p.Changes = append(p.Changes, Change{Action: Remove, Cluster: name})
	}
}

// Apply makes the plan's changes to cfg, which must be the config the plan
// was made from.
func (p Plan) Apply(cfg *clientcmdapi.Config) {
	maps.Copy(cfg.Clusters, p.clusters)
	maps.Copy(cfg.AuthInfos, p.users)
	maps.Copy(cfg.Contexts, p.contexts)
	for _, n := range p.removals.clusters {
		delete(cfg.Clusters, n)
	}
	for _, n := range p.removals.users {
		delete(cfg.AuthInfos, n)
	}
	for _, n := range p.removals.contexts {
		delete(cfg.Contexts, n)
	}
	if p.ClearCurrent {
		cfg.CurrentContext = ""
	}
}

// String prints the plan, a line per change: "add  CONTEXT  (CLUSTER)".
// It holds no credential: exec entries hold none.
func (p Plan) String() string {
	var b strings.Builder
	for _, c := range p.Changes {
		switch {
		case c.Context == "":
			fmt.Fprintf(&b, "%-9s  cluster and user %s (no context left)\n", c.Action, c.Cluster)
		case c.Context == c.Cluster:
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

// entryObjects builds e's cluster and user exactly as kubeconfig.Merge
// writes them for a single cluster (exec apiVersion, interactive mode,
// install hint, env), by merging into an empty file and reading it back.
func entryObjects(e kubeconfig.Entry) (*clientcmdapi.Cluster, *clientcmdapi.AuthInfo, error) {
	b, err := kubeconfig.Merge(nil, e)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := clientcmd.Load(b)
	if err != nil {
		return nil, nil, err
	}
	c, u := cfg.Clusters[e.ClusterARN], cfg.AuthInfos[e.ClusterARN]
	if c == nil || u == nil {
		return nil, nil, fmt.Errorf("kubeconfig entry for %s not built", e.ClusterARN)
	}
	if c.Extensions == nil {
		c.Extensions = map[string]runtime.Object{}
	}
	if u.Extensions == nil {
		u.Extensions = map[string]runtime.Object{}
	}
	return c, u, nil
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
