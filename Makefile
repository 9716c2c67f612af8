# simguard top-level Makefile.
#
# Layout conventions (no per-directory makefiles needed):
#   AREA/*.c except *_main.c     -> build/AREA/libAREA.a   (AREA = lib, uicc-applet, sms-gateway, ota-server, pcsc-tools)
#   lib/src/*.c                  -> build/lib/libsimguard.a
#   AREA/NAME_main.c             -> build/bin/NAME with '_' turned into '-' (e.g. uicc_sim_main.c -> uicc-sim)
#   tests/unit/test_*.c          -> cmocka unit test binaries
#   tests/fuzz/fuzz_*.c          -> libFuzzer targets (clang), corpus seeds in tests/fuzz/corpus/NAME/
#   tests/bench/bench_*.c        -> benchmarks run by `make bench`
#   tests/integration/test_*.sh  -> integration tests (real peers on loopback), run by `make check`
# Public headers: AREA/include/..., all on the include path.

PREFIX  ?= /usr/local
DESTDIR ?=
B       ?= build
CC      ?= cc
SAN     ?=
FUZZ_SECONDS ?= 3
FUZZ_LONG_SECONDS ?= 120

PKGS := openssl libosmocore libosmogsm libosmovty libosmosim talloc sqlite3 libpq libevent libevent_openssl \
	jansson liboath libargon2 libpcsclite libsmpp34 cmocka

AREAS := pcsc-tools ota-server sms-gateway uicc-applet lib

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS += -D_GNU_SOURCE $(foreach a,$(AREAS),-I$(a)/include) -Itests/unit
OPT      ?= -O2 -g
CFLAGS   += $(OPT) -std=c11 -fPIC $(WARN) $(SAN)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
LDFLAGS  += $(SAN)

# libsmpp34's headers carry no include guards of their own for these, and trigger warnings we do not own.
PKG_CFLAGS += -I/usr/include/libsmpp34

lib_SRCS := $(wildcard lib/src/*.c)
define area_srcs
$(filter-out %_main.c,$(wildcard $(1)/*.c))
endef
LIBNAME_lib := simguard
$(foreach a,$(filter-out lib,$(AREAS)),$(eval $(a)_SRCS := $(call area_srcs,$(a))))
$(foreach a,$(filter-out lib,$(AREAS)),$(eval LIBNAME_$(a) := $(subst -,,$(a))))

area_lib = $(B)/$(1)/lib$(LIBNAME_$(1)).a
ALL_AREA_LIBS := $(foreach a,$(AREAS),$(if $($(a)_SRCS),$(call area_lib,$(a))))
LINK_LIBS = -Wl,--start-group $(ALL_AREA_LIBS) -Wl,--end-group $(PKG_LIBS)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

MAIN_SRCS  := $(foreach a,$(AREAS),$(wildcard $(a)/*_main.c))
prog_name   = $(subst _,-,$(patsubst %_main,%,$(notdir $(basename $(1)))))
PROGS      := $(foreach m,$(MAIN_SRCS),$(B)/bin/$(call prog_name,$(m)))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
UNIT_HELPERS := $(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c))
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(B)/bench/%,$(BENCH_SRCS))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)

.SECONDARY:
.DELETE_ON_ERROR:
.PHONY: all deps check demo bench fuzz install clean unit unit-asan fuzz-build fuzz-short integration format tests
all: $(ALL_AREA_LIBS) $(PROGS)

tests: $(UNIT_BINS)

deps:
	@bash mk/deps.sh

# Quiet by default; `make V=1` shows the commands.
Q := $(if $(V),,@)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -MF $(@:.o=.d) -MT $@ -c -o $@.$$$$.tmp $< && mv -f $@.$$$$.tmp $@

define area_rule
$(call area_lib,$(1)): $(call obj,$($(1)_SRCS))
	@mkdir -p $$(dir $$@)
	$(Q)rm -f $$@.tmp.$$$$$$$$ && $(AR) rcs $$@.tmp.$$$$$$$$ $$^ && mv -f $$@.tmp.$$$$$$$$ $$@
endef
$(foreach a,$(AREAS),$(if $($(a)_SRCS),$(eval $(call area_rule,$(a)))))

define prog_rule
$(B)/bin/$(call prog_name,$(1)): $(call obj,$(1)) $(ALL_AREA_LIBS)
	@mkdir -p $$(dir $$@)
	@$(if $(V),,echo "  LD      $$@")
	$(Q)$$(CC) $$(LDFLAGS) -o $$@.tmp.$$$$$$$$ $(call obj,$(1)) $$(LINK_LIBS) && mv -f $$@.tmp.$$$$$$$$ $$@
endef
$(foreach m,$(MAIN_SRCS),$(eval $(call prog_rule,$(m))))

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(call obj,$(UNIT_HELPERS)) $(ALL_AREA_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(call obj,$(UNIT_HELPERS)) $(LINK_LIBS)

$(B)/bench/%: $(B)/obj/tests/bench/%.o $(ALL_AREA_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ---- test suites -----------------------------------------------------------------------------------------
unit: $(UNIT_BINS) $(PROGS)
	@B=$(B) bash tests/run-suites.sh unit $(UNIT_BINS)

# Sub-makes build on every core unless the caller already gave -j (then they share its job slots).
NPROC   := $(shell nproc 2>/dev/null || echo 1)
SUBJOBS  = $(if $(findstring -j,$(MAKEFLAGS)),,-j$(NPROC))

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
unit-asan:
	@$(MAKE) --no-print-directory $(SUBJOBS) B=build/asan SAN="$(SAN_FLAGS)" OPT="-O1 -g" tests all
	@B=build/asan ASAN_OPTIONS=detect_leaks=1 bash tests/run-suites.sh unit-asan $(patsubst $(B)/%,build/asan/%,$(UNIT_BINS))

FUZZ_CFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
fuzz-build:
	@$(MAKE) --no-print-directory $(SUBJOBS) B=build/fuzz CC=clang SAN="$(FUZZ_CFLAGS)" OPT="-O1 -g" \
		$(patsubst tests/fuzz/%.c,build/fuzz/fuzz/%,$(FUZZ_SRCS))

build/fuzz/fuzz/%: build/fuzz/obj/tests/fuzz/%.o $(ALL_AREA_LIBS)
	@mkdir -p $(dir $@)
	$(Q)clang -fsanitize=fuzzer,address,undefined -o $@ $< $(LINK_LIBS)

fuzz-short: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/run-suites.sh fuzz $(patsubst tests/fuzz/%.c,build/fuzz/fuzz/%,$(FUZZ_SRCS))

fuzz: deps fuzz-build
	@mkdir -p build; export SG_RESULTS=build/results.$$$$.txt; rm -f $$SG_RESULTS; \
	FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) bash tests/run-suites.sh fuzz $(patsubst tests/fuzz/%.c,build/fuzz/fuzz/%,$(FUZZ_SRCS)); \
	bash tests/run-suites.sh summary; rc=$$?; rm -f $$SG_RESULTS; exit $$rc

integration: all
	@B=$(B) bash tests/run-suites.sh integration $(wildcard tests/integration/test_*.sh)

# Every suite runs even when an earlier one failed; a suite that cannot even be built counts as one failure.
# Builds use every core (SUBJOBS); run-suites.sh runs fuzz targets and integration scripts SG_JOBS at a time.
# Counts go to a results file of this run's own, so parallel runs in one tree do not mix their numbers.
check: deps
	@mkdir -p build; export SG_RESULTS=build/results.$$$$.txt; rm -f $$SG_RESULTS; \
	$(MAKE) --no-print-directory $(SUBJOBS) unit        || bash tests/run-suites.sh record build 0 1; \
	$(MAKE) --no-print-directory $(SUBJOBS) unit-asan   || bash tests/run-suites.sh record build-asan 0 1; \
	$(MAKE) --no-print-directory $(SUBJOBS) fuzz-short  || bash tests/run-suites.sh record build-fuzz 0 1; \
	$(MAKE) --no-print-directory $(SUBJOBS) integration || bash tests/run-suites.sh record build-integration 0 1; \
	bash tests/run-suites.sh summary; rc=$$?; rm -f $$SG_RESULTS; exit $$rc

bench: deps all $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; B=$(B) $$b || exit 1; done

demo: deps all
	@B=$(B) bash tests/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build
