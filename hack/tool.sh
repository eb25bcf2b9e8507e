#!/usr/bin/env bash
# Prints the path of a pinned development tool, building it from the Go module
# proxy into bin/tools/ on first use (later calls reuse it):
#
#   "$(hack/tool.sh goreleaser)" check
#
# Versions are pinned here, each the newest release that builds with the Go in
# go.mod from the module proxy: goreleaser v2.18 needs Go 1.27, and v2.17
# needs go.digitalxero.dev/go-msix, which the CI proxy does not serve.
#
# Cold builds (empty build cache, modules already downloaded; CPU time is
# what an idle machine pays, wall time was on 2 cores shared by 8 builds):
#   goreleaser     7.3 CPU-min (6.0 user + 1.3 sys), 16 min wall, 1.2 GB cache
#   golangci-lint  3.5 CPU-min (2.8 user + 0.7 sys), 12-15 min wall, 0.66 GB
#   actionlint     0.4 CPU-min, 20 s wall
#   krew           30 s wall
# then cached in bin/tools (and in CI by actions/cache).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

name=${1:?usage: hack/tool.sh goreleaser|golangci-lint|actionlint|krew|validate-krew-manifest}
case $name in
goreleaser) pkg=github.com/goreleaser/goreleaser/v2 version=v2.16.0 ;;
golangci-lint) pkg=github.com/golangci/golangci-lint/v2/cmd/golangci-lint version=v2.15.0 ;;
actionlint) pkg=github.com/rhysd/actionlint/cmd/actionlint version=v1.7.12 ;;
krew) pkg=sigs.k8s.io/krew/cmd/krew version=v0.4.4 ;;
validate-krew-manifest) pkg=sigs.k8s.io/krew/cmd/validate-krew-manifest version=v0.4.4 ;;
*)
	echo "hack/tool.sh: unknown tool $name" >&2
	exit 2
	;;
esac

dir=$PWD/bin/tools/$name-$version
if [[ ! -x $dir/$name ]]; then
	echo "hack/tool.sh: building $name $version from the Go module proxy into ${dir#"$PWD"/}" >&2
	start=$SECONDS
	rm -rf "$dir.tmp"
	# GOFLAGS cleared: a -mod or -buildvcs meant for this repository must not
	# reach another module's build.
	GOBIN=$dir.tmp GOFLAGS= CGO_ENABLED=0 go install "$pkg@$version" >&2
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
	echo "hack/tool.sh: $name built in $((SECONDS - start))s" >&2
fi
echo "$dir/$name"
