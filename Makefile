# kubectl-eksxa
#
#   make build                     ./bin/kubectl-eksxa for this machine
#   make dist VERSION=vX.Y.Z       release archives, checksums and krew manifest in ./dist
#   make krew-manifest VERSION=vX.Y.Z
#                                  dist, then copy dist/krew-manifest.yaml to the top level
#   make krew-test                 offline krew install of freshly built archives

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: build dist krew-manifest krew-test

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/kubectl-eksxa ./cmd/kubectl-eksxa

dist:
	VERSION=$(VERSION) bash hack/dist.sh

krew-manifest: dist
	cp dist/krew-manifest.yaml krew-manifest.yaml

krew-test:
	bash hack/krew-test.sh
