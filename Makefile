# kubectl-eksxa. `make test` is what CI runs.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN     := bin/kubectl-eksxa

.PHONY: build test unit keyring e2e

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kubectl-eksxa

# Everything CI checks.
test: unit keyring e2e

unit:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# The real Secret Service: gnome-keyring on a private D-Bus session bus.
keyring:
	EKSXA_KEYRING_TEST=1 hack/with-keyring.sh $(GO) test -count=1 -run Keyring ./pkg/cache/

# Tokens against the verifier EKS runs, and the built binary run as kubectl
# runs it. A nested module keeps the verifier's dependencies out of go.mod.
e2e:
	cd test/e2e && $(GO) vet ./... && $(GO) test -count=1 ./...
