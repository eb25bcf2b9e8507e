# kubectl-eksxa
#
#   make test                      everything CI checks (the README's test command)
#   make demo                      the offline demo: fake AWS, real kubectl, no account needed
#   make build                     ./bin/kubectl-eksxa for this machine
#   make lint                      golangci-lint (both modules), actionlint, goreleaser check
#   make dist                      goreleaser release --snapshot --clean: archives,
#                                  checksums and dist/krew-manifest.yaml in ./dist
#   make krew-manifest VERSION=vX.Y.Z [CHECKSUMS=path/to/checksums.txt]
#                                  render .krew.yaml for a release into krew-manifest.yaml
#   make krew-test                 offline krew install of goreleaser's archives
#
# Tools (goreleaser, golangci-lint, actionlint, krew) are built from the Go
# module proxy at the versions pinned in hack/tool.sh, once, into bin/tools.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN     := bin/kubectl-eksxa

CHECKSUMS ?= dist/checksums.txt

# goreleaser reads the commit (version, file times) only in a clone with a
# remote; a clone without one gets the project's URL through git's
# environment (hack/krew-test.sh does the same).
GIT_ORIGIN := $(shell git remote get-url origin >/dev/null 2>&1 || echo GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/eksxa/kubectl-eksxa.git)

.PHONY: build test lint unit keyring e2e fuzz demo dist krew-manifest krew-test bench bench-smoke bench-go

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/kubectl-eksxa

test: lint unit keyring e2e fuzz krew-test

# Fails on any finding. .golangci.yml says what runs and why each exclusion
# is there.
lint:
	gl=$$(hack/tool.sh golangci-lint) && "$$gl" run ./... && cd test/e2e && "$$gl" run --config ../../.golangci.yml ./...
	al=$$(hack/tool.sh actionlint) && "$$al"
	gr=$$(hack/tool.sh goreleaser) && "$$gr" check

unit:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# The real Secret Service: gnome-keyring on a private D-Bus session bus.
keyring:
	EKSXA_KEYRING_TEST=1 hack/with-keyring.sh $(GO) test -count=1 -run Keyring ./pkg/cache/
	EKSXA_KEYRING_TEST=1 hack/with-keyring.sh sh -c 'cd test/e2e && $(GO) test -count=1 -run Keyring ./'

# Tokens against the verifier EKS runs, and the built binary run as kubectl
# runs it. A nested module keeps the verifier's dependencies out of go.mod.
e2e:
	cd test/e2e && $(GO) vet ./... && $(GO) test -count=1 ./...

# Every fuzz target for a bounded number of executions (a few seconds each),
# on top of its checked-in corpus.
fuzz:
	bash hack/fuzz.sh

demo:
	cd test/e2e && $(GO) run ./cmd/demo

dist:
	gr=$$(hack/tool.sh goreleaser) && env $(GIT_ORIGIN) "$$gr" release --snapshot --clean
	$(GO) run ./hack/krewmanifest -template .krew.yaml -checksums dist/checksums.txt -o dist/krew-manifest.yaml \
		-tag "v$$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)"

# After a release: make krew-manifest VERSION=vX.Y.Z CHECKSUMS=<the release's checksums.txt>
krew-manifest:
	@case "$(VERSION)" in v[0-9]*) ;; *) echo "make krew-manifest: VERSION=vX.Y.Z is required" >&2; exit 2;; esac
	$(GO) run ./hack/krewmanifest -template .krew.yaml -tag $(VERSION) -checksums $(CHECKSUMS) -o krew-manifest.yaml

krew-test:
	bash hack/krew-test.sh

# Side by side with `aws eks get-token` and aws-iam-authenticator (see
# docs/benchmarks.md). bench-smoke only checks that every row still runs.
bench:
	bash hack/bench.sh

bench-smoke:
	BENCH_QUICK=1 bash hack/bench.sh

# In-process benchmarks: presign, keys, stores, the warm path without the
# process around it.
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/... ./internal/...
