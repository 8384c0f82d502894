# HRM Lab. `make lab` opens the lab on the embedded default experiment;
# `make test` runs every check CI runs. See README.md.

GO      ?= go
TAGS    := $(shell scripts/blas.sh)
PKGS    := ./...

.PHONY: lab build test test-fast learn vet fmt-check staticcheck bench clean

lab: build
	./hrmlab

build:
	$(GO) build -tags '$(TAGS)' -o hrmlab .

# The full suite: formatting, vet, staticcheck, the tests on the pure-Go
# backend and on OpenBLAS (when present), and the race detector.
test: fmt-check vet staticcheck
	$(GO) test -count=1 $(PKGS)
	@if [ -n "$(TAGS)" ]; then echo "== tests with -tags $(TAGS)"; $(GO) test -count=1 -tags '$(TAGS)' $(PKGS); fi
	$(GO) test -count=1 -race -short $(PKGS)
	$(MAKE) learn

# The learning regression test: the default preset, trained from scratch,
# must solve held-out puzzles far above chance (about a minute with OpenBLAS).
learn:
	$(GO) test -count=1 -tags '$(TAGS)' -run DefaultPresetLearns -v ./lab -learn

test-fast:
	$(GO) test -tags '$(TAGS)' $(PKGS)

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: not formatted:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags '$(TAGS)' $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

bench:
	$(GO) test -tags '$(TAGS)' -run XXX -bench . -benchmem ./engine/ ./tasks/ ./tui/

clean:
	rm -f hrmlab
