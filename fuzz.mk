# SPDX-License-Identifier: GPL-2.0
# Fuzzing: the userspace parsers under libFuzzer with ASan and UBSan
# (tests/fuzz/), and the module's netlink family in the VM (t-nlfuzz).
#
#   make check-fuzz     each userspace target for 20 s (make check runs it)
#   make fuzz           each for FUZZ_TIME seconds (default 600), then
#                       t-nlfuzz in the VM for FUZZ_TIME seconds
#
# Findings are kept in build/fuzz/crashes/, the growing corpus in
# build/fuzz/corpus/; scripts/run-fuzz says how to replay one.

FUZZ_CC ?= clang
FUZZ_TIME ?= 600
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-Iinclude/uapi -Iuserspace -DMOAT_VERSION='"$(VERSION)"' \
	$(shell pkg-config --cflags libmnl) $(FUZZ_SAN)
# The seams of tests/fuzz/fuzz.h: exit() and libmnl's socket calls.
FUZZ_WRAPS := exit recv mnl_socket_open mnl_socket_bind mnl_socket_setsockopt \
	mnl_socket_get_portid mnl_socket_get_fd mnl_socket_close \
	mnl_socket_sendto mnl_socket_recvfrom
FUZZ_LDFLAGS := $(foreach w,$(FUZZ_WRAPS),-Wl,--wrap=$(w))
FUZZ_TARGETS := $(B)/fuzz/fuzz_cli $(B)/fuzz/fuzz_restore $(B)/fuzz/fuzz_dump
FUZZ_OBJS := $(LIB_SRCS:userspace/%.c=$(B)/fuzz/obj/%.o)
FUZZ_COMMON := tests/fuzz/seams.c tests/fuzz/fake_kernel.c

.PHONY: fuzz fuzz-build check-fuzz
.SECONDARY: $(FUZZ_OBJS)

$(B)/fuzz/obj/%.o: userspace/%.c $(wildcard userspace/*.h) include/uapi/linux/moat.h VERSION
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_LDFLAGS) -o $@ \
		$< $(FUZZ_COMMON) $(FUZZ_OBJS) $(LDLIBS)

fuzz-build: $(FUZZ_TARGETS)

check-fuzz: fuzz-build
	scripts/run-fuzz 20

# The VM run gets its time limit scaled to the budget (t-nlfuzz asks for
# 300 s at its 60 s default).
fuzz: deps fuzz-build
	@$(MAKE) --no-print-directory all
	scripts/run-fuzz $(FUZZ_TIME)
	VM_TIMEOUT_SCALE=$$(( $(FUZZ_TIME) / 120 + 2 )) \
	VM_TIMEOUT=$$(( $(FUZZ_TIME) * 3 + 600 )) \
	VM_APPEND="moatvm.fuzz_time=$(FUZZ_TIME) $(if $(FUZZ_SEED),moatvm.fuzz_seed=$(FUZZ_SEED))" \
		scripts/vm-run nlfuzz
