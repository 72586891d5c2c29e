# SPDX-License-Identifier: GPL-2.0
# zombiecg: find, explain, reap and prevent dying memory cgroups.
#
#   make            build build/zombiecg
#   make deps       install missing Debian packages (as root), else print the apt-get line
#   make run        deps + build + `zombiecg status` on this host
#   make check      deps + build + all tests (unit, CLI, root on this host, VM lab, systemd guest)
#   make asan       ASan+UBSan build in build/asan/ (used by `make check` for the unit and CLI tests)
#   make fuzz       build the libFuzzer targets (clang) and run each FUZZ_SECONDS (default 300)
#   make install    PREFIX=/usr/local DESTDIR= SYSCONFDIR=/etc SYSTEMDUNITDIR=$(PREFIX)/lib/systemd/system
#                   LIBDIR=$(PREFIX)/lib
#   make deb        Debian packages in build/deb/ (dpkg-buildpackage from a clean copy, lintian)
#   make check-system  the package under systemd in a QEMU guest (tests/system/; also in check)
#   V=1             show full commands

VERSION := 0.1.0
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
LIBDIR ?= $(PREFIX)/lib
BUILD ?= build
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Debian packages: what building needs, and what the tests need on top.
DEPS_BUILD := gcc make pkg-config libsmartcols-dev libmicrohttpd-dev libbpf-dev libelf-dev zlib1g-dev clang llvm bpftool
# libFuzzer for tests/fuzz (clang -fsanitize=fuzzer)
DEPS_BUILD += libclang-rt-dev
# prometheus brings promtool; python3-yaml checks the Kubernetes manifest; systemd has
# systemd-analyze for the unit; curl fetches /metrics (the VM lab uses busybox wget).
DEPS_TEST := jq perl e2fsprogs prometheus curl python3 python3-yaml systemd util-linux bc strace
# The lab fetches its own kernels with apt-get download (tests/vm/kernels.sh): no linux-image here.
DEPS_VM := qemu-system-x86 busybox-static cpio kmod xz-utils zstd
# `make deb` and tests/cli/deb.t; runc, debootstrap and the containers' default seccomp
# profile (golang-github-containers-common) for the DaemonSet's container (tests/root/runc.t);
# `make check-system` boots /boot's 6.12 kernel with Debian's initrd for it (virtio, ext4).
DEPS_PKG := debhelper dpkg-dev lintian runc debootstrap golang-github-containers-common linux-image-6.12-amd64
DEPS := $(DEPS_BUILD) $(DEPS_TEST) $(DEPS_VM) $(DEPS_PKG)

WARNINGS := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wmissing-prototypes
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -DZCG_VERSION='"$(VERSION)"' -Iinclude -Ilib -I$(BUILD)
SMARTCOLS_CFLAGS := $(shell $(PKG_CONFIG) --cflags smartcols 2>/dev/null)
SMARTCOLS_LIBS := $(shell $(PKG_CONFIG) --libs smartcols 2>/dev/null || echo -lsmartcols)
LDLIBS += $(SMARTCOLS_LIBS)
# The daemon serves /metrics with libmicrohttpd.
MHD_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
LDLIBS += $(MHD_LIBS) -lpthread

# BPF is optional: without libbpf, clang or bpftool the binary is built without it and the
# BPF source reports itself unavailable (-EOPNOTSUPP), so every command falls back to cgroupfs.
HAVE_BPF ?= $(shell $(PKG_CONFIG) --exists libbpf 2>/dev/null && command -v $(CLANG) >/dev/null && command -v $(BPFTOOL) >/dev/null && echo 1)

# lib/ is the kernel-facing core (the internal archive; the installed one is its public API).
# src/ the commands, src/daemon/ the daemon (its loop and its own modules), src/repro/ the
# zombie-making scenarios of `zombiecg repro` (a demonstration and test tool, not installed).
LIB_SRCS := $(wildcard lib/*.c)
SRC_SRCS := $(wildcard src/*.c src/daemon/*.c src/repro/*.c)
SRC_HDRS := $(wildcard src/*.h src/*/*.h)
# The daemon's modules that need neither the loop nor the HTTP server: the unit tests and
# fuzz targets link them from their own archive.
DAEMON_MODS := ages config metrics sdnotify
DAEMON_MODS_A := $(BUILD)/src/daemon/modules.a
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

ifeq ($(HAVE_BPF),1)
override CFLAGS += -DHAVE_BPF=1 $(shell $(PKG_CONFIG) --cflags libbpf)
LDLIBS += $(shell $(PKG_CONFIG) --libs libbpf) -lelf -lz
SKEL_DEPS := $(BPF_SKELS)
endif

LIB_OBJS := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
SRC_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(SRC_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%.t,$(UNIT_SRCS))
# Compiled helpers the root tests exec (not tests themselves): build/tests/helpers/<name>.
HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(wildcard tests/helpers/*.c))
# The daemon with tests/daemon/fake_reap.c in place of src/daemon/reap.c: tests only.
FAKE_REAP_BIN := $(BUILD)/tests/zombiecg-fake-reap

.PHONY: all deps run check check-unit check-cli check-root check-vm asan fuzz fuzz-build bench install deb check-system unit-tests clean
all: $(BUILD)/zombiecg

$(BUILD)/zombiecg: $(SRC_OBJS) $(BUILD)/libzombiecg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(SRC_OBJS) $(BUILD)/libzombiecg.a $(LDLIBS)

$(BUILD)/libzombiecg.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# What is installed: the library as one object whose only global symbols are the public
# API (include/zombiecg/drain.h); everything else is local to it, so nothing clashes with a
# program's own path_join, read_full_file and the like. The binary and the tests link the
# whole internal archive above.
PUBLIC_API := zcg_drain zcg_drain_result_free zcg_drain_strerror
$(BUILD)/public/libzombiecg.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && $(LD) -r -o $(@D)/zombiecg.o $^ && \
		objcopy $(patsubst %,--keep-global-symbol=%,$(PUBLIC_API)) $(@D)/zombiecg.o && \
		rm -f $@ && ar rcs $@ $(@D)/zombiecg.o

$(BUILD)/lib/%.o: lib/%.c $(wildcard lib/*.h include/zombiecg/*.h) $(wildcard bpf/*.h) $(SKEL_DEPS) | $(BUILD)/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/src/%.o: src/%.c $(SRC_HDRS) $(wildcard lib/*.h include/zombiecg/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) -Isrc $(SMARTCOLS_CFLAGS) $(MHD_CFLAGS) -c -o $@ $<

$(DAEMON_MODS_A): $(patsubst %,$(BUILD)/src/daemon/%.o,$(DAEMON_MODS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# Examples build as a user of the installed library would: the public archive only.
$(BUILD)/examples/%: examples/%.c include/zombiecg/drain.h $(BUILD)/public/libzombiecg.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -o $@ $< $(BUILD)/public/libzombiecg.a $(LDLIBS)

# The JSON writer lives with the commands (src/json.c), outside the library.
$(BUILD)/tests/unit/json.t: tests/unit/json.c src/json.c src/json.h tests/unit/tap.h $(BUILD)/libzombiecg.a | $(BUILD)/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -Isrc -o $@ $< src/json.c $(BUILD)/libzombiecg.a $(LDLIBS)

$(BUILD)/tests/unit/%.t: tests/unit/%.c tests/unit/tap.h $(DAEMON_MODS_A) $(BUILD)/libzombiecg.a | $(BUILD)/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -Isrc/daemon -o $@ $< $(DAEMON_MODS_A) $(BUILD)/libzombiecg.a $(LDLIBS)

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(BUILD)/libzombiecg.a | $(BUILD)/tests/helpers
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libzombiecg.a $(LDLIBS)

$(BUILD)/tests/fake_reap.o: tests/daemon/fake_reap.c $(SRC_HDRS) $(wildcard lib/*.h include/zombiecg/*.h) | $(BUILD)/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Isrc/daemon -Isrc $(MHD_CFLAGS) -c -o $@ $<

$(FAKE_REAP_BIN): $(filter-out $(BUILD)/src/daemon/reap.o,$(SRC_OBJS)) $(BUILD)/tests/fake_reap.o $(BUILD)/libzombiecg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libzombiecg.a $(LDLIBS)

# vmlinux.h: from the running kernel's BTF when it has one, else the committed copy.
$(BUILD)/vmlinux.h: | $(BUILD)
	$(call msg,GEN,$@)
	$(Q)if [ -r /sys/kernel/btf/vmlinux ]; then \
		$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@; \
	else cp bpf/vmlinux/vmlinux.h $@; fi

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(BUILD)/vmlinux.h | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD) -Ibpf -c $< -o $@

# The committed fallback header must keep building every program: `make check` compiles them
# against it too, so a build host without BTF never finds out first.
BPF_FALLBACK_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/fallback/%.bpf.o,$(BPF_SRCS))
$(BUILD)/fallback/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) bpf/vmlinux/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86 -Ibpf/vmlinux -Ibpf -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD) $(BUILD)/lib $(BUILD)/tests/unit $(BUILD)/tests/helpers:
	$(Q)mkdir -p $@

deps:
	@./tools/deps.sh $(DEPS)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	./$(BUILD)/zombiecg status

# The ASan+UBSan build lives in its own tree so it never mixes objects with the normal one.
asan:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" $(BUILD)/asan/zombiecg $(patsubst $(BUILD)/%,$(BUILD)/asan/%,$(UNIT_BINS))

# libFuzzer targets, one per parser (tests/fuzz/fuzz_*.c), with the library built by clang
# with ASan+UBSan and coverage in its own tree, without BPF (no parser there). `make check`
# runs each for a short time through tests/fuzz/fuzz.t; `make fuzz` runs them longer, from a
# copy of the committed seeds (build/fuzz/corpus/NAME), crashes left in build/fuzz/artifacts/.
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 300
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Whether this clang links libFuzzer (Debian: libclang-rt-NN-dev). Evaluated only when used.
HAVE_FUZZER = $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	$(CLANG) -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null && echo 1)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h src/json.c src/json.h $(DAEMON_MODS_A) $(BUILD)/libzombiecg.a
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Isrc/daemon -fsanitize=fuzzer -o $@ $< $(DAEMON_MODS_A) $(BUILD)/libzombiecg.a

fuzz-build:
	$(Q)if [ "$(HAVE_FUZZER)" != 1 ]; then \
		echo "$(CLANG) cannot link libFuzzer (-fsanitize=fuzzer): install libclang-rt-dev"; exit 1; fi
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz CC=$(CLANG) HAVE_BPF= CFLAGS="$(FUZZ_CFLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" $(patsubst %,$(BUILD)/fuzz/fuzz/fuzz_%,$(FUZZ_NAMES))

fuzz: fuzz-build
	$(Q)fail=0; for n in $(FUZZ_NAMES); do \
		BUILD=$(BUILD) ./tests/fuzz/run.sh $$n $(FUZZ_SECONDS) || fail=1; done; exit $$fail

EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

check: deps
	$(Q)$(MAKE) --no-print-directory all asan $(UNIT_BINS) $(EXAMPLES) $(HELPERS) $(FAKE_REAP_BIN) $(if $(filter 1,$(HAVE_BPF)),$(BPF_FALLBACK_OBJS))
	$(Q)if [ "$(HAVE_FUZZER)" = 1 ]; then $(MAKE) --no-print-directory fuzz-build; \
	else echo "no libFuzzer in $(CLANG): tests/fuzz/fuzz.t will skip"; fi
	$(Q)BUILD=$(BUILD) ./tests/run-all.sh

unit-tests: $(UNIT_BINS)

check-unit: all $(UNIT_BINS) $(FAKE_REAP_BIN)
	$(Q)prove $(UNIT_BINS) tests/cli/*.t

check-root: all $(HELPERS)
	$(Q)prove tests/root/*.t

check-vm: all $(HELPERS)
	$(Q)./tests/vm/run.sh

bench: all
	$(Q)./bench/run.sh

# The unit names the binary and the configuration by path: they follow PREFIX and SYSCONFDIR.
# An existing configuration file is kept (it is the administrator's).
install: all $(BUILD)/public/libzombiecg.a
	install -D -m 0755 $(BUILD)/zombiecg $(DESTDIR)$(PREFIX)/bin/zombiecg
	install -D -m 0644 doc/zombiecg.8 $(DESTDIR)$(PREFIX)/share/man/man8/zombiecg.8
	install -D -m 0644 deploy/bash-completion/zombiecg $(DESTDIR)$(PREFIX)/share/bash-completion/completions/zombiecg
	install -D -m 0644 $(BUILD)/public/libzombiecg.a $(DESTDIR)$(LIBDIR)/libzombiecg.a
	install -D -m 0644 include/zombiecg/drain.h $(DESTDIR)$(PREFIX)/include/zombiecg/drain.h
	sed -e 's|/usr/local/bin/zombiecg|$(PREFIX)/bin/zombiecg|' deploy/systemd/zombiecg-drain.conf > $(BUILD)/zombiecg-drain.conf
	install -D -m 0644 $(BUILD)/zombiecg-drain.conf $(DESTDIR)$(PREFIX)/share/zombiecg/zombiecg-drain.conf
	sed -e 's|/usr/local/bin/zombiecg|$(PREFIX)/bin/zombiecg|' -e 's|/etc/zombiecg/|$(SYSCONFDIR)/zombiecg/|' \
		deploy/systemd/zombiecg.service > $(BUILD)/zombiecg.service
	install -D -m 0644 $(BUILD)/zombiecg.service $(DESTDIR)$(SYSTEMDUNITDIR)/zombiecg.service
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/zombiecg/zombiecg.conf ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/zombiecg/zombiecg.conf (new defaults: deploy/zombiecg.conf)"; \
	else \
		echo "install -D -m 0644 deploy/zombiecg.conf $(DESTDIR)$(SYSCONFDIR)/zombiecg/zombiecg.conf"; \
		install -D -m 0644 deploy/zombiecg.conf $(DESTDIR)$(SYSCONFDIR)/zombiecg/zombiecg.conf; \
	fi

# The Debian packages, built from a copy of the tree (tracked and new files, not build/ or
# what .gitignore names) in $(BUILD)/deb/zombiecg-$(VERSION) (with its own build/: none of
# this make's variables reach it), land in $(BUILD)/deb/; lintian
# then checks them (no errors or warnings; overrides, each with its reason, in debian/).
DEB_SRC := $(BUILD)/deb/zombiecg-$(VERSION)
deb:
	$(Q)rm -rf $(BUILD)/deb && mkdir -p $(DEB_SRC)
	$(Q)if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C $(DEB_SRC); \
	else tar --exclude=./build -cf - . | tar -xf - -C $(DEB_SRC); fi
	$(Q)cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD \
		dpkg-buildpackage -b -us -uc $(if $(V),,>../build.log 2>&1) || \
		{ echo "dpkg-buildpackage failed (log: $(BUILD)/deb/build.log)"; tail -n 30 ../build.log; exit 1; }
	$(Q)lintian --fail-on error,warning $(BUILD)/deb/zombiecg_$(VERSION)_*.changes
	$(Q)ls $(BUILD)/deb/*.deb

# A real systemd host: bookworm with systemd as PID 1 on cgroup v2, the 6.12 kernel, the
# package just built installed with apt (tests/system/system.t; root, qemu, about 7 minutes
# under TCG). `make check` runs it last (tests/run-all.sh), with the package tests/cli/deb.t
# built.
check-system: deb
	$(Q)BUILD=$(BUILD) prove $(if $(V),-v) tests/system/system.t

clean:
	rm -rf $(BUILD)

# Keep the BPF objects and skeletons: make would otherwise delete them as intermediates.
.SECONDARY: $(BPF_SKELS) $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
.DELETE_ON_ERROR:
