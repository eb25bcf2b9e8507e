#!/usr/bin/env bash
# Installs kubectl-eksxa through krew, offline, from archives built here:
#
#   hack/krew-test.sh          (or: make krew-test)
#
# Needs Go (with the Go module proxy, for krew itself) and kubectl on PATH;
# nothing else is downloaded. Steps:
#   1. builds krew and validate-krew-manifest (sigs.k8s.io/krew@$KREW_VERSION)
#      into a temporary GOBIN;
#   2. runs hack/dist.sh twice, into two directories, for the version recorded
#      in the top-level krew-manifest.yaml, and requires byte-identical output;
#   3. validates the top-level and the freshly rendered manifest with
#      validate-krew-manifest (-skip-install: its own install step downloads
#      the uri; step 5 installs from the local archives instead), and checks
#      that the validator does reject a misnamed manifest;
#   4. checks the top-level krew-manifest.yaml is .krew.yaml rendered for its
#      version: byte-identical to dist's output but for the sha256 values,
#      which change with every commit. At the release tag itself (HEAD tagged
#      with that version, clean tree) the sha256 values must match too;
#   5. `krew install --manifest --archive` into a temporary KREW_ROOT and HOME,
#      with every proxy pointed at a closed loopback port so that any download
#      fails: runs the installed plugin for this machine's platform, directly
#      and as `kubectl eksxa`; installs every other platform with
#      KREW_OS/KREW_ARCH and checks the installed files and their GOOS/GOARCH.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

KREW_VERSION=v0.4.4 # newest sigs.k8s.io/krew on the module proxy; builds with Go 1.26
PLATFORMS=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)

passed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() {
	echo "FAIL $*" >&2
	echo "krew-test: $passed passed, 1 failed"
	exit 1
}
step() { echo "--- $* ($(date +%T))"; }
elapsed() { echo "    took $((SECONDS - $1))s"; }

command -v go >/dev/null || fail "go is not on PATH"
command -v kubectl >/dev/null || fail "kubectl is not on PATH (kubectl's plugin discovery is under test)"
[[ -f krew-manifest.yaml ]] || fail "krew-manifest.yaml is missing at the top level"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$(sed -n 's/^  version: *//p' krew-manifest.yaml)
[[ -n $version ]] || fail "no spec.version in krew-manifest.yaml"
echo "krew-test: version $version (from krew-manifest.yaml), krew $KREW_VERSION"

# 1. krew's own tools, from the Go module proxy.
step "building krew and validate-krew-manifest $KREW_VERSION"
t=$SECONDS
GOBIN=$tmp/tools GOFLAGS= go install \
	"sigs.k8s.io/krew/cmd/krew@$KREW_VERSION" \
	"sigs.k8s.io/krew/cmd/validate-krew-manifest@$KREW_VERSION"
krew=$tmp/tools/krew validate=$tmp/tools/validate-krew-manifest
elapsed $t

# 2. Two dist runs: the second one relinks every binary and repacks every
# archive, in a new temporary directory, from the same commit.
step "dist twice"
t=$SECONDS
dist=$tmp/dist-a
DIST_DIR=$dist VERSION=$version bash hack/dist.sh
elapsed $t
t=$SECONDS
DIST_DIR=$tmp/dist-b VERSION=$version bash hack/dist.sh
elapsed $t
for f in checksums.txt krew-manifest.yaml; do
	cmp "$dist/$f" "$tmp/dist-b/$f" || fail "dist is not reproducible: $f differs between two runs"
done
for p in "${PLATFORMS[@]}"; do
	ext=.tar.gz
	[[ $p == windows/* ]] && ext=.zip
	a=kubectl-eksxa_${p%/*}_${p#*/}$ext
	[[ -s $dist/$a ]] || fail "dist wrote no $a"
	cmp "$dist/$a" "$tmp/dist-b/$a" || fail "dist is not reproducible: $a differs between two runs"
done
pass "dist: 6 archives, checksums.txt and krew-manifest.yaml byte-identical across two runs"
(cd "$dist" && sha256sum --quiet -c checksums.txt) || fail "checksums.txt does not match the archives"
pass "dist: checksums.txt matches the archives"

# 3. validate-krew-manifest wants the file named <plugin>.yaml.
step "validate-krew-manifest"
validate_as() { # validate_as NAME FILE
	mkdir -p "$tmp/validate/$1.$$"
	local m=$tmp/validate/$1.$$/$1.yaml
	cp "$2" "$m"
	rm -rf "$tmp/validate-home" && mkdir -p "$tmp/validate-home"
	HOME=$tmp/validate-home "$validate" -manifest "$m" -skip-install >"$tmp/validate.log" 2>&1
}
for m in krew-manifest.yaml "$dist/krew-manifest.yaml"; do
	validate_as eksxa "$m" || { cat "$tmp/validate.log" >&2; fail "validate-krew-manifest rejects $m"; }
	pass "validate-krew-manifest accepts ${m#"$tmp"/}"
done
if validate_as not-eksxa "$dist/krew-manifest.yaml"; then
	fail "validate-krew-manifest accepted a manifest whose file name is not its plugin name"
fi
pass "validate-krew-manifest rejects a misnamed manifest (the validator really runs)"

# 4. The top-level manifest is the template rendered for its version.
step "top-level krew-manifest.yaml against dist"
mask() { sed -E 's/^( *sha256: )[0-9a-f]{64}$/\1<sha256>/' "$1"; }
if ! diff -u <(mask krew-manifest.yaml) <(mask "$dist/krew-manifest.yaml") >"$tmp/diff"; then
	cat "$tmp/diff" >&2
	fail "krew-manifest.yaml is not .krew.yaml rendered for $version (regenerate it: make krew-manifest VERSION=$version)"
fi
pass "krew-manifest.yaml is .krew.yaml rendered for $version"
tag=$(git describe --exact-match --tags HEAD 2>/dev/null || true)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null || true)
if cmp -s krew-manifest.yaml "$dist/krew-manifest.yaml"; then
	pass "krew-manifest.yaml sha256 values match this tree's archives"
elif [[ $tag == "$version" && -z $dirty ]]; then
	fail "HEAD is tagged $version but krew-manifest.yaml's sha256 values do not match the archives built here"
else
	echo "note krew-manifest.yaml sha256 values are those of release $version, not of this tree (HEAD is ${tag:-untagged}); checked by shape only"
fi

# 5. krew install, offline.
step "krew install"
t=$SECONDS
krew_install() { # krew_install OS ARCH KREW_ROOT
	local ext=.tar.gz
	[[ $1 == windows ]] && ext=.zip
	mkdir -p "$3/home"
	env -u NO_PROXY -u no_proxy \
		HOME="$3/home" KREW_ROOT="$3/krew" KREW_OS="$1" KREW_ARCH="$2" KREW_NO_UPGRADE_CHECK=1 \
		HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
		https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 \
		"$krew" install --manifest="$dist/krew-manifest.yaml" \
		--archive="$dist/kubectl-eksxa_$1_$2$ext" </dev/null >"$3/install.log" 2>&1 ||
		{ cat "$3/install.log" >&2; fail "krew install $1/$2"; }
}
host_os=$(go env GOHOSTOS) host_arch=$(go env GOHOSTARCH)
ran_host=false
for p in "${PLATFORMS[@]}"; do
	os=${p%/*} arch=${p#*/}
	root=$tmp/krew-$os-$arch
	krew_install "$os" "$arch" "$root"
	bin=kubectl-eksxa
	[[ $os == windows ]] && bin=kubectl-eksxa.exe
	store=$root/krew/store/eksxa/$version
	for f in "$store/$bin" "$store/LICENSE" "$root/krew/bin/$bin" "$root/krew/receipts/eksxa.yaml"; do
		[[ -e $f ]] || fail "krew install $os/$arch: no ${f#"$root"/}"
	done
	[[ -x $store/$bin ]] || fail "krew install $os/$arch: ${store#"$root"/}/$bin is not executable"
	info=$(go version -m "$store/$bin") || fail "go version -m ${store#"$root"/}/$bin"
	grep -qx $'\tbuild\tGOOS='"$os" <<<"$info" && grep -qx $'\tbuild\tGOARCH='"$arch" <<<"$info" ||
		fail "krew install $os/$arch installed a binary built for another platform: $info"
	pass "krew install $os/$arch: store/eksxa/$version/{$bin,LICENSE}, bin/$bin, receipt; binary is $os/$arch"

	if [[ $os == "$host_os" && $arch == "$host_arch" ]]; then
		ran_host=true
		got=$("$root/krew/bin/$bin" version) || fail "$root/krew/bin/$bin version failed"
		[[ $got == "$version" ]] || fail "\$KREW_ROOT/bin/$bin version printed '$got', want '$version'"
		pass "\$KREW_ROOT/bin/$bin version prints $version"

		got=$(PATH="$root/krew/bin:$PATH" HOME="$root/home" kubectl eksxa version) ||
			fail "kubectl eksxa version failed with \$KREW_ROOT/bin on PATH"
		[[ $got == "$version" ]] || fail "kubectl eksxa version printed '$got', want '$version'"
		list=$(PATH="$root/krew/bin:$PATH" HOME="$root/home" kubectl plugin list 2>/dev/null || true)
		grep -qx "$root/krew/bin/$bin" <<<"$list" || fail "kubectl plugin list does not show $root/krew/bin/$bin: $list"
		pass "kubectl eksxa version prints $version (kubectl plugin list finds \$KREW_ROOT/bin/$bin)"
	fi
done
$ran_host || echo "note this machine ($host_os/$host_arch) is none of the release platforms; no installed binary was run"
elapsed $t

echo "krew-test: $passed passed, 0 failed"
