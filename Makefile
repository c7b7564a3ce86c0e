# DiscDesk: `make run` opens the desk on its demo library, `make test` runs
# every check CI runs. Both install what they need first (Debian 12, root).
export LANG ?= en_US.UTF-8
GO ?= go
STATICCHECK := $(shell command -v staticcheck 2>/dev/null || echo $$($(GO) env GOPATH)/bin/staticcheck)

.PHONY: deps run build test vet lint unit viewer-bins

deps:
	./packaging/install-deps.sh
	$(GO) mod download

run: deps
	$(GO) run . --demo

build:
	$(GO) build -o discdesk .

vet:
	gofmt -l . | tee /dev/stderr | (! read)
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...

lint:
	$(STATICCHECK) ./...

unit:
	$(GO) test -timeout 25m ./...

test: deps vet lint unit
