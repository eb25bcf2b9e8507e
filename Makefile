# kubectl-eksxa
#
#   make test                      everything CI checks (the README's test command)
#   make demo                      the offline demo: fake AWS, real kubectl, no account needed
#   make build                     ./bin/kubectl-eksxa for this machine
#   make dist VERSION=vX.Y.Z       release archives, checksums and krew manifest in ./dist
#   make krew-manifest VERSION=vX.Y.Z
#                                  dist, then copy dist/krew-manifest.yaml to the top level
#   make krew-test                 offline krew install of freshly built archives
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN     := bin/kubectl-eksxa

.PHONY: build test unit keyring e2e fuzz demo dist krew-manifest krew-test bench bench-smoke bench-go

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/kubectl-eksxa

test: unit keyring e2e fuzz krew-test

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
	VERSION=$(VERSION) bash hack/dist.sh

krew-manifest: dist
	cp dist/krew-manifest.yaml krew-manifest.yaml

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
