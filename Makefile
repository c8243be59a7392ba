# tokctl — the commands a developer runs. See README.md.
GO ?= go

.PHONY: build demo test lint bench clean

## build: the tokctl binary in bin/
build:
	$(GO) build -trimpath -tags nethttpomithttp2 -o bin/tokctl ./cmd/tokctl

## demo: build tokctl, start the fake provider on loopback, get a token from each provider
demo:
	bash .ci/demo.sh

## test: every test (keyring tests against a real Secret Service when ../shared/ci is there)
test:
	bash .ci/test.sh

## lint: gofmt and go vet, as CI runs them
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed" >&2; exit 1; }
	$(GO) vet ./...

## bench: start-up time, memory and size against the floor of a Go process (docs/performance.md)
bench:
	@bash bench/run.sh

clean:
	rm -rf bin
