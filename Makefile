# exo-guard: build, demo, tests. Every target installs what it needs on a fresh Debian
# machine with Swift (libgit2-dev from apt, the Python reference into .venv-ref).
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug/exo-guard
VENV := .venv-ref
PYTEST_WORKERS ?= 2

.PHONY: deps build demo test unit conformance hooks clean

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

test: unit conformance

# The shipped hook scripts are the ones `exo-guard install` writes, without a binary path.
hooks: build
	@for h in pre-commit pre-push update pre-receive; do $(BIN) install --print $$h > hooks/$$h; chmod +x hooks/$$h; done

clean:
	rm -rf .build $(VENV)
