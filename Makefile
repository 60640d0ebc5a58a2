# exo-guard: build, demo, tests. Every target installs what it needs on a fresh Debian
# machine with Swift (libgit2-dev from apt, the Python reference into .venv-ref).
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug/exo-guard
VENV := .venv-ref
PYTEST_WORKERS ?= 2

.PHONY: deps test-deps build release demo test lint unit conformance hooks bench bench-branches bench-depth bench-hostile bench-admission bench-hot bench-ci bench-race bench-push-many bench-anchors profile fuzz fuzz-seeds clean install uninstall man deb deb-check

deps:
	@pkg-config --exists libgit2 2>/dev/null || { \
	  echo "installing libgit2-dev (apt)"; \
	  apt-get update -qq && apt-get install -y -qq libgit2-dev pkg-config >/dev/null; }

$(VENV)/.ready:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q vivary-exo==0.3.1 vivary-tropo==0.5.4 pytest pytest-xdist jsonschema==4.* check-jsonschema==0.39.0
	touch $@

build: deps
	$(SWIFT) build

demo: build
	@bash scripts/demo.sh $(BIN)

unit: build
	$(SWIFT) test

# Servers for the transport tests (lighttpd for smart HTTP, sshd), from Debian, kept from
# starting as services: the tests start their own on 127.0.0.1 and stop them.
test-deps:
	@command -v lighttpd >/dev/null && { command -v sshd >/dev/null || test -x /usr/sbin/sshd; } || { \
	  echo "installing lighttpd and openssh-server (apt) for the transport tests"; \
	  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lighttpd openssh-server >/dev/null; \
	  rm -f /usr/sbin/policy-rc.d; }

conformance: build test-deps $(VENV)/.ready
	EXO_GUARD_BIN=$(CURDIR)/$(BIN) EXO_REF=$(CURDIR)/$(VENV)/bin/exo $(VENV)/bin/python -m pytest -q -n $(PYTEST_WORKERS) tests

# The house style: swift-format (shipped with the toolchain) with the checked-in .swift-format.
lint:
	$(SWIFT) format lint --strict -r Sources Tests Fuzz/Sources Fuzz/Package.swift
	python3 scripts/check-layers.py

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

# How the cost follows the depth of a pushed tree's folders (BENCHMARKS.md, "Deep trees"):
# OLD=another build to run side by side, interleaved.
bench-depth: release
	python3 bench/depth.py $(OLD) .build/release/exo-guard

# What the admission step (taking up work atomically) costs an uncontended hook: on vs off.
bench-admission: release
	python3 bench/admission.py .build/release/exo-guard --out BENCHMARKS.md

# The hot paths of the build OLD names and this one, side by side, interleaved.
bench-hot: release
	python3 bench/hotpaths.py $(OLD) .build/release/exo-guard

# exo-guard ci (cold) against the cold pre-commit, and hook agent against /bin/true.
bench-ci: release
	python3 bench/ci_agent.py .build/release/exo-guard

# N pushes racing into a 12k-document server: each answered within exo.timeout + 1 s, one accepted.
bench-race: release
	python3 bench/race_push.py .build/release/exo-guard

# One push of N new branches that all collide (1,000: <= 4 s and <= 400 MB is the target).
bench-push-many: release
	python3 bench/push_many.py $(OLD) .build/release/exo-guard

# Issue 28's anchors: cold conflicts and cold pre-commit against git's full read, warm
# pre-commit against `git diff --cached --quiet`, short and long bodies, interleaved, medians
# (PUSH=1: also the first push into the 50k/500-branch server).
bench-anchors: release
	python3 bench/anchors.py .build/release/exo-guard $(if $(PUSH),--push,)

bench-hostile: release
	python3 bench/hostile.py $(OLD) .build/release/exo-guard

# libFuzzer over the parsers a push reaches (Fuzz/, FUZZING.md): FUZZ_SECONDS per target
# (default 60), or FUZZ_RUNS executions; FUZZ_TARGETS to pick. `make test` replays the
# seeds and every regression input without building this.
fuzz: deps
	scripts/fuzz.sh

# The seed corpora (Fuzz/corpus, checked in), from the conformance workspaces and real git files.
fuzz-seeds: build
	python3 Fuzz/make-seeds.py

# Instruction count of the pre-commit hook on a 12k-document repository (stable across runs).
profile: release
	@command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
	python3 bench/profile.py .build/release/exo-guard

# The shipped hook scripts are the ones `exo-guard install` writes, without a binary path.
hooks: build
	@for h in pre-commit pre-merge-commit pre-push update pre-receive reference-transaction; do $(BIN) install --print $$h > hooks/$$h; chmod +x hooks/$$h; done

# Installing: the release binary (Swift runtime linked in), the man page, completions for
# bash, zsh and fish, and the hook scripts. `make install PREFIX=/usr/local DESTDIR=`.
PREFIX ?= /usr/local
DESTDIR ?=
RELEASE := .build/release/exo-guard
BASH_COMPLETIONS := $(PREFIX)/share/bash-completion/completions/exo-guard
ZSH_COMPLETIONS := $(PREFIX)/share/zsh/site-functions/_exo-guard
FISH_COMPLETIONS := $(PREFIX)/share/fish/vendor_completions.d/exo-guard.fish
INSTALLED := $(PREFIX)/bin/exo-guard $(PREFIX)/share/man/man1/exo-guard.1 $(BASH_COMPLETIONS) $(ZSH_COMPLETIONS) \
	$(FISH_COMPLETIONS) $(addprefix $(PREFIX)/share/exo-guard/hooks/,pre-commit pre-merge-commit pre-push update pre-receive reference-transaction)

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/exo-guard/hooks \
	  $(dir $(DESTDIR)$(BASH_COMPLETIONS)) $(dir $(DESTDIR)$(ZSH_COMPLETIONS)) $(dir $(DESTDIR)$(FISH_COMPLETIONS))
	install -m 755 $(RELEASE) $(DESTDIR)$(PREFIX)/bin/exo-guard
	install -m 644 docs/exo-guard.1 $(DESTDIR)$(PREFIX)/share/man/man1/exo-guard.1
	$(RELEASE) --generate-completion-script bash > $(DESTDIR)$(BASH_COMPLETIONS)
	$(RELEASE) --generate-completion-script zsh > $(DESTDIR)$(ZSH_COMPLETIONS)
	$(RELEASE) --generate-completion-script fish > $(DESTDIR)$(FISH_COMPLETIONS)
	install -m 755 hooks/pre-commit hooks/pre-merge-commit hooks/pre-push hooks/update hooks/pre-receive hooks/reference-transaction \
	  $(DESTDIR)$(PREFIX)/share/exo-guard/hooks/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(PREFIX)/share/exo-guard/hooks $(DESTDIR)$(PREFIX)/share/exo-guard 2>/dev/null

# The man page, made by swift-argument-parser's generate-manual plugin (a release build of
# its own, a few minutes): checked in as docs/exo-guard.1, made again with `make man`.
man:
	$(SWIFT) package generate-manual
	sed '/^\.Sh "EXIT STATUS"/,$$d' .build/plugins/GenerateManual/outputs/ExoGuard/exo-guard.1 > docs/exo-guard.1
	cat docs/exo-guard.1.extra docs/exo-guard.1.exit >> docs/exo-guard.1

# A Debian package: /usr/bin/exo-guard (stripped) and the same files under /usr/share, the
# man page gzipped, /usr/share/doc/exo-guard/{copyright,changelog.gz}. Depends: what
# dpkg-shlibdeps finds the binary linked against, the libgit2 runtime it loads at start
# (dlopen, so shlibdeps cannot see it; shim.h says why) and git. `make deb-check` runs lintian.
DEB_VERSION := $(shell sed -n 's/.*public static let version = "\(.*\)".*/\1/p' Sources/ExoCore/Session/Version.swift)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
LIBGIT2_PACKAGE := $(shell dpkg -S "$$(readlink -f /usr/lib/*/libgit2.so)" 2>/dev/null | cut -d: -f1 | head -n 1)
DEB := .build/exo-guard_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_ROOT := .build/deb-root
deb: release
	rm -rf $(DEB_ROOT) .build/deb-shlibs
	$(MAKE) --no-print-directory install PREFIX=/usr DESTDIR=$(CURDIR)/$(DEB_ROOT)
	strip --strip-unneeded --remove-section=.comment --remove-section=.note $(DEB_ROOT)/usr/bin/exo-guard
	gzip -9n $(DEB_ROOT)/usr/share/man/man1/exo-guard.1
	sed -i '1{/^#!/d}' $(DEB_ROOT)/usr/share/bash-completion/completions/exo-guard
	install -d $(DEB_ROOT)/usr/share/doc/exo-guard $(DEB_ROOT)/DEBIAN
	install -m 644 packaging/copyright $(DEB_ROOT)/usr/share/doc/exo-guard/copyright
	printf 'exo-guard (%s) unstable; urgency=medium\n\n  * Release %s; see the repository history.\n\n -- exo-guard developers <exo-guard@example.com>  %s\n' \
	  "$(DEB_VERSION)" "$(DEB_VERSION)" "$$(git log -1 --format=%aD 2>/dev/null || date -R)" \
	  | gzip -9n > $(DEB_ROOT)/usr/share/doc/exo-guard/changelog.gz
	chmod 644 $(DEB_ROOT)/usr/share/doc/exo-guard/changelog.gz
	mkdir -p .build/deb-shlibs/debian && printf 'Source: exo-guard\n\nPackage: exo-guard\nArchitecture: any\n' > .build/deb-shlibs/debian/control
	cd .build/deb-shlibs && dpkg-shlibdeps -O $(CURDIR)/$(DEB_ROOT)/usr/bin/exo-guard | sed -n 's/^shlibs:Depends=//p' > shlibs
	printf 'Package: exo-guard\nVersion: %s\nArchitecture: %s\nMaintainer: exo-guard developers <exo-guard@example.com>\nInstalled-Size: %s\nDepends: %s, %s, git\nSection: vcs\nPriority: optional\nHomepage: https://github.com/vivary/exo-guard\nDescription: keeps agents from colliding in one repository\n A git guard over a tropo knowledge graph: blocks commits and pushes that\n activate a change colliding with another active one, on any branch.\n' \
	  "$(DEB_VERSION)" "$(DEB_ARCH)" "$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)" "$$(cat .build/deb-shlibs/shlibs)" \
	  "$(LIBGIT2_PACKAGE) (>= $$(dpkg-query -W -f='$${Version}' $(LIBGIT2_PACKAGE) | sed 's/+.*//'))" > $(DEB_ROOT)/DEBIAN/control
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $(DEB)
	@echo "built $(DEB)"

# lintian on the package (installed when missing); the tags it may not give are in
# packaging/lintian-allowed with the reason for each.
deb-check: deb
	command -v lintian >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lintian >/dev/null; }
	lintian --tag-display-limit 0 $(DEB) | tee .build/lintian.txt | grep -v -F -f packaging/lintian-allowed | { ! grep -E '^(E|W):'; }
	bash scripts/check-deb.sh $(DEB)

clean:
	rm -rf .build $(VENV)
