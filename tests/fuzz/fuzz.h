/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace fuzz targets' seams, linked only into build/fuzz/:
 *
 * exit: the tool exits on every parameter problem, as iptables does.  The
 * targets link with -Wl,--wrap=exit, so that an exit() inside the code
 * under test jumps back to the target (fuzz_run) instead of ending the
 * fuzzer.  What a run that exits leaves allocated is forgiven, as the
 * end of a process; a run that returns must have freed everything
 * (seams.c).
 *
 * The kernel: the targets also wrap libmnl's socket calls and recv(), and
 * answer them from a fake module (fake_kernel.c) that checks every request
 * the tool sends is well-formed netlink that the real module's policies
 * would parse, and that a restore keeps to the transaction protocol.
 */
#ifndef MOAT_FUZZ_H
#define MOAT_FUZZ_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Runs @fn(@ctx) as program @prog ("moat", "iptables-restore", ...) with
 * exit() caught, stdout thrown away and stderr captured; returns the exit
 * status (fn's return value, or what it passed to exit()).  The captured
 * stderr is in *@err (NUL-terminated, valid until the next run).
 */
int fuzz_run(int (*fn)(void *), void *ctx, const char *prog, const char **err);

/* For fuzz_run: a program's main. */
struct fuzz_main {
	int (*main)(int argc, char **argv);
	int argc;
	char **argv;
};
int fuzz_call_main(void *fuzz_main);

/* Dies with a message when the tool broke a promise (a "crash" to libFuzzer). */
void fuzz_fail(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/*
 * Splits @data as iptables-restore splits a line: blanks separate, double
 * quotes group.  Returns argc; argv and its strings live until the next
 * call.  At most @max words.
 */
int fuzz_split(const uint8_t *data, size_t size, char **argv, int max);

/*
 * The fake module: from now on the @fail_at'th request fails (0: none),
 * and fake_kernel_refused() says whether one did; with @in_txn, a change
 * outside a transaction is a failure of the tool.
 */
void fake_kernel_reset(unsigned int fail_at, bool in_txn);
bool fake_kernel_refused(void);
/* The tool's process ended: its sockets are closed, transactions aborted. */
void fake_kernel_exit(void);
/* Checks one MOAT_A_RULE nest as the module's policies would parse it. */
void fake_check_rule(const void *nest, size_t len);

#endif
