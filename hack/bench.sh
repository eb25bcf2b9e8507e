#!/usr/bin/env bash
# bench.sh: kubectl-eksxa side by side with `aws eks get-token` and
# `aws-iam-authenticator token`, on this machine, in one run.
#
#   hack/bench.sh                 the full run (a few minutes)
#   BENCH_QUICK=1 hack/bench.sh   smoke: every row runs twice; checks that the
#                                 bench still works, not how fast anything is
#
# Rows (all against hack/fakeaws, a local fake STS, on loopback):
#   eksxa-warm-file       token from a warm file cache (--cache file)
#   eksxa-warm-keyring    token from a warm Secret Service (default --cache auto,
#                         gnome-keyring on a private D-Bus: hack/with-keyring.sh)
#   eksxa-cold-2hop       --profile hop2 (a role_arn/source_profile 2-hop chain),
#                         empty cache before each run: both AssumeRole calls
#   eksxa-cold-2hop-flags the same chain as --role-arn flags over env keys
#   aws-static            aws eks get-token, static keys (presign only)
#   aws-cold-2hop         aws eks get-token --profile hop2, the CLI's own
#                         assume-role cache (~/.aws/cli/cache) emptied each run
#   authenticator-static  aws-iam-authenticator token -i prod, static keys
#   eksxa-cp-warm         kubectl-eksxa credential-process for the 2-hop chain,
#                         warm file cache (what the aws CLI or Terraform runs)
#   aws-sts-cp-warm       aws sts get-caller-identity --profile tf, whose
#                         credential_process is the row above
#   aws-sts-chain-warm    aws sts get-caller-identity --profile hop2: the same
#                         chain as role_arn/source_profile, resolved by the aws
#                         CLI itself from its warm ~/.aws/cli/cache
#   go-empty, go-deps     references (hack/startup): a Go program that does
#                         nothing, and one that only links the dependencies
#                         kubectl-eksxa must have: the floor of a warm call
#
# Rows alternate: each of BENCH_ROUNDS rounds runs every row (hyperfine -N,
# BENCH_RUNS runs, the slow aws rows fewer), and medians are over all rounds.
# Then peak RSS (/usr/bin/time -f %M) and the binary's size.
#
# The AWS CLI v1 honours AWS_ENDPOINT_URL_STS (botocore >= 1.31) for
# get-token and for the AssumeRole calls of a role_arn/source_profile chain,
# and reads AWS_DEFAULT_REGION (not AWS_REGION), so both are set.
#
# Needs: go, hyperfine, jq, aws (CLI v1 or v2), /usr/bin/time, and what
# hack/with-keyring.sh needs. aws-iam-authenticator v0.6.13 is installed from
# the Go module proxy into BENCH_TOOLS (default bin/bench-tools), once.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# The keyring row needs a Secret Service: run everything on a private one.
if [[ -z ${EKSXA_BENCH_IN_KEYRING:-} ]]; then
	exec hack/with-keyring.sh env EKSXA_BENCH_IN_KEYRING=1 "$0" "$@"
fi

quick=${BENCH_QUICK:-0}
if [[ $quick == 1 ]]; then
	rounds=${BENCH_ROUNDS:-1} runs=${BENCH_RUNS:-2} slow_runs=2 warmup=1
else
	rounds=${BENCH_ROUNDS:-5} runs=${BENCH_RUNS:-20} slow_runs=${BENCH_SLOW_RUNS:-4} warmup=3
fi

for tool in go hyperfine jq aws /usr/bin/time; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench: $tool not found" >&2
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/eksxa-bench.XXXXXX")
fake_pid=""
cleanup() {
	if [[ -n $fake_pid ]]; then
		kill "$fake_pid" 2>/dev/null || true
		wait "$fake_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "== build"
make -s build
bin=$root/bin/kubectl-eksxa
go build -o "$work/fakeaws" ./hack/fakeaws
for p in empty deps; do
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/go-$p" ./hack/startup/$p
done
tools=${BENCH_TOOLS:-$root/bin/bench-tools}
if [[ ! -x $tools/aws-iam-authenticator ]]; then
	echo "installing aws-iam-authenticator v0.6.13 into $tools (once; a few minutes on 2 cores)"
	mkdir -p "$tools"
	(cd "$work" && GOBIN=$tools GOFLAGS=-mod=mod go install sigs.k8s.io/aws-iam-authenticator/cmd/aws-iam-authenticator@v0.6.13)
fi

echo "== fake STS"
hop1=arn:aws:iam::222222222222:role/jump
hop2=arn:aws:iam::333333333333:role/eks-admin
"$work/fakeaws" -role "$hop1" -role "$hop2" -env-file "$work/fake.env" &
fake_pid=$!
for _ in $(seq 200); do
	[[ -s $work/fake.env ]] && break
	sleep 0.05
done
set -a
# shellcheck disable=SC1091
. "$work/fake.env"
set +a
unset AWS_ENDPOINT_URL_EKS

# One clean environment for every row: no user AWS config, no user cache.
export HOME=$work/home
mkdir -p "$HOME/.aws"
export AWS_CONFIG_FILE=$HOME/.aws/config AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials
: >"$AWS_SHARED_CREDENTIALS_FILE"
cat >"$AWS_CONFIG_FILE" <<EOF
[profile base]
aws_access_key_id = $AWS_ACCESS_KEY_ID
aws_secret_access_key = $AWS_SECRET_ACCESS_KEY
region = eu-west-1

[profile hop1]
role_arn = $hop1
source_profile = base

[profile hop2]
role_arn = $hop2
source_profile = hop1
region = eu-west-1

[profile tf]
credential_process = $root/bin/kubectl-eksxa credential-process --profile base --role-arn $hop1 --role-arn $hop2 --cache file
region = eu-west-1
EOF
export AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 USER=bench
# AWS_CA_BUNDLE (set on some CI images) makes the SDK and botocore parse a
# whole CA bundle on every cold call; the fake is plain HTTP on loopback.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CA_BUNDLE EKSXA_CACHE EKSXA_DEBUG KUBERNETES_EXEC_INFO
file_dir=$work/cache-file
keyring_dir=$work/cache-keyring
cold_dir=$work/cache-cold
cold2_dir=$work/cache-cold2
cli_cache=$HOME/.aws/cli/cache
cp_dir=$work/cache-cp
common=(token --cluster-name prod --region eu-west-1)

# name | slow? | prepare (- for none) | env(1) arguments for the row | command.
# The command runs without a shell (hyperfine -N); its environment is set on
# hyperfine, so no extra process is timed.
nokeys="-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY"
rows=(
	"eksxa-warm-file||-|EKSXA_CACHE_DIR=$file_dir|$bin ${common[*]} --cache file"
	"eksxa-warm-keyring||-|EKSXA_CACHE_DIR=$keyring_dir|$bin ${common[*]}"
	"eksxa-cold-2hop||rm -rf $cold_dir|$nokeys EKSXA_CACHE_DIR=$cold_dir|$bin ${common[*]} --profile hop2 --cache file"
	"eksxa-cold-2hop-flags||rm -rf $cold2_dir|EKSXA_CACHE_DIR=$cold2_dir|$bin ${common[*]} --role-arn $hop1 --role-arn $hop2 --cache file"
	"aws-static|slow|-|-u AWS_PROFILE|aws eks get-token --cluster-name prod"
	"aws-cold-2hop|slow|rm -rf $cli_cache|$nokeys|aws eks get-token --cluster-name prod --profile hop2"
	"authenticator-static||-|-u AWS_PROFILE|$tools/aws-iam-authenticator token -i prod"
	"eksxa-cp-warm||-|$nokeys EKSXA_CACHE_DIR=$cp_dir|$bin credential-process --profile base --role-arn $hop1 --role-arn $hop2 --cache file"
	"aws-sts-cp-warm|slow|-|$nokeys EKSXA_CACHE_DIR=$cp_dir|aws sts get-caller-identity --profile tf"
	"aws-sts-chain-warm|slow|-|$nokeys|aws sts get-caller-identity --profile hop2"
	"go-empty||-|-u AWS_PROFILE|$work/go-empty"
	"go-deps||-|-u AWS_PROFILE|$work/go-deps"
)

echo "== check every row prints a credential"
for row in "${rows[@]}"; do
	IFS='|' read -r name _ prep envs cmd <<<"$row"
	if [[ $name == go-* ]]; then continue; fi
	if [[ $prep != - ]]; then $prep; fi
	# shellcheck disable=SC2086
	if ! out=$(env $envs $cmd 2>"$work/$name.err"); then
		echo "bench: $name failed:" >&2
		cat "$work/$name.err" >&2
		exit 1
	fi
	case $name in
	aws-sts-*)
		if [[ $(jq -r .Arn <<<"$out" 2>/dev/null) != arn:aws:sts::333333333333:assumed-role/eks-admin/* ]]; then
			echo "bench: $name is not the chain's final role: $(head -c 200 <<<"$out")" >&2
			exit 1
		fi
		continue
		;;
	eksxa-cp-*)
		if [[ $(jq -r .Version <<<"$out" 2>/dev/null) != 1 ]]; then
			echo "bench: $name printed no credential_process JSON" >&2
			exit 1
		fi
		continue
		;;
	esac
	if [[ $(jq -r .kind <<<"$out" 2>/dev/null) != ExecCredential ]]; then
		echo "bench: $name printed no ExecCredential: $(head -c 200 <<<"$out")" >&2
		exit 1
	fi
	if [[ $name == eksxa-* ]] && ! jq -e '.status.token | startswith("k8s-aws-v1.")' <<<"$out" >/dev/null; then
		echo "bench: $name: no k8s-aws-v1 token" >&2
		exit 1
	fi
done
# The keyring row must really be served by the keyring.
if ! env EKSXA_CACHE_DIR="$keyring_dir" "$bin" "${common[@]}" -v 2>&1 >/dev/null | grep -q 'token cache (keyring): hit'; then
	echo "bench: eksxa-warm-keyring is not served by the keyring" >&2
	exit 1
fi

load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $rounds round(s), rows alternating"
for r in $(seq "$rounds"); do
	for row in "${rows[@]}"; do
		IFS='|' read -r name slow prep envs cmd <<<"$row"
		n=$runs
		if [[ $slow == slow ]]; then n=$slow_runs; fi
		args=(-N --style none --warmup "$warmup" --runs "$n" --export-json "$work/$name.$r.json")
		if [[ $prep != - ]]; then args+=(--prepare "$prep"); fi
		# shellcheck disable=SC2086
		if ! env $envs hyperfine "${args[@]}" "$cmd" >/dev/null 2>"$work/hyperfine.err"; then
			echo "bench: $name failed under hyperfine:" >&2
			cat "$work/hyperfine.err" >&2
			exit 1
		fi
		printf '.'
	done
done
echo

median() { # name -> median seconds over all rounds
	jq -s '[.[].results[0].times[]] | sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end' "$work/$1".*.json
}
count() { jq -s '[.[].results[0].times[]] | length' "$work/$1".*.json; }
minimum() { jq -s '[.[].results[0].times[]] | min' "$work/$1".*.json; }
# CPU time (user + system) per run, averaged: less sensitive than wall time
# to other load on the machine.
cpu() { jq -s '[.[].results[0] | .user + .system] | add / length' "$work/$1".*.json; }

declare -A med
echo
printf '%-24s %10s %10s %10s %6s\n' row median min cpu runs
for row in "${rows[@]}"; do
	IFS='|' read -r name _ _ _ _ <<<"$row"
	med[$name]=$(median "$name")
	printf '%-24s %8.1fms %8.1fms %8.1fms %6d\n' "$name" "$(jq -n "${med[$name]} * 1000")" "$(jq -n "$(minimum "$name") * 1000")" "$(jq -n "$(cpu "$name") * 1000")" "$(count "$name")"
done

echo
printf '%-64s %8s %8s %s\n' ratio value target met
ratio() { # label slow fast target
	local v
	v=$(jq -n "$2 / $3")
	printf '%-64s %7.1fx %7sx %s\n' "$1" "$v" "$4" "$(jq -n "if $v >= $4 then \"yes\" else \"NO\" end" -r)"
}
ratio "aws-static / eksxa-warm-file" "${med[aws-static]}" "${med[eksxa-warm-file]}" 80
ratio "aws-static / eksxa-warm-keyring" "${med[aws-static]}" "${med[eksxa-warm-keyring]}" 50
ratio "aws-cold-2hop / eksxa-cold-2hop" "${med[aws-cold-2hop]}" "${med[eksxa-cold-2hop]}" 30
ratio "aws-cold-2hop / eksxa-cold-2hop-flags" "${med[aws-cold-2hop]}" "${med[eksxa-cold-2hop-flags]}" 30
ratio "authenticator-static / eksxa-warm-file" "${med[authenticator-static]}" "${med[eksxa-warm-file]}" 3
printf '%-64s %7.1fms\n' "aws-sts-cp-warm - aws-sts-chain-warm (credential_process's cost)" "$(jq -n "(${med[aws-sts-cp-warm]} - ${med[aws-sts-chain-warm]}) * 1000")"
printf '%-64s %7.1fms\n' "eksxa-warm-file - go-deps (what our own code costs)" "$(jq -n "(${med[eksxa-warm-file]} - ${med[go-deps]}) * 1000")"
printf '%-64s %7.1fx\n' "aws-static / go-deps (the best any binary with these deps gets)" "$(jq -n "${med[aws-static]} / ${med[go-deps]}")"

echo
printf '%-24s %12s\n' row "peak RSS"
for row in "${rows[@]}"; do
	IFS='|' read -r name _ prep envs cmd <<<"$row"
	if [[ $name == go-* ]]; then continue; fi
	if [[ $prep != - ]]; then $prep; fi
	# shellcheck disable=SC2086
	kb=$(env $envs /usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -n1)
	printf '%-24s %9.1f MB\n' "$name" "$(jq -n "$kb / 1024")"
	echo "$kb" >"$work/$name.rss"
done
for name in eksxa-warm-file eksxa-warm-keyring; do
	kb=$(cat "$work/$name.rss")
	printf 'target: %s peak RSS < 40 MB: %s\n' "$name" "$(jq -rn "if $kb < 40*1024 then \"yes\" else \"NO\" end")"
done

echo
printf 'binary %s: %d bytes (%.1f MB; make build: -trimpath -ldflags "-s -w")\n' "bin/kubectl-eksxa" "$(stat -c %s "$bin")" "$(jq -n "$(stat -c %s "$bin") / 1048576")"
echo "load average before/after: $load0 / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr), $(go version | cut -d' ' -f3), hyperfine $(hyperfine --version | cut -d' ' -f2), $(aws --version 2>&1 | cut -d' ' -f1)"
