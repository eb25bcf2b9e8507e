#!/usr/bin/env bash
# Installs kubectl-eksxa through krew, offline, from goreleaser's archives:
#
#   hack/krew-test.sh          (or: make krew-test)
#
# Needs Go (with the Go module proxy, for the tools) and kubectl on PATH;
# nothing else is downloaded. Steps:
#   1. krew, validate-krew-manifest and goreleaser at pinned versions
#      (hack/tool.sh builds them once into bin/tools/);
#   2. `goreleaser release --snapshot --clean` twice, into two directories,
#      for the version recorded in the top-level krew-manifest.yaml
#      (GORELEASER_CURRENT_TAG), and requires byte-identical archives and
#      checksums; checks every archive's entries, owners and modes;
#   3. renders .krew.yaml for the snapshot's version with its checksums
#      (hack/krewmanifest, as krew-release-bot renders it for a release) and
#      validates it and the top-level manifest with validate-krew-manifest
#      (-skip-install: its own install step downloads the uri; step 5
#      installs from the local archives instead), and checks that the
#      validator does reject a misnamed manifest;
#   4. checks the top-level krew-manifest.yaml is .krew.yaml rendered for its
#      version: byte-identical to the rendering with this tree's checksums but
#      for the sha256 values (archives carry the commit's time, so those are
#      the published release's);
#   5. `krew install --manifest --archive` into a temporary KREW_ROOT and HOME,
#      with every proxy pointed at a closed loopback port so that any download
#      fails: runs the installed plugin for this machine's platform, directly,
#      as `kubectl eksxa`, and through kubectl's plugin completion
#      (kubectl_complete-eksxa); installs every other platform with
#      KREW_OS/KREW_ARCH and checks the installed files and their GOOS/GOARCH.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

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

# 1. Tools, from the Go module proxy, cached in bin/tools.
step "tools"
t=$SECONDS
krew=$(hack/tool.sh krew)
validate=$(hack/tool.sh validate-krew-manifest)
goreleaser=$(hack/tool.sh goreleaser)
echo "krew-test: version $version (from krew-manifest.yaml), $("$goreleaser" --version 2>/dev/null | sed -n 's/^GitVersion: *//p' | sed 's/^/goreleaser /')"
elapsed $t

# 2. Two snapshot builds of this commit, each into its own directory: the
# second one rebuilds every binary and repacks every archive.
# goreleaser reads the commit (its hash for the version, its time for every
# file) only in a clone with a remote; without one, a snapshot silently gets
# "none" and the files' own times. A clone without a remote gets the
# project's URL through git's environment, leaving .git/config alone.
origin=()
git remote get-url origin >/dev/null 2>&1 ||
	origin=(GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/eksxa/kubectl-eksxa.git)
snapshot() { # snapshot DIR
	sed "s|^project_name:|dist: $1\nproject_name:|" .goreleaser.yaml >"$tmp/goreleaser.yaml"
	env "${origin[@]}" GORELEASER_CURRENT_TAG="$version" "$goreleaser" release --snapshot --clean \
		--config "$tmp/goreleaser.yaml" >"$tmp/goreleaser.log" 2>&1 ||
		{ cat "$tmp/goreleaser.log" >&2; fail "goreleaser release --snapshot"; }
}
step "goreleaser release --snapshot, twice"
t=$SECONDS
dist=$tmp/dist-a
snapshot "$dist"
elapsed $t
t=$SECONDS
snapshot "$tmp/dist-b"
elapsed $t
archives=()
for p in "${PLATFORMS[@]}"; do
	ext=.tar.gz
	[[ $p == windows/* ]] && ext=.zip
	a=kubectl-eksxa_${p%/*}_${p#*/}$ext
	[[ -s $dist/$a ]] || fail "goreleaser wrote no $a"
	cmp "$dist/$a" "$tmp/dist-b/$a" || fail "the snapshot is not reproducible: $a differs between two builds"
	archives+=("$a")
done
cmp "$dist/checksums.txt" "$tmp/dist-b/checksums.txt" || fail "the snapshot is not reproducible: checksums.txt differs"
pass "goreleaser: 6 archives and checksums.txt byte-identical across two snapshot builds"
(cd "$dist" && sha256sum --quiet -c checksums.txt) || fail "checksums.txt does not match the archives"
[[ $(grep -c -E '\.(tar\.gz|zip)$' "$dist/checksums.txt") == 6 ]] || fail "checksums.txt does not list exactly the 6 archives: $(cat "$dist/checksums.txt")"
pass "goreleaser: checksums.txt matches the 6 archives"
snapver=v$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' "$dist/metadata.json")
[[ $snapver == "$version-SNAPSHOT-$(git rev-parse --short=7 HEAD)" ]] ||
	fail "snapshot version $snapver is not $version-SNAPSHOT-<commit>: goreleaser did not read the commit"
mtime=$(TZ=UTC git log -1 --format=%cd --date=format-local:'%Y-%m-%d %H:%M')
for a in "${archives[@]}"; do
	[[ $a == *.tar.gz ]] || continue
	got=$(TZ=UTC tar -tvzf "$dist/$a" | awk '{print $1, $2, $4, $5, $NF}' | sort)
	want=$(printf '%s\n' "-rw-r--r-- root/root $mtime LICENSE" "-rw-r--r-- root/root $mtime README.md" \
		"-rwxr-xr-x root/root $mtime kubectl-eksxa" "-rwxr-xr-x root/root $mtime kubectl_complete-eksxa" | sort)
	[[ $got == "$want" ]] || fail "$a entries:"$'\n'"$got"$'\n'"want:"$'\n'"$want"
done
pass "archives hold kubectl-eksxa, kubectl_complete-eksxa (0755), LICENSE, README.md (0644), owned by root, dated $mtime (the commit)"

# 3. The manifest for these archives, rendered as krew-release-bot renders it.
step "krew manifest and validate-krew-manifest"
go run ./hack/krewmanifest -template .krew.yaml -tag "$snapver" -checksums "$dist/checksums.txt" -o "$dist/krew-manifest.yaml" ||
	fail "rendering .krew.yaml for $snapver"
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
step "top-level krew-manifest.yaml"
go run ./hack/krewmanifest -template .krew.yaml -tag "$version" -checksums "$dist/checksums.txt" -o "$tmp/top.yaml"
mask() { sed -E 's/^( *sha256: )[0-9a-f]{64}$/\1<sha256>/' "$1"; }
if ! diff -u <(mask krew-manifest.yaml) <(mask "$tmp/top.yaml") >"$tmp/diff"; then
	cat "$tmp/diff" >&2
	fail "krew-manifest.yaml is not .krew.yaml rendered for $version (see CONTRIBUTING.md, Releasing)"
fi
pass "krew-manifest.yaml is .krew.yaml rendered for $version (sha256 values: the release's)"

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
	store=$root/krew/store/eksxa/$snapver
	want=("$store/$bin" "$store/LICENSE" "$root/krew/bin/$bin" "$root/krew/receipts/eksxa.yaml")
	[[ $os == windows ]] || want+=("$store/kubectl_complete-eksxa")
	for f in "${want[@]}"; do
		[[ -e $f ]] || fail "krew install $os/$arch: no ${f#"$root"/}"
	done
	[[ -x $store/$bin ]] || fail "krew install $os/$arch: ${store#"$root"/}/$bin is not executable"
	info=$(go version -m "$store/$bin") || fail "go version -m ${store#"$root"/}/$bin"
	grep -qx $'\tbuild\tGOOS='"$os" <<<"$info" && grep -qx $'\tbuild\tGOARCH='"$arch" <<<"$info" ||
		fail "krew install $os/$arch installed a binary built for another platform: $info"
	grep -qx $'\tbuild\tCGO_ENABLED=0' <<<"$info" && grep -qx $'\tbuild\t-trimpath=true' <<<"$info" ||
		fail "krew install $os/$arch: the binary is not a static, trimmed build: $info"
	pass "krew install $os/$arch: store/eksxa/$snapver/{$bin,LICENSE$([[ $os == windows ]] || echo ,kubectl_complete-eksxa)}, bin/$bin, receipt; binary is $os/$arch, CGO off, trimmed"

	if [[ $os == "$host_os" && $arch == "$host_arch" ]]; then
		ran_host=true
		got=$("$root/krew/bin/$bin" version) || fail "$root/krew/bin/$bin version failed"
		[[ $got == "$snapver" ]] || fail "\$KREW_ROOT/bin/$bin version printed '$got', want '$snapver'"
		pass "\$KREW_ROOT/bin/$bin version prints $snapver"

		got=$(PATH="$root/krew/bin:$PATH" HOME="$root/home" kubectl eksxa version) ||
			fail "kubectl eksxa version failed with \$KREW_ROOT/bin on PATH"
		[[ $got == "$snapver" ]] || fail "kubectl eksxa version printed '$got', want '$snapver'"
		list=$(PATH="$root/krew/bin:$PATH" HOME="$root/home" kubectl plugin list 2>/dev/null || true)
		grep -qx "$root/krew/bin/$bin" <<<"$list" || fail "kubectl plugin list does not show $root/krew/bin/$bin: $list"
		pass "kubectl eksxa version prints $snapver (kubectl plugin list finds \$KREW_ROOT/bin/$bin)"

		# The README's line for krew users: link the completion script
		# from the plugin's store folder into krew's bin.
		ln -s "$(dirname "$(readlink -f "$root/krew/bin/$bin")")/kubectl_complete-eksxa" "$root/krew/bin/"
		got=$(PATH="$root/krew/bin:$PATH" HOME="$root/home" kubectl __complete eksxa to 2>/dev/null) ||
			fail "kubectl __complete eksxa to failed"
		[[ $got == *$'\n'token$'\t'* || $got == token$'\t'* ]] || fail "kubectl __complete eksxa to offers no token command: $got"
		pass "kubectl completes 'kubectl eksxa to<TAB>' to token through kubectl_complete-eksxa"
	fi
done
$ran_host || echo "note this machine ($host_os/$host_arch) is none of the release platforms; no installed binary was run"
elapsed $t

echo "krew-test: $passed passed, 0 failed"
