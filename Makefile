# Thin driver over CMake. Every target installs what it needs first
# (scripts/deps.sh uses apt-get on Debian 12 when packages are missing).
BUILD ?= build
ASAN_BUILD ?= build-asan
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local

.PHONY: all deps deps-test deps-fuzz build demo test test-release test-asan fuzz fuzz-smoke test-valgrind lint \
        install uninstall deb clean
FUZZ_SECONDS ?= 60

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh build test

deps-fuzz:
	@scripts/deps.sh build fuzz

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DCIV_E2E_TIMEOUT=900 >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

test: test-release test-asan

test-release: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Every end-to-end test with civindex and civsearch under valgrind
# (tests/e2e/lib.sh, CIV_VALGRIND=1): 0 errors, 0 definite leaks.
test-valgrind: deps-test build
	@cmake -S . -B $(BUILD) -DCIV_E2E_TIMEOUT=3600 >/dev/null
	cd $(BUILD) && CIV_VALGRIND=1 ctest --output-on-failure -j$(JOBS) -R '^e2e/'
	@cmake -S . -B $(BUILD) -DCIV_E2E_TIMEOUT=900 >/dev/null

test-asan: deps-test
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCIV_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS)

# libFuzzer over every parser and entry point (fuzz/): FUZZ_SECONDS each.
fuzz: deps-fuzz
	@scripts/fuzz.sh -s $(FUZZ_SECONDS)

# Every fuzz target for 10 s over its seeds: what CI runs.
fuzz-smoke: deps-fuzz
	@scripts/fuzz.sh --smoke

# cppcheck and clang-tidy (.clang-tidy) over lib/ indexer/ searcher/.
lint:
	@scripts/deps.sh lint
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@scripts/lint.sh $(BUILD)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

uninstall:
	rm -f $(PREFIX)/bin/civindex $(PREFIX)/bin/civsearch \
	      $(PREFIX)/share/man/man1/civindex.1 $(PREFIX)/share/man/man1/civsearch.1 \
	      $(PREFIX)/lib/systemd/system/civsearch.socket $(PREFIX)/lib/systemd/system/civsearch.service \
	      $(PREFIX)/lib/systemd/system/civsearch-tcpsrv@.service \
	      $(PREFIX)/lib/systemd/system/civsearch-replicate@.service \
	      $(PREFIX)/lib/systemd/system/civsearch-replicate-server.service \
	      $(PREFIX)/lib/systemd/system/civindex.service $(PREFIX)/lib/systemd/system/civindex.timer \
	      $(PREFIX)/lib/sysusers.d/civsearch.conf
	rm -rf $(PREFIX)/share/doc/civsearch/examples

# The Debian package, built from a copy of the tree with dpkg-buildpackage,
# then checked: lintian (no errors), its contents, its units
# (systemd-analyze verify). The .deb is left in $(BUILD)/deb/.
deb:
	@scripts/deps.sh build deb
	@scripts/deb.sh $(BUILD)/deb

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
