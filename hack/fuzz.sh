#!/usr/bin/env bash
# Run every fuzz target for a short while (FUZZTIME seconds each, default
# 10). The checked-in seed corpora under testdata/fuzz/ also run in plain
# `go test`; this explores beyond them. A failing input is written to
# testdata/fuzz/<Target>/ by go test: check it in with the fix.
#
#   hack/fuzz.sh            # every target, 10 s each
#   FUZZTIME=60 hack/fuzz.sh
#   hack/fuzz.sh FuzzRun    # only the targets named
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-10}"
GO="${GO:-go}"

# package target
targets=(
	"./pkg/chain FuzzParseHop"
	"./pkg/chain FuzzWalkProfile"
	"./pkg/cache FuzzDecode"
	"./pkg/cache FuzzIndexDecode"
	"./pkg/token FuzzParseExecInfo"
	"./internal/cli FuzzRun"
)

want=("$@")
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	if ((${#want[@]})) && [[ ! " ${want[*]} " == *" $name "* ]]; then
		continue
	fi
	echo "== $name ($pkg, ${FUZZTIME}s)"
	"$GO" test -run='^$' -fuzz="^${name}\$" -fuzztime="${FUZZTIME}s" "$pkg"
done
