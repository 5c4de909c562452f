# cachesim build.  `make` builds the three programs into bin/; `make check` runs
# every test; `make demo` runs cachesim on the bundled example.  Both install any
# missing Debian package first (target `deps`).
#
# Module layout (arrows point one way, enforced by `make check-deps`):
#   core/base  -> libc only            (diagnostics, profile module, interning)
#   sim        -> libc only            (cache model, config, CPUID detection)
#   core       -> core/base, sim, Capstone, libdw, libdeflate   (driver, engines, decoder, symbolizer)
#   annotate   -> core/base
#   diff       -> core/base

MAKEFLAGS += --no-print-directory
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wno-unused-parameter
ifneq ($(WERROR),)
WARN    += -Werror
endif
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -I. -D_GNU_SOURCE $(EXTRA_CFLAGS)
# Capstone is linked statically and cachesim is not position-independent: the
# shared libcapstone.so.4 carries 77 K dynamic relocations for every
# architecture's tables, and applying them at start-up made 4 MB of pages
# resident (peak memory, docs/performance.md); from the archive, without PIE,
# those tables need no relocation and only the x86 ones are ever touched.
LDLIBS_CORE = -Wl,-Bstatic -lcapstone -Wl,-Bdynamic -ldw -lelf -ldeflate -liberty -lpthread
CACHESIM_LDFLAGS = -no-pie
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer

# Debian packages the build and the tests need.  valgrind and libc6-dbg are the
# reference the end-to-end tests compare with; zlib/sqlite/bzip2 feed the benches.
DEB_PKGS = gcc make libcapstone-dev libelf-dev libdw-dev libdeflate-dev libiberty-dev pkg-config \
           valgrind libc6-dbg python3 g++ zlib1g-dev libsqlite3-dev libbz2-dev lua5.4

B := build
BASE_SRCS     := $(wildcard core/base/*.c)
SIM_SRCS      := $(wildcard sim/*.c)
CORE_SRCS     := $(filter-out core/main.c,$(wildcard core/*.c))
ANNOTATE_SRCS := $(wildcard annotate/*.c)
DIFF_SRCS     := $(wildcard diff/*.c)
UNIT_SRCS     := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
BASE_LIB := $(B)/libbase.a
SIM_LIB  := $(B)/libsim.a
CORE_LIB := $(B)/libcore.a
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
TOOL_BINS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(wildcard tests/tools/*.c))

PROGRAMS := bin/cachesim bin/cachesim-annotate bin/cachesim-diff

.PHONY: all deps check unit e2e demo bench install clean check-deps asan fuzz
all: $(PROGRAMS)

# Install only what is missing; do nothing (and need no root) when all is there.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BASE_LIB): $(call obj,$(BASE_SRCS))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^
$(SIM_LIB): $(call obj,$(SIM_SRCS))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^
$(CORE_LIB): $(call obj,$(CORE_SRCS))
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^

bin/cachesim: $(call obj,core/main.c) $(CORE_LIB) $(SIM_LIB) $(BASE_LIB)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(CACHESIM_LDFLAGS) -o $@ $^ $(LDLIBS_CORE) -lm
bin/cachesim-annotate: $(call obj,$(ANNOTATE_SRCS)) $(BASE_LIB)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lm
bin/cachesim-diff: $(call obj,$(DIFF_SRCS)) $(BASE_LIB)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lm

# Unit tests link against every library; the linker only pulls what each needs.
$(B)/tests/%: tests/unit/%.c $(CORE_LIB) $(SIM_LIB) $(BASE_LIB) tests/unit/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CORE_LIB) $(SIM_LIB) $(BASE_LIB) $(LDLIBS_CORE) -lm

# cachesim-annotate's unit tests also link its modules (all but main.c); the
# shorter stem makes make prefer this rule for test_annotate*.
ANNOTATE_OBJS = $(call obj,$(filter-out annotate/main.c,$(ANNOTATE_SRCS)))
$(B)/tests/test_annotate%: tests/unit/test_annotate%.c $(ANNOTATE_OBJS) $(BASE_LIB) tests/unit/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ANNOTATE_OBJS) $(BASE_LIB) -lm

# Test helper programs (tests/tools/*.c) that the end-to-end scripts call.
$(B)/tools/%: tests/tools/%.c $(CORE_LIB) $(SIM_LIB) $(BASE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CORE_LIB) $(SIM_LIB) $(BASE_LIB) $(LDLIBS_CORE) -lm

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

e2e: all $(TOOL_BINS)
	@tests/run-e2e.sh

check: deps
	$(MAKE) all
	$(MAKE) check-deps
	$(MAKE) unit
	$(MAKE) asan
	$(MAKE) e2e

# The unit tests once more, built with AddressSanitizer and UBSan, and cachesim
# itself so built running the tiny static programs and the error cases.
asan:
	$(MAKE) B=build/asan EXTRA_CFLAGS="$(SANFLAGS)" CFLAGS="-O1 -g" build/asan/unit-bins build/asan/bin/cachesim
	@tests/run-unit.sh $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRCS))
	@CACHESIM_BIN=$(CURDIR)/build/asan/bin/cachesim tests/run-e2e.sh $(CURDIR)/tests/e2e/static_vs_cachegrind.sh $(CURDIR)/tests/e2e/errors.sh
$(B)/bin/cachesim: $(call obj,core/main.c) $(CORE_LIB) $(SIM_LIB) $(BASE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CACHESIM_LDFLAGS) -o $@ $^ $(LDLIBS_CORE) -lm
$(B)/unit-bins: $(UNIT_BINS)
	@touch $@

# libFuzzer run of the profile reader's fuzz target (needs clang; not part of
# `make check`, which replays tests/annotate through the plain build instead).
FUZZ_SECONDS ?= 60
fuzz:
	@mkdir -p $(B)/fuzz/corpus
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -DCACHESIM_LIBFUZZER -std=gnu11 -I. -D_GNU_SOURCE -o $(B)/fuzz/fuzz_profile \
	  tests/tools/fuzz_profile.c $(BASE_SRCS)
	$(B)/fuzz/fuzz_profile -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(B)/fuzz/corpus tests/annotate

# Keep the module arrows one-way: grep every #include "..." line.
check-deps:
	@tests/check-deps.sh

demo: deps
	$(MAKE) all
	@tests/demo.sh

bench: deps
	$(MAKE) all
	@bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	@if [ -f core/cachesim.h ]; then install -m 644 core/cachesim.h $(DESTDIR)$(PREFIX)/include/; \
	  sed 's|@PREFIX@|$(PREFIX)|' core/cachesim.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/cachesim.pc; fi

clean:
	rm -rf build bin

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
