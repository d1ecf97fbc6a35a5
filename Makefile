# pmon - see, act on and talk about the processes of a Linux machine.
#
#   make              build ./pmon
#   make deps         install every Debian package needed to build and test
#   make check        build and run every test; ends with "N passed, N failed"
#   make check SANITIZE=1   the same with ASan+UBSan, built in build-san/
#   make bench        measure pmon against its peers and the floor
#   make mutants      plant each fault of tests/mutants/ and check the suite
#                     catches it (minutes; not part of make check)
#   make soak         a room and zombie-making parents under random load and
#                     faults for SOAK_SECONDS (600), then the invariants
#                     (SOAK_SEED to replay a run's choices; not in make check)
#   make install      install the binary, the man pages, the completions,
#                     the systemd units and the examples (PREFIX, DESTDIR)
#   make deb          build the Debian package (dpkg-buildpackage) into deb/
#   make PMON_BPF=0   build without the BPF backend (1: fail without it;
#                     default: built when libbpf, bpftool, clang and the
#                     kernel's BTF are there)

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share
DOCDIR    ?= $(DATADIR)/doc/pmon
# Where the shells look for completions (bash-completion's, zsh's vendor
# directory as Debian sets $fpath, fish's vendor directory).
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/vendor-completions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
# systemd's own answer (/lib/systemd/system on Debian 12).
SYSTEMDUNITDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
PKG_CONFIG ?= pkg-config
CFLAGS    ?= -O2 -g

# Every library pmon compiles against, found through pkg-config.  Each is
# loaded by the commands that use it (src/util/dynload.h), not linked, its
# soname read off the library compiled against: linked, libmicrohttpd cost
# every start 4-5 ms of CPU, libproc2 with libsystemd 1.6-1.9 ms, ncursesw
# with tinfo 0.45 ms, jansson (--json) and inih (top's settings file) 13
# page faults and two dozen system calls, 0.35 ms (pmon --version, 3.70
# against 3.35 ms: medians of 15 interleaved rounds of 100 runs).
PKGS        = $(LINKED_PKGS) $(LOADED_PKGS)
LINKED_PKGS =
LOADED_PKGS = libproc2 libmicrohttpd libsystemd ncursesw jansson inih
# Package $(1)'s library is $(1).so, with lib put in front where the name
# lacks it (ncursesw: libncursesw.so, which is a linker script there,
# INPUT(libncursesw.so.6 -ltinfo)).
soname_of = $(shell f="$$($(PKG_CONFIG) --variable=libdir $(1))/lib$(patsubst lib%,%,$(1)).so"; \
	{ objdump -p "$$f" 2>/dev/null | awk '$$1 == "SONAME" {print $$2}'; \
	  sed -n 's/^INPUT(\([^ )]*\).*/\1/p' "$$f" 2>/dev/null; } | head -n 1)
loads = -DPMON_SONAME='"$(or $(call soname_of,$(1)),$(error \
	cannot read the soname of $(1).so: is $(1)-dev installed?))"'

# Debian packages: to build, to test, to benchmark.
DEB_BUILD = build-essential pkg-config libproc2-dev libncurses-dev \
	    libjansson-dev libinih-dev libmicrohttpd-dev libsystemd-dev
DEB_TEST  = libcmocka-dev bats tmux socat procps psmisc util-linux jq strace locales \
	    passwd groff-base man-db clang libclang-rt-14-dev python3 \
	    prometheus prometheus-node-exporter curl zsh fish systemd
DEB_BENCH = ngircd hyperfine time htop
# To build the Debian package (make deb) and check it.  (DEB_TEST has
# the shells whose completion the tests drive, and systemd for
# systemd-socket-activate and systemd-analyze.)
DEB_PACKAGE = debhelper dpkg-dev lintian
# The optional BPF backend (src/proc/bpf/): libbpf, and bpftool for
# vmlinux.h and the skeleton (clang is in DEB_TEST).  Without them pmon
# builds and tests without the backend.
DEB_BPF   = libbpf-dev bpftool clang

ifeq ($(SANITIZE),1)
BUILD    ?= build-san
PMON_BIN  = $(BUILD)/pmon
SANFLAGS  = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer
else
BUILD    ?= build
PMON_BIN  = pmon
SANFLAGS  =
endif

# Asked of pkg-config when first used, not when the Makefile is read, so
# that `make deps all` builds with the packages `deps` has just installed;
# the $(eval) keeps the answer, so pkg-config runs once per make.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell $(PKG_CONFIG) --libs $(LINKED_PKGS) 2>/dev/null))$(PKG_LIBS)
WARNINGS    = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	      -Wmissing-prototypes -Wpointer-arith -Wundef
ALL_CFLAGS  = -std=gnu11 $(WARNINGS) -D_GNU_SOURCE \
	      -DPMON_VERSION='"$(VERSION)"' -Isrc -I$(BPF_DIR) $(PKG_CFLAGS) \
	      $(CPPFLAGS) $(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
$(BUILD)/src/proc/procps.o: ALL_CFLAGS += $(call loads,libproc2)
$(BUILD)/src/cmd/httpd.o: ALL_CFLAGS += $(call loads,libmicrohttpd)
$(BUILD)/src/chat/systemd.o: ALL_CFLAGS += $(call loads,libsystemd)
$(BUILD)/src/util/curses_lib.o: ALL_CFLAGS += $(call loads,ncursesw)
$(BUILD)/src/util/json_lib.o: ALL_CFLAGS += $(call loads,jansson)
$(BUILD)/src/ui/topconf.o: ALL_CFLAGS += $(call loads,inih)
# -lpthread: chat's name-lookup thread (src/chat/resolve.c) and inject's
# pthread_sigmask; in libc itself since glibc 2.34, named for older ones.
LIBS        = $(PKG_LIBS) -lpthread
# For the unit tests that call a loaded library themselves (the
# differential test asks libproc2 what pmon's reader read).
LOADED_LIBS = $(shell $(PKG_CONFIG) --libs $(LOADED_PKGS) 2>/dev/null)

# ---- the BPF backend ------------------------------------------------------
# src/proc/bpf/detect.sh decides on every make whether it can be built
# (PMON_BPF: auto, 0 or 1) and writes "yes" or why not to $(BPF_DIR)/detect,
# rewritten only when the answer changes.  When yes, the BPF program is
# compiled with clang's BPF target against a vmlinux.h dumped from the
# kernel's BTF (CO-RE: libbpf relocates it to the kernel it loads on),
# stripped of its DWARF (bpftool gen object: 690 KB -> 58 KB) and turned
# into a skeleton header that src/proc/bpf.c embeds; when not, the
# skeleton is a stub and pmon-bpf-config.h says why, for `pmon --version`.
PMON_BPF    ?= auto
BPF_DIR      = $(BUILD)/bpf
BPF_CLANG   ?= clang
BPFTOOL     ?= $(firstword $(shell command -v bpftool 2>/dev/null) /usr/sbin/bpftool)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_CFLAGS  ?= -g -O2
# Asked when a recipe needs it, after $(BPF_DIR)/detect is made; libbpf
# itself is loaded when the iterator is (src/proc/bpflib.h).
BPF_YES  = $(filter yes,$(shell cat $(BPF_DIR)/detect 2>/dev/null))

SRCS     := $(wildcard src/*.c src/*/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
LIBPMON  := $(BUILD)/libpmon.a

UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FIX_SRCS  := $(wildcard tests/fixtures/*.c)
FIX_BINS  := $(FIX_SRCS:tests/fixtures/%.c=$(BUILD)/fixtures/%)
PRELOAD_SRCS := $(wildcard tests/fixtures/preload/*.c)
PRELOAD_LIBS := $(PRELOAD_SRCS:tests/fixtures/preload/%.c=$(BUILD)/fixtures/%.so)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)

all: $(PMON_BIN)

$(PMON_BIN): $(MAIN_OBJ) $(LIBPMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBPMON) $(LIBS)

$(LIBPMON): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(BUILD)/%.o: %.c | $(BUILD)/.pkgs-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/src/proc/bpf.o: $(BPF_DIR)/pmon-bpf-config.h $(BPF_DIR)/task_iter.skel.h
$(BUILD)/src/proc/bpflib.o: $(BPF_DIR)/pmon-bpf-config.h
$(BUILD)/src/proc/bpflib.o: ALL_CFLAGS += $(if $(BPF_YES),$(call loads,libbpf))

$(BPF_DIR)/detect: FORCE
	@mkdir -p $(@D)
	@PMON_BPF='$(PMON_BPF)' PKG_CONFIG='$(PKG_CONFIG)' BPF_CLANG='$(BPF_CLANG)' \
	  BPFTOOL='$(BPFTOOL)' VMLINUX_BTF='$(VMLINUX_BTF)' \
	  sh src/proc/bpf/detect.sh >$@.new || { rm -f $@.new; exit 1; }
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; \
	  echo "bpf backend: $$(cat $@)"; fi

$(BPF_DIR)/pmon-bpf-config.h: $(BPF_DIR)/detect
	@if [ "$$(cat $<)" = yes ]; then echo '#define PMON_HAVE_BPF 1'; \
	 else printf '#define PMON_BPF_MISSING "%s"\n' "$$(cat $<)"; fi >$@

$(BPF_DIR)/vmlinux.h: | $(BPF_DIR)/detect
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c >$@.new && mv $@.new $@

$(BPF_DIR)/task_iter.skel.h: src/proc/bpf/task_iter.bpf.c src/proc/bpf/task_rec.h \
			     $(BPF_DIR)/detect
	@if [ "$$(cat $(BPF_DIR)/detect)" != yes ]; then \
	  echo '/* the BPF backend is not built */' >$@; exit 0; fi; \
	$(MAKE) --no-print-directory $(BPF_DIR)/vmlinux.h && \
	echo "$(BPF_CLANG) -target bpf -c -o $(BPF_DIR)/task_iter.bpf.o $<" && \
	$(BPF_CLANG) $(BPF_CFLAGS) -target bpf -I$(BPF_DIR) -Isrc $(CPPFLAGS) \
	  -c -o $(BPF_DIR)/task_iter.bpf.o $< && \
	$(BPFTOOL) gen object $(BPF_DIR)/task_iter.o $(BPF_DIR)/task_iter.bpf.o && \
	$(BPFTOOL) gen skeleton $(BPF_DIR)/task_iter.o name task_iter >$@.new && \
	mv $@.new $@

# A clear message instead of a wall of missing-header errors.
$(BUILD)/.pkgs-ok:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || { \
	  echo "pmon: missing build dependencies ($(PKGS));" \
	       "run 'make deps' (as root) to install them" >&2; exit 1; }
	@mkdir -p $(@D) && touch $@

$(BUILD)/tests/%: tests/unit/%.c $(LIBPMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null) \
	  -o $@ $< $(LIBPMON) $(ALL_LDFLAGS) $(LIBS) $(LOADED_LIBS) \
	  $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# Fixtures are small stand-alone programs; they are not sanitised (a
# fixture that sits in vfork or is a zombie must stay exactly that).
$(BUILD)/fixtures/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -O1 -g -o $@ $< -lpthread

# Shims the tests LD_PRELOAD into pmon (to make a library call slow, say).
$(BUILD)/fixtures/%.so: tests/fixtures/preload/%.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -O1 -g -shared -fPIC \
	  -o $@ $< -ldl

$(BUILD)/bench/%: bench/%.c $(LIBPMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBPMON) $(ALL_LDFLAGS) $(LIBS)

# For tests/e2e/bpf.bats: the iterator claiming the format of an older
# and of a newer pmon (empty files when the backend is not built).
BPF_FIXTURES = $(BPF_DIR)/task_iter_v0.o $(BPF_DIR)/task_iter_v999.o
$(BPF_DIR)/task_iter_v%.o: src/proc/bpf/task_iter.bpf.c $(BPF_DIR)/task_iter.skel.h
	@if [ "$$(cat $(BPF_DIR)/detect)" != yes ]; then : >$@; exit 0; fi; \
	echo "$(BPF_CLANG) -target bpf -DTASK_ITER_VERSION=$* -c -o $@ $<" && \
	$(BPF_CLANG) $(BPF_CFLAGS) -target bpf -DTASK_ITER_VERSION=$* -I$(BPF_DIR) \
	  -Isrc $(CPPFLAGS) -c -o $@.full $< && \
	$(BPFTOOL) gen object $@ $@.full && rm -f $@.full

tests: $(PMON_BIN) $(UNIT_BINS) $(FIX_BINS) $(PRELOAD_LIBS) $(BPF_FIXTURES)

check: tests
	@BUILD=$(BUILD) PMON=$(abspath $(PMON_BIN)) tests/run-all

# libFuzzer targets, one per parser of untrusted text (clang from
# Debian), each started from its seeds in tests/fuzz/corpus/NAME/ and run
# for FUZZ_SECONDS; the sources each needs are on its FUZZ-SOURCES line.
FUZZ_SECONDS ?= 30
# One input that runs longer than this is a finding (libFuzzer's own
# limit, 20 minutes, let a regcomp that never ended hold up CI).
FUZZ_UNIT_SECONDS ?= 10
fuzz: | $(BUILD)/.pkgs-ok
	@for f in $(FUZZ_SRCS); do \
	  name=$$(basename $$f .c); out=$(BUILD)/fuzz/$$name; \
	  mkdir -p $(BUILD)/fuzz/corpus-$$name && \
	  clang -std=gnu11 -D_GNU_SOURCE -Isrc -g -O1 \
	    -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) $(CPPFLAGS) \
	    -o $$out $$f $$(sed -n 's/^.* FUZZ-SOURCES: //p' $$f) $(PKG_LIBS) && \
	  echo "fuzz: $$name for $(FUZZ_SECONDS) s" && \
	  $$out -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=$(FUZZ_UNIT_SECONDS) \
	    $(BUILD)/fuzz/corpus-$$name tests/fuzz/corpus/$${name#fuzz_} \
	    || exit 1; \
	done

# Each planted fault in a scratch copy of the tree, with the tests that
# must catch it (tests/mutants/run says which survived).
mutants:
	@tests/mutants/run

# tests/soak/soak.py says what it does and checks; tests/e2e/soak.bats
# runs it for 25 s inside make check.
SOAK_SECONDS ?= 600
soak: $(PMON_BIN) $(FIX_BINS)
	@$(BUILD)/fixtures/subreaper python3 tests/soak/soak.py --pmon $(PMON_BIN) \
	  --fixtures $(BUILD)/fixtures --seconds $(SOAK_SECONDS) \
	  $(if $(SOAK_SEED),--seed $(SOAK_SEED)) --verbose

# bench-top-live.sh runs the differential test at 10,000 processes.
bench: $(PMON_BIN) $(FIX_BINS) $(BENCH_BINS) $(BUILD)/tests/proc/test_differential
	@BUILD=$(BUILD) PMON=$(abspath $(PMON_BIN)) bench/run

# Idempotent: apt-get runs only when a package is missing, so the README's
# test command can start with it and cost nothing on a prepared machine.
DEB_ALL = $(DEB_BUILD) $(DEB_TEST) $(DEB_BENCH) $(DEB_BPF) $(DEB_PACKAGE)
deps:
	@missing=$$(dpkg-query -W -f='$${Package} $${db:Status-Abbrev}\n' $(DEB_ALL) 2>/dev/null | \
	  awk '$$2 == "ii" {ok[$$1]=1} END {n=split("$(DEB_ALL)", p, " "); \
	  for (i = 1; i <= n; i++) if (!(p[i] in ok)) printf "%s ", p[i]}'); \
	if [ -z "$$missing" ]; then echo "make deps: all packages present"; exit 0; fi; \
	echo "make deps: installing $$missing"; \
	if [ "$$(id -u)" -ne 0 ]; then \
	  command -v sudo >/dev/null || { echo "make deps: run as root (apt-get needs it)" >&2; exit 1; }; \
	  sudo=sudo; fi; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends $$missing

# For tests/e2e/package.bats: the list Build-Depends must agree with.
print-deb-build:
	@echo $(DEB_BUILD)

# For tests/e2e/package.bats: the libraries pmon loads, which
# debian/control must name since dpkg-shlibdeps sees linked ones only.
print-loaded-sonames:
	@echo $(foreach p,$(LOADED_PKGS),$(call soname_of,$(p)))

# Units and examples by glob: whatever systemd/ and examples/ hold is
# installed (units with ExecStart= pointing at this BINDIR).
UNITS    = $(wildcard systemd/*.service systemd/*.socket)
EXAMPLES = $(wildcard examples/*)

install: $(PMON_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(PMON_BIN) $(DESTDIR)$(BINDIR)/pmon
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	./$(PMON_BIN) completion bash >$(DESTDIR)$(BASHCOMPDIR)/pmon
	./$(PMON_BIN) completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_pmon
	./$(PMON_BIN) completion fish >$(DESTDIR)$(FISHCOMPDIR)/pmon.fish
	chmod 644 $(DESTDIR)$(BASHCOMPDIR)/pmon $(DESTDIR)$(ZSHCOMPDIR)/_pmon \
	  $(DESTDIR)$(FISHCOMPDIR)/pmon.fish
ifneq ($(UNITS),)
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in $(UNITS); do \
	  sed 's|/usr/bin/pmon|$(BINDIR)/pmon|g' $$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} && \
	  chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/} || exit 1; done
endif
ifneq ($(EXAMPLES),)
	install -d $(DESTDIR)$(DOCDIR)/examples
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
endif

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pmon $(DESTDIR)$(MANDIR)/man1/pmon.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/pmon $(DESTDIR)$(ZSHCOMPDIR)/_pmon \
	  $(DESTDIR)$(FISHCOMPDIR)/pmon.fish \
	  $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS)))
	rm -rf $(DESTDIR)$(DOCDIR)/examples

# The Debian package: dpkg-buildpackage builds into the parent directory;
# the results are moved to deb/.  (debian/rules clean runs make clean.)
deb:
	dpkg-buildpackage -us -uc -b
	mkdir -p deb
	mv ../pmon_$(VERSION)_*.deb ../pmon-dbgsym_$(VERSION)_*.deb \
	  ../pmon_$(VERSION)_*.buildinfo ../pmon_$(VERSION)_*.changes deb/

clean:
	rm -rf build build-san pmon

.PHONY: all tests check fuzz mutants soak bench deps install uninstall clean deb \
	print-deb-build print-loaded-sonames FORCE
FORCE:

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)
