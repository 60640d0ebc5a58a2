# exo-guard: build, demo, tests. Every target installs what it needs on a fresh Debian
# machine with Swift (libgit2-dev from apt, the Python reference into .venv-ref).
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug/exo-guard
VENV := .venv-ref
PYTEST_WORKERS ?= 2

.PHONY: deps build release demo test lint unit conformance hooks bench bench-branches profile clean

deps:
	@pkg-config --exists libgit2 2>/dev/null || { \
	  echo "installing libgit2-dev (apt)"; \
	  apt-get update -qq && apt-get install -y -qq libgit2-dev pkg-config >/dev/null; }

$(VENV)/.ready:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q vivary-exo==0.3.1 vivary-tropo==0.5.4 pytest pytest-xdist
	touch $@

build: deps
	$(SWIFT) build

demo: build
	@bash scripts/demo.sh $(BIN)

unit: build
	$(SWIFT) test

conformance: build $(VENV)/.ready
	EXO_GUARD_BIN=$(CURDIR)/$(BIN) EXO_REF=$(CURDIR)/$(VENV)/bin/exo $(VENV)/bin/python -m pytest -q -n $(PYTEST_WORKERS) tests

# The house style: swift-format (shipped with the toolchain) with the checked-in .swift-format.
lint:
	$(SWIFT) format lint --strict -r Sources Tests

test: lint unit conformance

# The Swift runtime linked in: about 6 ms less start-up for every hook run.
# The commit is recorded for `exo-guard --version`.
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
release: deps
	$(SWIFT) build -c release --static-swift-stdlib -Xcc -DEXO_GUARD_COMMIT='"$(COMMIT)"'

# Speed and memory against the reference and against git itself; writes BENCHMARKS.md.
bench: release $(VENV)/.ready
	python3 bench/bench.py .build/release/exo-guard $(VENV)/bin/exo --out BENCHMARKS.md

# The cost of watching other branches: 12k docs with 100 agent branches, a 50k/500-branch server.
bench-branches: release
	python3 bench/branches.py .build/release/exo-guard --out BENCHMARKS.md

# Instruction count of the pre-commit hook on a 12k-document repository (stable across runs).
profile: release
	@command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
	python3 bench/profile.py .build/release/exo-guard

# The shipped hook scripts are the ones `exo-guard install` writes, without a binary path.
hooks: build
	@for h in pre-commit pre-merge-commit pre-push update pre-receive; do $(BIN) install --print $$h > hooks/$$h; chmod +x hooks/$$h; done

clean:
	rm -rf .build $(VENV)
