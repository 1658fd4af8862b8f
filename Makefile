# SPDX-License-Identifier: GPL-2.0
# moat: `make` builds moat.ko and the moat tool; `make check` sets up and tests.

VERSION := $(shell cat VERSION)

# The newest installed kernel that has headers, preferring kernels whose
# image is in /boot over headers-only ones (other flavours); override with
# KVER= or KDIR=.
KVER ?= $(shell cd /lib/modules 2>/dev/null && for v in $$(ls | sort -V); do \
	  [ -e $$v/build/Makefile ] || continue; \
	  if [ -e /boot/vmlinuz-$$v ]; then echo "1 $$v"; else echo "0 $$v"; fi; \
	  done | sort -s -n -k1,1 | tail -n 1 | cut -d' ' -f2)
KDIR ?= /lib/modules/$(KVER)/build

B := build
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Iinclude/uapi \
	  -DMOAT_VERSION='"$(VERSION)"' $(shell pkg-config --cflags libmnl)
LDLIBS := $(shell pkg-config --libs libmnl)

LIB_SRCS := $(filter-out userspace/main.c,$(wildcard userspace/*.c))
LIB_OBJS := $(LIB_SRCS:userspace/%.c=$(B)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/*.c)
PROG_NAMES := moat moat-save moat-restore iptables iptables-save iptables-restore

.PHONY: all module tool unit check check-unit check-vm vm deps clean bench \
	check-debug check-debug-ci vm-debug deps-debug
all: module tool

module:
	@test -n "$(KVER)" || { echo "no kernel headers found: run scripts/install-deps or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool: $(B)/bin/moat

$(B)/obj/%.o: userspace/%.c $(wildcard userspace/*.h) include/uapi/linux/moat.h VERSION
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libmoat.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(B)/bin/moat: $(B)/obj/main.o $(B)/libmoat.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	@for n in $(filter-out moat,$(PROG_NAMES)); do ln -sf moat $(@D)/$$n; done

unit: $(B)/unit/check_moat

$(B)/unit/check_moat: $(UNIT_SRCS) $(wildcard tests/unit/*.h) $(B)/libmoat.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuserspace -o $@ $(UNIT_SRCS) $(B)/libmoat.a \
		$(LDLIBS) $(shell pkg-config --libs check)

deps:
	@scripts/install-deps

check: deps
	@$(MAKE) --no-print-directory all unit $(B)/man/ext-opts fuzz-build
	@scripts/run-checks

check-unit: unit
	$(B)/unit/check_moat

check-vm: all
	scripts/vm-run $(TESTS)

vm: deps
	@$(MAKE) --no-print-directory all
	scripts/vm-run --shell

# The debug-kernel lane (scripts/check-debug): the VM suite on a 6.1 kernel
# with KASAN, lockdep, RCU checking and kmemleak, built once from Debian's
# linux-source-6.1 and tests/vm/debug.config and cached for the machine in
# ~/.cache/moat/debug-kernel; moat.ko is built against it in
# build/debug/mod. TESTS="a b" runs some; DEBUG_CI_TESTS are CI's.
deps-debug:
	@scripts/install-deps debug

check-debug: deps-debug
	@$(MAKE) --no-print-directory tool
	@scripts/check-debug $(TESTS)

# CI's share of the lane (.ci/run, after make check): the tests that take
# the module through its packet path, its index, conntrack, NAT (and rmmod
# with live connections), limits, namespaces, changes under traffic and
# load/unload cycles, the paged rule lists; the whole suite (make check-debug) takes 40 minutes
# or more here, t-diff and t-parity half of it.
DEBUG_CI_TESTS := ping-tcp conntrack classify nat limits permission churn \
	teardown pages

check-debug-ci: deps-debug
	@$(MAKE) --no-print-directory tool
	@VM_TIMEOUT=$${VM_TIMEOUT:-2400} scripts/check-debug $(DEBUG_CI_TESTS)

vm-debug: deps-debug
	@$(MAKE) --no-print-directory tool
	scripts/check-debug --shell

empty :=
space := $(empty) $(empty)

# The benchmark (tests/bench/bench.py), one VM run: the table is printed
# and written to docs/benchmarks.md. A quick one (BENCH_SIZES="0 1 100",
# BENCH_FIREWALLS="moat legacy") leaves it in build/vm/out/benchmarks.md.
# The guest's clock counts its instructions (-icount, one CPU: qemu 7.2
# does not bring up a second CPU in that mode), so its packets per second
# measure what each packet costs, not how busy this machine is.
BENCH_QEMU := -icount shift=3,sleep=on
BENCH_APPEND := moatvm.bench_sizes=$(subst $(space),:,$(BENCH_SIZES))
BENCH_APPEND += moatvm.bench_firewalls=$(subst $(space),:,$(BENCH_FIREWALLS))
bench: deps
	@$(MAKE) --no-print-directory all
	VM_TIMEOUT=7200 VM_SMP=1 VM_QEMU_OPTS="$(BENCH_QEMU)" \
		VM_APPEND="$(BENCH_APPEND)" scripts/vm-run bench
ifeq ($(BENCH_SIZES)$(BENCH_FIREWALLS),)
	cp build/vm/out/benchmarks.md docs/benchmarks.md
	@echo "bench: docs/benchmarks.md written"
else
	@echo "bench: a partial run, left in build/vm/out/benchmarks.md"
endif

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(B)

include packaging.mk
include fuzz.mk
