# SPDX-License-Identifier: Apache-2.0
# One non-recursive GNU Makefile for the whole suite.
#
#   make                 build bin/ctr-*
#   make check           unit + integration tests (installs test deps as root)
#   make check-unit      unit tests only: no root, no network
#   make SANITIZE=1 ...  build with ASan + UBSan into build-san/
#   make lint            compiler warnings as errors + mandoc -Tlint
#   make bench           side by side with containerd (QUICK=1: ~3 minutes)
#   make install         PREFIX=/usr/local DESTDIR= MANDIR=$(PREFIX)/share/man

# A tool is built once its folder has a main.c.
TOOLS := $(patsubst %/main.c,%,$(wildcard ctr-*/main.c))
PKGS_libcommon := jansson openssl
PKGS_ctr-pull := libcurl openssl jansson libarchive
PKGS_ctr-unpack := libarchive openssl jansson libseccomp zlib libzstd libisal
PKGS_ctr-snapshot := jansson
PKGS_ctr-run := jansson libseccomp
PKGS_ctr-netns := libmnl jansson
PKGS_ctr-shim := jansson
# Multi-call tools: more names for one binary, installed as symlinks to it.
ALIASES_ctr-pull := ctr-push ctr-image

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CC ?= cc

ifeq ($(LINT),1)
B := build-lint
CFLAGS := -O2 -Werror
SANFLAGS :=
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
ALL_CFLAGS = $(WFLAGS) $(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIBCOMMON_SRC := $(wildcard libcommon/*.c)
LIBCOMMON_OBJ := $(patsubst %.c,$(B)/%.o,$(LIBCOMMON_SRC))
LIBCOMMON := $(B)/libcommon.a
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
MANPAGES := $(wildcard man/*.[1-9])

ALIASES := $(foreach t,$(TOOLS),$(ALIASES_$(t)))

all: $(patsubst %,$(B)/bin/%,$(TOOLS) $(ALIASES)) bin-links

# bin/ always points at the plain build so tests find the tools in one place.
bin-links: $(patsubst %,$(B)/bin/%,$(TOOLS) $(ALIASES))
ifeq ($(B),build)
	$(Q)mkdir -p bin && for t in $(TOOLS) $(ALIASES); do ln -sfn ../$(B)/bin/$$t bin/$$t; done
endif

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS_$(firstword $(subst /, ,$<)))) -c -o $@ $<

$(LIBCOMMON): $(LIBCOMMON_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

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

define tool
$(B)/bin/$(1): $$(patsubst %.c,$(B)/%.o,$$(wildcard $(1)/*.c)) $(LIBCOMMON)
	@mkdir -p $$(dir $$@)
	@$$(if $(Q),echo "  LD      $$@")
	$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(shell $(PKG_CONFIG) --libs $$(PKGS_$(1)))
endef
$(foreach t,$(TOOLS),$(eval $(call tool,$(t))))

# An alias is a relative symlink beside the binary; the binary looks at argv[0].
define alias
$(B)/bin/$(2): $(B)/bin/$(1)
	$(Q)ln -sfn $(1) $$@
endef
$(foreach t,$(TOOLS),$(foreach a,$(ALIASES_$(t)),$(eval $(call alias,$(t),$(a)))))

# A unit test links libcommon and, for test-<tool>-<module>.c, that tool's
# objects except main.c (tools keep pure modules testable). Other tools'
# objects are not prerequisites, so one broken tool never blocks the rest.
UNIT_LIBS := $(shell $(PKG_CONFIG) --libs jansson openssl libarchive libcurl libmnl libseccomp zlib libzstd libisal)
tool_objs = $(patsubst %.c,$(B)/%.o,$(filter-out $(1)/main.c,$(wildcard $(1)/*.c)))
unit_tool = $(firstword $(foreach t,$(TOOLS),$(if $(filter test-$(t)-%,$(1)),$(t))))
define unit
$(B)/tests/$(1): tests/unit/$(1).c $(LIBCOMMON) $(call tool_objs,$(call unit_tool,$(1)))
	@mkdir -p $$(dir $$@)
	@$$(if $(Q),echo "  TEST    $$@")
	$(Q)$$(CC) $$(ALL_CPPFLAGS) -iquote tests/unit $(if $(call unit_tool,$(1)),-iquote $(call unit_tool,$(1))) \
		$$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $$< $(call tool_objs,$(call unit_tool,$(1))) $(LIBCOMMON) $$(UNIT_LIBS)
endef
$(foreach u,$(patsubst tests/unit/%.c,%,$(UNIT_SRC)),$(eval $(call unit,$(u))))

deps:
	$(Q)scripts/install-deps

check-unit: $(UNIT_BIN)
	$(Q)tests/run --unit $(UNIT_BIN)

check-integration: all
	$(Q)tests/run --integration tests/integration/*.bats

# The README's test command: dependencies, the plain build, the sanitizer
# build of the unit tests, and the integration suite, with one summary line.
check: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BIN)
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 $(patsubst build/%,build-san/%,$(UNIT_BIN))
	$(Q)tests/run --unit $(UNIT_BIN) $(patsubst build/%,build-san/%,$(UNIT_BIN)) \
		--integration tests/integration/*.bats

demo: deps all
	$(Q)scripts/demo

# Side by side with a private containerd: bench/results/latest.md (bench/run).
bench: all
	$(Q)bench/run $(if $(filter 1,$(QUICK)),--quick)

bench-quick: all
	$(Q)bench/run --quick

.PHONY: bench bench-quick

# Warnings as errors, in a build tree of its own so that bin/ stays usable.
lint:
	$(Q)$(MAKE) --no-print-directory LINT=1 $(patsubst build/%,build-lint/%,$(UNIT_BIN)) \
		$(patsubst %,build-lint/bin/%,$(TOOLS))
	$(Q)mandoc -Tlint -Wwarning $(MANPAGES)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(patsubst %,$(B)/bin/%,$(TOOLS)) $(DESTDIR)$(BINDIR)/
	$(foreach t,$(TOOLS),$(foreach a,$(ALIASES_$(t)),ln -sfn $(t) $(DESTDIR)$(BINDIR)/$(a) &&)) true
	for m in $(MANPAGES); do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done

clean-objs:
	rm -rf build build-san build-lint

clean: clean-objs
	rm -rf bin

.PHONY: all bin-links deps check check-unit check-integration demo lint install clean clean-objs FORCE

-include $(shell find build build-san build-lint -name '*.d' 2>/dev/null)
