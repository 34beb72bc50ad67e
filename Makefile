# SPDX-License-Identifier: Apache-2.0
# One non-recursive GNU Makefile for the whole suite.
#
#   make                 build bin/ctr-*
#   make check           unit + integration tests (installs test deps as root)
#   make check-unit      unit tests only: no root, no network
#   make check-asan      the integration suite against the ASan + UBSan build
#   make check-valgrind  the unit tests under valgrind (memcheck, leaks)
#   make SANITIZE=1 ...  build with ASan + UBSan into build-san/
#   make crash ITER=N    SIGKILL N operations at random instants, check the store after each
#   make lint            warnings as errors (gcc, clang), clang-format, mandoc -Tlint
#   make fuzz            every libFuzzer target (fuzz/) for FUZZ_SECONDS each, in build-fuzz/
#   make bench           side by side with containerd (QUICK=1: ~3 minutes)
#   make install         PREFIX=/usr/local DESTDIR= MANDIR=$(PREFIX)/share/man
#                        UNITDIR=$(PREFIX)/lib/systemd/system
#                        COMPLETIONDIR=$(PREFIX)/share/bash-completion/completions

# A tool is built once its folder has a main.c.
TOOLS := $(patsubst %/main.c,%,$(wildcard ctr-*/main.c))
# Libraries: libcommon (every tool), libregistry (the registry client of pull and push).
LIBS := libcommon libregistry
PKGS_libcommon := jansson openssl zlib libzstd libisal libarchive
PKGS_libregistry := libcurl openssl jansson
PKGS_ctr-pull := libcurl openssl jansson
PKGS_ctr-push := libcurl openssl jansson
# ctr-image's verbs on records and gc load jansson only; ctr-image-blobs (check,
# import, export, which ctr-image execs) the hashing and archive libraries.
PKGS_ctr-image := jansson
PKGS_ctr-image-blobs := openssl jansson libarchive zlib libzstd libisal
PKGS_ctr-unpack := libarchive openssl jansson libseccomp zlib libzstd libisal
PKGS_ctr-snapshot := jansson openssl libarchive zlib libzstd
PKGS_ctr-run := jansson libseccomp
PKGS_ctr-netns := libmnl jansson
PKGS_ctr-shim := jansson
# A shim lives beside each container for its whole life, so its private
# pages count once a container (shim.bats bounds them, bench's memory rows
# measure them). jansson goes in statically: one shared object fewer spares
# each shim the pages the loader dirties for it (its GOT, data and link map:
# 8 KiB of PSS a shim). --gc-sections drops the libcommon code it never calls.
STATIC_PKGS_ctr-shim := jansson
LDFLAGS_ctr-shim := -Wl,--gc-sections
PKGS_ctr-cri := grpc libprotobuf-c openssl jansson libarchive zlib libzstd libisal
# The libraries a tool links besides libcommon.
USES_ctr-pull := libregistry
USES_ctr-push := libregistry
USES_ctr-cri := libregistry

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
PKG_CONFIG ?= pkg-config
CC ?= cc

ifeq ($(LINT),1)
B := build-lint
CFLAGS := -O2 -Werror
SANFLAGS :=
else ifeq ($(LINT),clang)
B := build-lint-clang
CC := clang
CFLAGS := -O2 -Werror
SANFLAGS :=
else ifeq ($(FUZZ),1)
# libFuzzer instruments our objects; only the fuzz targets link its main().
B := build-fuzz
CC := clang
CFLAGS := -O1 -g
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
else ifeq ($(SANITIZE),1)
B := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B := build
SANFLAGS :=
endif

CFLAGS ?= -O2 -g
WFLAGS := -std=gnu11 -Wall -Wextra -Wformat=2 -Wshadow -Wvla -Wno-missing-field-initializers
DEPFLAGS = -MMD -MP
ALL_CPPFLAGS = -D_GNU_SOURCE -iquote libcommon $(CPPFLAGS)
# A tool (or library) sees the headers of the libraries it uses.
uses = $(USES_$(firstword $(subst /, ,$(1))))
# Sections per function and object: what a tool linked with --gc-sections drops.
ALL_CFLAGS = $(WFLAGS) $(SANFLAGS) -ffunction-sections -fdata-sections $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIBCOMMON := $(B)/libcommon.a
# Every library, libcommon last (what the unit tests link).
ARCHIVES := $(patsubst %,$(B)/%.a,$(filter-out libcommon,$(LIBS))) $(LIBCOMMON)
USES_libregistry := libcommon
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
MANPAGES := $(wildcard man/*.[1-9])

all: $(patsubst %,$(B)/bin/%,$(TOOLS)) bin-links

# bin/ always points at the plain build so tests find the tools in one place.
# A name left from an older layout (a symlink to a binary now gone) is removed.
bin-links: $(patsubst %,$(B)/bin/%,$(TOOLS))
ifeq ($(B),build)
	$(Q)mkdir -p bin && for t in $(TOOLS); do ln -sfn ../$(B)/bin/$$t bin/$$t; done
	$(Q)for l in bin/ctr-*; do [ -e "$$l" ] || rm -f "$$l"; done
endif

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(patsubst %,-iquote %,$(call uses,$<)) $(ALL_CFLAGS) $(DEPFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS_$(firstword $(subst /, ,$<)))) -c -o $@ $<

define library
$(B)/$(1).a: $$(patsubst %.c,$(B)/%.o,$$(wildcard $(1)/*.c))
	@$$(if $(Q),echo "  AR      $$@")
	$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^
endef
$(foreach l,$(LIBS),$(eval $(call library,$(l))))

# --version prints "CTR_RELEASE (git DESCRIBE)"; "unknown" outside a git tree.
# Only prog.o gets the define, and version.stamp changes only when the text
# does, so a new commit recompiles prog.c and relinks, nothing more.
# --no-optional-locks: describe --dirty must not take index.lock from a commit.
CTR_RELEASE := 0.1
CTR_GIT := $(shell test -e .git && git --no-optional-locks describe --always --dirty 2>/dev/null || echo unknown)
CTR_VERSION := $(CTR_RELEASE) (git $(CTR_GIT))
$(B)/version.stamp: FORCE
	@mkdir -p $(dir $@)
	$(Q)echo '$(CTR_VERSION)' | cmp -s - $@ || echo '$(CTR_VERSION)' > $@
$(B)/libcommon/prog.o: $(B)/version.stamp
$(B)/libcommon/prog.o: ALL_CPPFLAGS += -DCTR_VERSION='"$(CTR_VERSION)"'
FORCE:

# ctr-cri's messages: C that protoc-c generates from ctr-cri/api.proto into
# $(B)/gen/ at build time (never committed). The generated file is compiled
# as C11 without our warning flags: its style is protoc-c's, not ours, and a
# CRI field named "linux" would meet GNU C's predefined macro. Our files that
# include its header get -Ulinux for the same reason.
CRI_GEN := $(B)/gen/ctr-cri/api.pb-c
$(CRI_GEN).c $(CRI_GEN).h &: ctr-cri/api.proto
	@mkdir -p $(B)/gen
	@$(if $(Q),echo "  PROTOC  $<")
	$(Q)protoc-c --proto_path=. --c_out=$(B)/gen $<
$(CRI_GEN).o: $(CRI_GEN).c
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -std=c11 -Ulinux -Wall $(SANFLAGS) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags libprotobuf-c) \
		-iquote $(B)/gen -c -o $@ $<
$(patsubst %.c,$(B)/%.o,$(wildcard ctr-cri/*.c)): $(CRI_GEN).h
$(patsubst %.c,$(B)/%.o,$(wildcard ctr-cri/*.c)): ALL_CPPFLAGS += -Ulinux -iquote $(B)/gen
GEN_ctr-cri := $(CRI_GEN).o

# A tool's libraries: those of STATIC_PKGS_<tool> from their archives, the rest shared.
LD_STATIC := -Wl,-Bstatic
LD_DYNAMIC := -Wl,-Bdynamic
pkg_libs = $(if $(STATIC_PKGS_$(1)),$(LD_STATIC) $(shell $(PKG_CONFIG) --static --libs \
	$(STATIC_PKGS_$(1))) $(LD_DYNAMIC)) $(if $(filter-out $(STATIC_PKGS_$(1)),$(PKGS_$(1))),$(shell \
	$(PKG_CONFIG) --libs $(filter-out $(STATIC_PKGS_$(1)),$(PKGS_$(1)))))

# A tool links its objects, its generated ones, the libraries it uses, then libcommon (last: the others need it).
define tool
$(B)/bin/$(1): $$(patsubst %.c,$(B)/%.o,$$(wildcard $(1)/*.c)) $(GEN_$(1)) $(patsubst %,$(B)/%.a,$(USES_$(1))) $(LIBCOMMON)
	@mkdir -p $$(dir $$@)
	@$$(if $(Q),echo "  LD      $$@")
	$(Q)rm -f $$@ && $$(CC) $$(ALL_LDFLAGS) $$(LDFLAGS_$(1)) -o $$@ $$^ $$(call pkg_libs,$(1))
endef
$(foreach t,$(TOOLS),$(eval $(call tool,$(t))))

# A unit test links libcommon and, for test-<tool>-<module>.c, that tool's
# objects except main.c (tools keep pure modules testable). Other tools'
# objects are not prerequisites, so one broken tool never blocks the rest.
UNIT_LIBS := $(shell $(PKG_CONFIG) --libs jansson openssl libarchive libcurl libmnl libseccomp zlib libzstd libisal)
tool_objs = $(patsubst %.c,$(B)/%.o,$(filter-out $(1)/main.c,$(wildcard $(1)/*.c)))
unit_tool = $(firstword $(foreach t,$(TOOLS),$(if $(filter test-$(t)-%,$(1)),$(t))))
define unit
$(B)/tests/$(1): tests/unit/$(1).c $(ARCHIVES) $(call tool_objs,$(call unit_tool,$(1)))
	@mkdir -p $$(dir $$@)
	@$$(if $(Q),echo "  TEST    $$@")
	$(Q)$$(CC) $$(ALL_CPPFLAGS) $(patsubst %,-iquote %,$(LIBS)) -iquote tests/unit $(if $(call unit_tool,$(1)),-iquote $(call unit_tool,$(1))) \
		$$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $$< $(call tool_objs,$(call unit_tool,$(1))) $(ARCHIVES) $$(UNIT_LIBS)
endef
$(foreach u,$(patsubst tests/unit/%.c,%,$(UNIT_SRC)),$(eval $(call unit,$(u))))

# A fuzz target fuzz/fuzz-<name>.c links libFuzzer, every library and, for
# fuzz-<tool>-<what>.c, that tool's objects except main.c (as unit tests do).
FUZZ_SRC := $(wildcard fuzz/fuzz-*.c)
FUZZ_BIN := $(patsubst fuzz/%.c,build-fuzz/fuzz/%,$(FUZZ_SRC))
fuzz_tool = $(firstword $(foreach t,$(TOOLS),$(if $(filter fuzz-$(t)-%,$(1)),$(t))))
define fuzzer
$(B)/fuzz/$(1): fuzz/$(1).c fuzz/fuzz.h $(ARCHIVES) $(call tool_objs,$(call fuzz_tool,$(1)))
	@mkdir -p $$(dir $$@)
	@$$(if $(Q),echo "  FUZZ    $$@")
	$(Q)$$(CC) $$(ALL_CPPFLAGS) $(patsubst %,-iquote %,$(LIBS)) -iquote fuzz $(if $(call fuzz_tool,$(1)),-iquote $(call fuzz_tool,$(1))) \
		$$(ALL_CFLAGS) -fsanitize=fuzzer $$(ALL_LDFLAGS) -o $$@ $$< $(call tool_objs,$(call fuzz_tool,$(1))) $(ARCHIVES) $$(UNIT_LIBS)
endef
$(foreach f,$(patsubst fuzz/%.c,%,$(FUZZ_SRC)),$(eval $(call fuzzer,$(f))))

# Each target in turn for FUZZ_SECONDS from its committed seeds (fuzz/run);
# any crash, leak or sanitizer report fails. make check runs each briefly.
FUZZ_SECONDS ?= 60
CHECK_FUZZ_SECONDS ?= 5
fuzz:
	$(Q)$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_BIN)
	$(Q)fuzz/run $(FUZZ_SECONDS) $(FUZZ_BIN)

deps:
	$(Q)scripts/install-deps

check-unit: $(UNIT_BIN)
	$(Q)tests/run --unit $(UNIT_BIN)

check-integration: all
	$(Q)tests/run --integration tests/integration/*.bats

# The integration suite against the sanitizer build (build-san/bin): any
# ASan, LeakSanitizer or UBSan report fails the test that caused it.
# ASAN_SKIP: files that cannot run sanitized, by name (HACKING.md says why).
ASAN_SKIP :=
ASAN_BATS := $(filter-out $(patsubst %,tests/integration/%.bats,$(ASAN_SKIP)), \
	$(wildcard tests/integration/*.bats))
check-asan:
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 all
	$(Q)tests/run --sanitized --integration $(ASAN_BATS)

# The unit tests of the plain build under valgrind: any memcheck error or
# definite leak fails the binary (tests/run --valgrind). VALGRIND_SKIP: the
# binaries valgrind cannot run as the kernel would (HACKING.md says why).
VALGRIND_SKIP := test-ctr-run-user test-ctr-unpack-apply test-sha256 test-spawn
export VALGRIND_SKIP
check-valgrind: $(UNIT_BIN)
	$(Q)tests/run --valgrind --unit $(UNIT_BIN)

# The README's test command: dependencies, the plain build, the sanitizer
# build of the unit tests, each fuzz target for CHECK_FUZZ_SECONDS, 20
# iterations of the crash harness, and the integration suite, with one
# summary line. CI (.ci/run) adds its slow stages to that line:
# CHECK_VALGRIND=1, the unit tests under valgrind; CHECK_ASAN=1, the
# integration suite again against the sanitizer build.
check: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BIN)
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 $(patsubst build/%,build-san/%,$(UNIT_BIN)) \
		$(if $(filter 1,$(CHECK_ASAN)),all)
	$(Q)$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_BIN)
	$(Q)FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) tests/run --unit $(UNIT_BIN) \
		$(patsubst build/%,build-san/%,$(UNIT_BIN)) fuzz/run tests/crash/run \
		--integration tests/integration/*.bats \
		$(if $(filter 1,$(CHECK_VALGRIND)),--valgrind --unit $(UNIT_BIN)) \
		$(if $(filter 1,$(CHECK_ASAN)),--sanitized --integration $(ASAN_BATS))

# The crash-consistency harness (tests/crash/run, HACKING.md): ITER
# operations each SIGKILLed at a random instant, re-run and checked.
ITER ?= 100
crash: all
	$(Q)tests/crash/run $(ITER)

demo: deps all
	$(Q)scripts/demo

# Side by side with a private containerd: bench/results/latest.md (bench/run).
bench: all
	$(Q)bench/run $(if $(filter 1,$(QUICK)),--quick)

bench-quick: all
	$(Q)bench/run --quick

.PHONY: bench bench-quick

# Every C file of ours: what the formatter checks.
C_FILES := $(wildcard ctr-*/*.[ch] lib*/*.[ch] tests/unit/*.[ch] tests/fixtures/*.c fuzz/*.[ch])

# Warnings as errors with gcc and with clang, each in a build tree of its own
# so that bin/ stays usable; the committed .clang-format; the man pages.
lint:
	$(Q)$(MAKE) --no-print-directory LINT=1 $(patsubst build/%,build-lint/%,$(UNIT_BIN)) \
		$(patsubst %,build-lint/bin/%,$(TOOLS))
	$(Q)$(MAKE) --no-print-directory LINT=clang $(patsubst build/%,build-lint-clang/%,$(UNIT_BIN)) \
		$(patsubst %,build-lint-clang/bin/%,$(TOOLS))
	$(Q)$(MAKE) --no-print-directory FUZZ=1 CFLAGS='-O1 -g -Werror' $(FUZZ_BIN)
	$(Q)clang-format --dry-run -Werror $(C_FILES)
	$(Q)mandoc -Tlint -Wwarning $(MANPAGES)
	@# stage boundaries: only ctr-unpack, ctr-snapshot and ctr-run use the snapshot store
	$(Q)if grep -nE '"snapshot(-[a-z]+)*\.h"' ctr-pull/* ctr-push/*; then \
		echo "lint: ctr-pull and ctr-push must leave snapshots to ctr-unpack" >&2; exit 1; fi

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(patsubst %,$(B)/bin/%,$(TOOLS)) $(DESTDIR)$(BINDIR)/
	for m in $(MANPAGES); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(COMPLETIONDIR)
	for u in systemd/*; do sed 's|@BINDIR@|$(BINDIR)|g' $$u >$(DESTDIR)$(UNITDIR)/$${u#systemd/}; chmod 0644 $(DESTDIR)$(UNITDIR)/$${u#systemd/}; done
	install -m 0644 completion/ctr.bash $(DESTDIR)$(COMPLETIONDIR)/ctr-run
	for t in $(filter-out ctr-run ctr-shim ctr-image-blobs,$(TOOLS)); do ln -sf ctr-run $(DESTDIR)$(COMPLETIONDIR)/$$t; done

clean-objs:
	rm -rf build build-san build-lint build-lint-clang build-fuzz

clean: clean-objs
	rm -rf bin

.PHONY: all bin-links deps check check-unit check-integration crash demo lint install clean clean-objs fuzz check-asan check-valgrind FORCE

-include $(shell find build build-san build-lint build-lint-clang build-fuzz -name '*.d' 2>/dev/null)
