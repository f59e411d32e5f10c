# blitz — plain Makefile. `make`, `make check`, `make fuzz`, `make bench`.
# SANITIZE=address,undefined builds an instrumented copy; DEVELOPER=1 adds -Werror.

# bash, so that a suite piped through tee still fails the build when it fails
SHELL        := /bin/bash
.SHELLFLAGS  := -o pipefail -c

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN    += -Werror
endif
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DBLITZ_VERSION=\"0.1.0\"
# libraries from Debian, found with pkg-config
PKGS     = sqlite3 expat
CFLAGS_PKG := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lsqlite3 -lexpat)
PREFIX  ?= /usr/local

ifneq ($(SANITIZE),)
CFLAGS  += -O1 -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

BUILD   ?= build
SRCS_LIB = $(wildcard src/util/*.c src/config/*.c src/env/*.c src/run/*.c src/plan/*.c src/state/*.c src/report/*.c src/results/*.c src/service/*.c src/cli/*.c)
OBJS_LIB = $(SRCS_LIB:%.c=$(BUILD)/%.o)
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:%.c=$(BUILD)/%.o)

all: blitz

# Copy then rename, so a blitz that is running (a test, a benchmark) is never overwritten in place.
blitz: $(BUILD)/blitz
	cp $(BUILD)/blitz $@.tmp && mv -f $@.tmp $@

$(BUILD)/blitz: $(BUILD)/src/main.o $(BUILD)/libblitz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libblitz.a: $(OBJS_LIB)
	rm -f $@
	ar rcs $@ $^

# blitz's pytest plugin and its PEP 517 front end, kept as Python and built into blitz as C strings
$(BUILD)/gen/%.inc: src/run/%.py
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@.tmp && mv -f $@.tmp $@
$(BUILD)/src/run/plugin.o: $(BUILD)/gen/blitz_pytest.inc
$(BUILD)/src/run/package.o: $(BUILD)/gen/blitz_backend.inc
CPPFLAGS += -I$(BUILD)/gen

$(BUILD)/%.o: %.c $(wildcard src/*/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_PKG) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/unit-tests: $(UNIT_OBJS) $(BUILD)/libblitz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Debian packages the targets below need (installed when missing; see scripts/install-deps).
DEPS_BUILD = gcc make pkg-config libsqlite3-dev libexpat1-dev
# the example's offline wheelhouse packs Debian's pytest and friends
DEPS_EXAMPLE = python3-pytest python3-pytest-xdist python3-coverage python3-pytest-cov \
	python3-exceptiongroup python3-tomli python3-venv
# real servers for blitz_services: the e2e tests, the services example and its benchmark
DEPS_SERVICES = postgresql redis-server python3-psycopg2 python3-redis
# the differential suite's wheelhouse adds Debian's flit_core to the example's pytest and friends
DEPS_DIFF = flit
DEPS_CHECK = $(DEPS_BUILD) clang libclang-rt-14-dev python3 $(DEPS_EXAMPLE) $(DEPS_SERVICES) $(DEPS_DIFF)

deps-build:
	@scripts/install-deps $(DEPS_BUILD)

deps-check:
	@scripts/install-deps $(DEPS_CHECK)

# The README's first command: build, then run the bundled example's whole matrix.
EXAMPLE = examples/sdk/tox.ini
demo: deps-build blitz wheelhouse
	@echo "== blitz list: the example's matrix, as tox would list it"
	./blitz -c $(EXAMPLE) list | paste - - - -
	@echo "== blitz config: two envs, resolved as tox would"
	./blitz -c $(EXAMPLE) config -e py311-djangoish42,py312-celeryish5 -k base_python deps set_env commands
	@echo "== blitz -p auto: every env created, installed and tested, as many at once as the cores allow"
	./blitz -c $(EXAMPLE) -p auto
	@echo "== blitz -e broken: an env that fails on purpose (exit status 1 expected)"
	./blitz -c $(EXAMPLE) -e broken; test $$? -eq 1

# The example installs offline from this folder: its own wheels and Debian's pytest, packed.
WHEELHOUSE = examples/sdk/wheelhouse
wheelhouse:
	@scripts/install-deps $(DEPS_EXAMPLE)
	/usr/bin/python3 examples/sdk/build-wheels.py $(WHEELHOUSE) >/dev/null
	/usr/bin/python3 examples/tools/wheelhouse.py $(WHEELHOUSE) >/dev/null

# --- tests --------------------------------------------------------------
unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

e2e: blitz
	tests/e2e/run.sh ./blitz

# The house as designed: no call or include cycle within a folder, each struct's writer alone
layout: blitz
	python3 tests/layout/cycles.py $(BUILD)
	python3 tests/layout/owners.py

compat: blitz
	python3 tests/compat/compat.py --blitz ./blitz

# The TOML parser against toml-test's conformance files (../shared/corpus/toml-test; skipped when
# absent). toml-json is the decoder it runs: a file in, toml-test's tagged JSON out.
$(BUILD)/toml-json: tests/toml/toml_json.c $(BUILD)/libblitz.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(BUILD)/libblitz.a $(LDLIBS)

toml-test: $(BUILD)/toml-json
	python3 tests/toml/toml_test.py --decoder $(BUILD)/toml-json

# Small projects run by tox 4.58 and by blitz, compared (tests/diff/README.md); skipped
# without ../shared. tox's side is cached under build/diff-cache.
diff: blitz
	python3 tests/diff/diff.py --blitz ./blitz

# The sanitizer build lives in its own folder so that it never mixes objects with the normal one.
sanitize:
	$(MAKE) --no-print-directory BUILD=build-san SANITIZE=address,undefined CC=clang build-san/unit-tests build-san/blitz build-san/toml-json
	build-san/unit-tests
	BLITZ_NO_BUILD=1 tests/e2e/run.sh build-san/blitz
	python3 tests/toml/toml_test.py --decoder build-san/toml-json
	$(MAKE) --no-print-directory BUILD=build-san SANITIZE=address,undefined CC=clang fuzz-replay

# Every suite's last line is "N passed, N failed"; check ends with their sum.
CHECK_LOG = $(BUILD)/check.log
check: deps-check blitz
	@mkdir -p $(BUILD) && : > $(CHECK_LOG)
	$(MAKE) --no-print-directory unit 2>&1 | tee -a $(CHECK_LOG)
	$(MAKE) --no-print-directory layout 2>&1 | tee -a $(CHECK_LOG)
	$(MAKE) --no-print-directory e2e 2>&1 | tee -a $(CHECK_LOG)
	$(MAKE) --no-print-directory sanitize 2>&1 | tee -a $(CHECK_LOG)
	$(MAKE) --no-print-directory compat 2>&1 | tee -a $(CHECK_LOG)
	$(MAKE) --no-print-directory toml-test 2>&1 | tee -a $(CHECK_LOG)
	examples/tools/check-wheelhouse.sh 2>&1 | tee -a $(CHECK_LOG)
	examples/tools/check-example.sh ./blitz 2>&1 | tee -a $(CHECK_LOG)
	@# last, and not stopping check: its mismatches with tox count in the sum below
	-$(MAKE) --no-print-directory diff 2>&1 | tee -a $(CHECK_LOG)
	@awk '/^[0-9]+ passed, [0-9]+ failed$$/ { p += $$1; f += $$3 } END { print "make check: all suites ran"; print p " passed, " f " failed"; exit f > 0 }' $(CHECK_LOG)

# --- fuzzing --------------------------------------------------------------
FUZZ_SRCS    = $(wildcard fuzz/fuzz_*.c)
FUZZ_TARGETS = $(FUZZ_SRCS:fuzz/%.c=%)

# Replays each target's committed seed corpus through a plain driver (no libFuzzer needed).
# Its last line is "N passed, N failed" (one per target) like every suite's, so that a
# target that crashes counts in make check's sum even when make's status is lost in a pipe.
fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%-replay)
	@p=0; f=0; for t in $(FUZZ_TARGETS); do \
		if $(BUILD)/fuzz/$$t-replay fuzz/corpus/$${t#fuzz_}; then p=$$((p + 1)); \
		else f=$$((f + 1)); echo "FAIL $$t: replaying fuzz/corpus/$${t#fuzz_}"; fi; \
	done; echo "$$p passed, $$f failed"; [ $$f -eq 0 ]

$(BUILD)/fuzz/%-replay: fuzz/%.c fuzz/replay.c $(wildcard fuzz/*.h) $(BUILD)/libblitz.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ fuzz/$*.c fuzz/replay.c $(BUILD)/libblitz.a $(LDLIBS)

# libFuzzer builds: `make fuzz` runs each for FUZZ_SECONDS (default 60), one after the other;
# FUZZ_ONLY=fuzz_toml (names separated by spaces) runs only those. A target NAME uses
# fuzz/NAME.dict as its dictionary when there is one, fuzz/tox.dict otherwise.
# CFLAGS given on a make command line replaces the SANITIZE additions, so the sanitizers
# are spelled out here. New inputs go to build-fuzz/corpus-<target>, crashes to fuzz/crashes/
# (not committed); stdin is /dev/null because a file may say set_env = file|/dev/stdin.
FUZZ_SECONDS ?= 60
FUZZ_ONLY    ?= $(FUZZ_TARGETS)
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OPTS    ?= -timeout=10 -rss_limit_mb=2048
fuzz:
	@scripts/install-deps clang libclang-rt-14-dev
	$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" build-fuzz/libblitz.a
	@mkdir -p fuzz/crashes
	@for t in $(FUZZ_ONLY); do \
		clang -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer $(CPPFLAGS) $(WARN) -o build-fuzz/$$t fuzz/$$t.c build-fuzz/libblitz.a $(LDLIBS) || exit 1; \
		mkdir -p build-fuzz/corpus-$$t; \
		dict=fuzz/$${t#fuzz_}.dict; [ -f $$dict ] || dict=fuzz/tox.dict; \
		build-fuzz/$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_OPTS) -dict=$$dict \
			-artifact_prefix=fuzz/crashes/$$t- build-fuzz/corpus-$$t fuzz/corpus/$${t#fuzz_} </dev/null || exit 1; \
	done

bench: deps-check blitz
	bench/config.sh

# The TOML parser's speed: a 20 KB pyproject.toml, and shapes timed at n and 8n to show linear growth.
$(BUILD)/toml-bench: tests/toml/toml_bench.c $(BUILD)/libblitz.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(BUILD)/libblitz.a $(LDLIBS)

bench-toml: $(BUILD)/toml-bench
	$(BUILD)/toml-bench

# The example's matrix run by tox 3.28 and by blitz (about half an hour on 2 cores).
bench-matrix: deps-build blitz wheelhouse
	bench/matrix.sh

# Three generated pytest suites run by plain pytest, pytest -n 2 and blitz -p 2 (about ten minutes).
DEPS_SUITES = python3 python3-venv python3-pytest python3-pytest-xdist
bench-suites: deps-build blitz
	@scripts/install-deps $(DEPS_SUITES)
	/usr/bin/python3 bench/suites.py

# examples/services: pytest on one shared PostgreSQL and Redis, pytest -n 2 on them, and blitz
# -p 2 with servers per slot; the services' times to ready (about a minute).
bench-services: deps-build blitz
	@scripts/install-deps python3 python3-venv python3-pytest python3-pytest-xdist $(DEPS_SERVICES)
	/usr/bin/python3 bench/services.py --blitz build/blitz

# An application's matrix: skipsdist, its own install_command, 3 Pythons x 10 envs, by tox 4.58
# and by blitz, first/cold/warm, 3 runs each (about 22 minutes on 2 cores; SKIPSDIST_ARGS="--runs 1").
DEPS_SKIPSDIST = python3 python3-venv python3-pytest python3-pytest-xdist python3-coverage python3-pytest-cov
bench-skipsdist: deps-build blitz
	@scripts/install-deps $(DEPS_SKIPSDIST)
	/usr/bin/python3 bench/skipsdist.py --blitz ./blitz $(SKIPSDIST_ARGS)

install: blitz
	install -D -m 755 blitz $(DESTDIR)$(PREFIX)/bin/blitz
	install -D -m 644 blitz.1 $(DESTDIR)$(PREFIX)/share/man/man1/blitz.1

clean:
	rm -rf build build-san build-fuzz blitz

.PHONY: all deps-build deps-check demo wheelhouse unit layout e2e compat toml-test diff sanitize check fuzz fuzz-replay bench bench-toml bench-matrix bench-suites bench-services bench-skipsdist install clean
