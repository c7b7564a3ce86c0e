# DiscDesk: `make run` opens the desk on its demo library, `make test` runs
# every check CI runs. Both install what they need first (Debian 12, root).
export LANG ?= en_US.UTF-8
GO ?= go
# Screenshots of the end-to-end walk under Xvfb (issue 17), kept out of git.
export DISCDESK_E2E_OUT ?= $(CURDIR)/test-output/e2e
STATICCHECK := $(shell command -v staticcheck 2>/dev/null || echo $$($(GO) env GOPATH)/bin/staticcheck)

.PHONY: deps run build test vet lint unit viewer-bins

deps:
	./packaging/install-deps.sh
	$(GO) mod download

run: deps
	$(GO) run . --demo

build:
	$(GO) build -o discdesk .

# Packages that build without Fyne's cgo (for cross-vetting the platform
# files of burner/drive and the rest; Fyne itself needs a C cross-compiler).
headless = $(shell GOOS=$(1) $(GO) list -f '{{.ImportPath}} {{join .Deps " "}}' ./... 2>/dev/null | grep -v ' fyne.io/' | cut -d' ' -f1)

vet:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt would change the files above"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags e2e ./app/desk
	GOOS=windows $(GO) vet $(call headless,windows)
	GOOS=darwin $(GO) vet $(call headless,darwin)

lint:
	$(STATICCHECK) ./...

unit:
	$(GO) test -timeout 25m ./...

test: deps vet lint unit

# Packaging (not part of `make test`: the Windows cross-builds take ~5 min
# each when cold). viewer-bins builds the disc viewer that every disc
# carries into packaging/out/viewer; package builds the installers into
# packaging/out/dist (Linux tar.xz and .deb, Windows zip).
.PHONY: package
viewer-bins:
	./packaging/build-viewer.sh linux windows

package: viewer-bins
	./packaging/package-linux.sh
	./packaging/package-windows.sh
