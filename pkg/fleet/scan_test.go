package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeEKS serves clusters keyed "account/region" and records how many
// calls are in flight at once.
type fakeEKS struct {
	account  string
	world    *world
	listErr  map[string]error // by region
	descErr  map[string]error // by cluster name
	vanished map[string]bool  // listed, then gone when described
}

type world struct {
	clusters map[string][]string // "account/region" -> names
	delay    time.Duration
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	opens    sync.Map // account -> *atomic.Int32
}

func (w *world) enter() func() {
	n := w.inFlight.Add(1)
	for {
		m := w.maxSeen.Load()
		if n <= m || w.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(w.delay)
	return func() { w.inFlight.Add(-1) }
}

func (f *fakeEKS) ListClusters(_ context.Context, region string) ([]string, error) {
	defer f.world.enter()()
	if err := f.listErr[region]; err != nil {
		return nil, err
	}
	return append([]string(nil), f.world.clusters[f.account+"/"+region]...), nil
}

func (f *fakeEKS) DescribeCluster(_ context.Context, region, name string) (Found, error) {
	defer f.world.enter()()
	if err := f.descErr[name]; err != nil {
		return Found{}, err
	}
	if f.vanished[name] {
		return Found{}, fmt.Errorf("DescribeCluster %s: %w", name, ErrNotFound)
	}
	return Found{ARN: "arn:aws:eks:" + region + ":" + f.account + ":cluster/" + name, Endpoint: "https://" + name, Status: "ACTIVE"}, nil
}

func (w *world) scanner(concurrency int, open func(account string) (*fakeEKS, error)) *Scanner {
	return &Scanner{
		Concurrency: concurrency,
		Open: func(_ context.Context, account string) (EKS, error) {
			c, _ := w.opens.LoadOrStore(account, new(atomic.Int32))
			c.(*atomic.Int32).Add(1)
			defer w.enter()()
			f, err := open(account)
			if err != nil {
				return nil, err
			}
			return f, nil
		},
	}
}

func names(fs []Found) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Account+"/"+f.Region+"/"+f.Name)
	}
	return out
}

func TestScanOpensEachAccountOnceAndBoundsCalls(t *testing.T) {
	w := &world{delay: 5 * time.Millisecond, clusters: map[string][]string{
		"111111111111/eu-west-1": {"b", "a"},
		"111111111111/us-east-1": {"c"},
		"222222222222/us-east-1": {"d", "e", "f"},
	}}
	s := w.scanner(3, func(a string) (*fakeEKS, error) { return &fakeEKS{account: a, world: w}, nil })
	var progress []string
	s.Progress = func(r TargetResult) { progress = append(progress, r.String()) }
	res := s.Scan(context.Background(), []string{"111111111111", "222222222222", "333333333333"}, []string{"eu-west-1", "us-east-1"})

	var got []string
	for _, r := range res {
		if !r.OK() {
			t.Errorf("%s: %v", r.Target, r.Err)
		}
		got = append(got, names(r.Clusters)...)
	}
	want := []string{"111111111111/eu-west-1/a", "111111111111/eu-west-1/b", "111111111111/us-east-1/c",
		"222222222222/us-east-1/d", "222222222222/us-east-1/e", "222222222222/us-east-1/f"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	if len(res) != 6 || len(progress) != 6 {
		t.Errorf("%d results, %d progress calls; want 6 and 6", len(res), len(progress))
	}
	for _, a := range []string{"111111111111", "222222222222", "333333333333"} {
		if c, ok := w.opens.Load(a); !ok || c.(*atomic.Int32).Load() != 1 {
			t.Errorf("account %s opened %v times, want once", a, c)
		}
	}
	if m := w.maxSeen.Load(); m > 3 || m < 2 {
		t.Errorf("at most %d calls in flight, want 2..3 (the bound is 3)", m)
	}
}

func TestScanFailures(t *testing.T) {
	denied := errors.New("hop 2/2 (arn:aws:iam::222222222222:role/eks-admin): AccessDenied: no")
	listDenied := errors.New("ListClusters: AccessDeniedException")
	descDenied := errors.New("DescribeCluster y: AccessDeniedException")
	w := &world{clusters: map[string][]string{
		"111111111111/eu-west-1": {"x", "y", "gone"},
		"111111111111/us-east-1": {"z"},
		"222222222222/eu-west-1": {"w"},
		"333333333333/eu-west-1": {"v"},
	}}
	s := w.scanner(4, func(a string) (*fakeEKS, error) {
		switch a {
		case "222222222222":
			return nil, denied
		case "333333333333":
			return &fakeEKS{account: a, world: w, listErr: map[string]error{"eu-west-1": listDenied}}, nil
		}
		return &fakeEKS{account: a, world: w, descErr: map[string]error{"y": descDenied}, vanished: map[string]bool{"gone": true}}, nil
	})
	res := s.Scan(context.Background(), []string{"111111111111", "222222222222", "333333333333"}, []string{"eu-west-1", "us-east-1"})
	type row struct {
		Target   string
		Stage    Stage
		Err      string
		Present  []string
		Clusters []string
	}
	var got []row
	for _, r := range res {
		e := ""
		if r.Err != nil {
			e = r.Err.Error()
		}
		got = append(got, row{r.String(), r.Stage, e, r.Present, names(r.Clusters)})
	}
	want := []row{
		{"111111111111/eu-west-1", StageDescribe, descDenied.Error(), []string{"x", "y"}, []string{"111111111111/eu-west-1/x"}},
		{"111111111111/us-east-1", "", "", []string{"z"}, []string{"111111111111/us-east-1/z"}},
		{"222222222222/eu-west-1", StageChain, denied.Error(), nil, nil},
		{"222222222222/us-east-1", StageChain, denied.Error(), nil, nil},
		{"333333333333/eu-west-1", StageList, listDenied.Error(), nil, nil},
		{"333333333333/us-east-1", "", "", nil, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestScanCancelled(t *testing.T) {
	w := &world{clusters: map[string][]string{}}
	s := w.scanner(1, func(a string) (*fakeEKS, error) { return &fakeEKS{account: a, world: w}, nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range s.Scan(ctx, []string{"111111111111"}, []string{"eu-west-1", "us-east-1"}) {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", r.Target, r.Err)
		}
	}
}
