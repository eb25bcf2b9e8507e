package fleet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Target is one account and region to scan.
type Target struct {
	Account, Region string
}

func (t Target) String() string { return t.Account + "/" + t.Region }

// Found is a cluster a scan described.
type Found struct {
	Target
	Name string
	// ARN is the cluster's ARN, as DescribeCluster gives it.
	ARN string
	// Endpoint is the API server URL; "" while the cluster is being
	// created.
	Endpoint string
	// CAData is the cluster CA's PEM.
	CAData []byte
	// Status is the cluster's status (ACTIVE, CREATING, ...).
	Status string
}

// ErrNotFound is what EKS.DescribeCluster returns (possibly wrapped) for a
// cluster that no longer exists: deleted between ListClusters and
// DescribeCluster.
var ErrNotFound = errors.New("cluster not found")

// EKS is what a scan asks of EKS with one account's session.
type EKS interface {
	// ListClusters returns the names of the clusters in region, every
	// page of them.
	ListClusters(ctx context.Context, region string) ([]string, error)
	// DescribeCluster describes one cluster; ErrNotFound when it is gone.
	DescribeCluster(ctx context.Context, region, name string) (Found, error)
}

// Scanner scans accounts × regions concurrently.
type Scanner struct {
	// Open runs the chain into account and returns an EKS client signed by
	// its final session. It is called at most once per account, however
	// many regions are scanned there; its error (typically a
	// *chain.HopError) fails every region of that account.
	Open func(ctx context.Context, account string) (EKS, error)
	// Concurrency bounds the calls in flight: Open, ListClusters (all
	// pages of one region) and DescribeCluster each hold one slot. Below
	// 1 means 1.
	Concurrency int
	// Progress, when set, is told each target's result as it finishes,
	// one call at a time.
	Progress func(TargetResult)
}

// Stage says where a target failed.
type Stage string

// Stages of a target's scan.
const (
	StageChain    Stage = "chain"    // the chain into the account
	StageList     Stage = "list"     // ListClusters
	StageDescribe Stage = "describe" // DescribeCluster of one cluster
)

// TargetResult is what the scan of one account and region gave.
type TargetResult struct {
	Target
	// Present are the names of the clusters that exist there (listed,
	// and not gone by the time they were described). Only meaningful when
	// Err is nil.
	Present []string
	// Clusters are those described, sorted by name; the ones with no
	// endpoint yet are included (the caller decides).
	Clusters []Found
	// Err is the first failure, nil when the whole target was scanned;
	// Stage says where.
	Err   error
	Stage Stage
}

// OK reports whether the target was scanned completely, so that pruning
// may trust what it found there.
func (r TargetResult) OK() bool { return r.Err == nil }

// Scan scans every account in every region and returns one result per
// target, sorted by account then region. It returns early only when ctx is
// done (every unfinished target then fails with ctx's error).
func (s *Scanner) Scan(ctx context.Context, accounts, regions []string) []TargetResult {
	n := max(s.Concurrency, 1)
	sem := make(chan struct{}, n)
	slot := func() (release func(), err error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		select {
		case sem <- struct{}{}:
			return func() { <-sem }, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}

	type opened struct {
		once sync.Once
		eks  EKS
		err  error
	}
	opens := map[string]*opened{}
	for _, a := range accounts {
		opens[a] = &opened{}
	}
	open := func(account string) (EKS, error) {
		o := opens[account]
		o.once.Do(func() {
			release, err := slot()
			if err != nil {
				o.err = err
				return
			}
			defer release()
			o.eks, o.err = s.Open(ctx, account)
			if o.err == nil && o.eks == nil {
				o.err = fmt.Errorf("account %s: no EKS client", account)
			}
		})
		return o.eks, o.err
	}

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results []TargetResult
	)
	for _, a := range accounts {
		for _, r := range regions {
			wg.Add(1)
			go func(t Target) {
				defer wg.Done()
				res := s.scanTarget(ctx, t, open, slot)
				mu.Lock()
				defer mu.Unlock()
				results = append(results, res)
				if s.Progress != nil {
					s.Progress(res)
				}
			}(Target{Account: a, Region: r})
		}
	}
	wg.Wait()
	slices.SortFunc(results, func(x, y TargetResult) int {
		return cmp.Or(cmp.Compare(x.Account, y.Account), cmp.Compare(x.Region, y.Region))
	})
	return results
}

func (s *Scanner) scanTarget(ctx context.Context, t Target, open func(string) (EKS, error), slot func() (func(), error)) TargetResult {
	res := TargetResult{Target: t}
	api, err := open(t.Account)
	if err != nil {
		res.Err, res.Stage = err, StageChain
		return res
	}
	release, err := slot()
	if err != nil {
		res.Err, res.Stage = err, StageList
		return res
	}
	names, err := api.ListClusters(ctx, t.Region)
	release()
	if err != nil {
		res.Err, res.Stage = err, StageList
		return res
	}
	slices.Sort(names)
	names = slices.Compact(names)

	type described struct {
		f   Found
		err error
	}
	out := make([]described, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := slot()
			if err != nil {
				out[i].err = err
				return
			}
			defer release()
			f, err := api.DescribeCluster(ctx, t.Region, name)
			if err == nil {
				f.Target, f.Name = t, name
			}
			out[i] = described{f, err}
		}()
	}
	wg.Wait()
	for i, d := range out {
		switch {
		case d.err == nil:
			res.Present = append(res.Present, names[i])
			res.Clusters = append(res.Clusters, d.f)
		case errors.Is(d.err, ErrNotFound):
			// Deleted since it was listed: not present.
		default:
			// Present, though not described: never pruned.
			res.Present = append(res.Present, names[i])
			if res.Err == nil {
				res.Err, res.Stage = d.err, StageDescribe
			}
		}
	}
	return res
}
