#!/usr/bin/env bash
# Builds kubectl-eksxa's release archives, reproducibly:
#
#   VERSION=v1.2.3 hack/dist.sh        (or: make dist VERSION=v1.2.3)
#
# writes into ${DIST_DIR:-dist}:
#   kubectl-eksxa_{linux,darwin}_{amd64,arm64}.tar.gz
#   kubectl-eksxa_windows_{amd64,arm64}.zip
#       each holding the binary, LICENSE and README.md
#   checksums.txt          sha256sum format (`sha256sum -c checksums.txt`)
#   krew-manifest.yaml     .krew.yaml rendered for VERSION with these sha256s
#
# The same source tree, VERSION and Go toolchain give byte-identical files:
# static binaries (CGO_ENABLED=0) built with -trimpath and -buildvcs=false,
# archive entries sorted by name with one fixed mtime (1980-01-01), uid/gid 0
# and no owner names, gzip headers without name or time. hack/distpack does the
# packing, so neither GNU tar nor zip is needed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "dist: $*" >&2; exit 1; }

VERSION=${VERSION:-}
DIST_DIR=${DIST_DIR:-dist}
PLATFORMS=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)

semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
[[ $VERSION =~ $semver ]] ||
	die "VERSION=${VERSION:-<unset>} is not a release version; run: make dist VERSION=vX.Y.Z"
[[ -f LICENSE ]] || die "LICENSE is missing at the top level; every archive ships it"
[[ -f README.md ]] || die "README.md is missing at the top level; every archive ships it"
[[ -f .krew.yaml ]] || die ".krew.yaml (the krew manifest template) is missing"

# One modification time for every archive entry: a constant, not the commit
# time, so that committing the rendered krew-manifest.yaml before tagging the
# release does not change the archives.
mtime=315532800 # 1980-01-01T00:00:00Z, the earliest a zip entry can hold

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$DIST_DIR"
rm -f "$DIST_DIR"/kubectl-eksxa_*.tar.gz "$DIST_DIR"/kubectl-eksxa_*.zip \
	"$DIST_DIR"/checksums.txt "$DIST_DIR"/krew-manifest.yaml

go build -o "$work/distpack" ./hack/distpack

# Pin everything else that changes the bytes of a build.
export CGO_ENABLED=0 GOFLAGS=-mod=readonly GOAMD64=v1 GOARM64=v8.0
unset GOEXPERIMENT

archives=()
for platform in "${PLATFORMS[@]}"; do
	os=${platform%/*} arch=${platform#*/}
	bin=kubectl-eksxa ext=.tar.gz
	if [[ $os == windows ]]; then bin=kubectl-eksxa.exe ext=.zip; fi
	mkdir -p "$work/$os-$arch"
	echo "dist: building $os/$arch with $(go env GOVERSION)" >&2
	GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false \
		-ldflags "-s -w -X main.version=$VERSION" \
		-o "$work/$os-$arch/$bin" ./cmd/kubectl-eksxa
	archive=$DIST_DIR/kubectl-eksxa_${os}_${arch}${ext}
	"$work/distpack" archive -o "$archive" -mtime "$mtime" \
		"$work/$os-$arch/$bin" LICENSE README.md
	archives+=("$archive")
done

"$work/distpack" checksums -o "$DIST_DIR/checksums.txt" "${archives[@]}"
"$work/distpack" manifest -template .krew.yaml -tag "$VERSION" \
	-checksums "$DIST_DIR/checksums.txt" -o "$DIST_DIR/krew-manifest.yaml"

echo "dist: wrote ${#archives[@]} archives, checksums.txt and krew-manifest.yaml for $VERSION to $DIST_DIR" >&2
