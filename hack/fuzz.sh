#!/usr/bin/env bash
# Run every fuzz target for a bounded number of executions. The checked-in
# seed corpora under testdata/fuzz/ also run in plain `go test`; this
# explores beyond them. A failing input is written to testdata/fuzz/<Target>/
# by go test: check it in with the fix.
#
#   hack/fuzz.sh                 # every target, its default budget (a few seconds here)
#   FUZZSCALE=20 hack/fuzz.sh    # twenty times the executions
#   FUZZTIME=60s hack/fuzz.sh    # by wall clock instead, for local runs
#   hack/fuzz.sh FuzzRun         # only the targets named
#
# Budgets are execution counts (-fuzztime=Nx), not durations: with a
# duration, Go up to 1.26 can fail a target with a bare "context deadline
# exceeded" when the deadline races a busy worker (go.dev/issue/75804, fixed
# in Go 1.27), which on a loaded two-core CI machine makes a flaky suite.
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
FUZZSCALE="${FUZZSCALE:-1}"
FUZZTIME="${FUZZTIME:-}"

# package target executions (sized to a few seconds each on two cores)
targets=(
	"./pkg/chain FuzzParseHop 50000"
	"./pkg/chain FuzzWalkProfile 2000"
	"./pkg/cache FuzzDecode 50000"
	"./pkg/cache FuzzIndexDecode 3000"
	"./pkg/token FuzzParseExecInfo 30000"
	"./pkg/nodes FuzzRelease 20000"
	"./internal/cli FuzzRun 5000"
)

want=("$@")
for t in "${targets[@]}"; do
	read -r pkg name execs <<<"$t"
	if ((${#want[@]})) && [[ ! " ${want[*]} " == *" $name "* ]]; then
		continue
	fi
	budget="${FUZZTIME:-$((execs * FUZZSCALE))x}"
	echo "== $name ($pkg, -fuzztime=$budget)"
	"$GO" test -run='^$' -fuzz="^${name}\$" -fuzztime="$budget" "$pkg"
done
