// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: moat-restore (and iptables-restore) reading a file,
 * against the fake module of fake_kernel.c.  The input is the file; a
 * first line "#: WORDS" (a comment to restore itself) adds command-line
 * options, "iptables" runs it as iptables-restore, and "fail=N" makes the
 * module refuse the N-th request.
 *
 * Beyond not crashing (ASan, UBSan) and the fake module's protocol
 * checks (a table changes whole, in one transaction, or not at all): a
 * failure exits with a message and one of iptables' statuses, and a
 * request the module refused fails the restore.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"

#define MAX_WORDS 16

int moat_restore_main(int argc, char **argv);

/* The options line: only options and the words they take, no file names. */
static int options(const uint8_t *data, size_t size, char **argv, unsigned int *fail)
{
	char *words[MAX_WORDS + 1];
	const uint8_t *end;
	int n, i, argc = 1;
	bool takes_arg = false;

	argv[0] = "moat-restore";
	*fail = 0;
	if (size < 2 || memcmp(data, "#:", 2))
		return argc;
	end = memchr(data, '\n', size);
	n = fuzz_split(data + 2, (end ? end : data + size) - data - 2, words, MAX_WORDS);
	for (i = 0; i < n; i++) {
		if (!strcmp(words[i], "iptables")) {
			argv[0] = "iptables-restore";
		} else if (!strncmp(words[i], "fail=", 5)) {
			*fail = strtoul(words[i] + 5, NULL, 10);
		} else if (words[i][0] == '-' || takes_arg) {
			argv[argc++] = words[i];
			takes_arg = !strcmp(words[i], "-T") || !strcmp(words[i], "--table") ||
				    !strcmp(words[i], "-W") || !strcmp(words[i], "-M");
			continue;
		}
		takes_arg = false;
	}
	argv[argc] = NULL;
	return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 2];
	struct fuzz_main m = { moat_restore_main, 0, argv };
	FILE *real_in = stdin;
	unsigned int fail;
	const char *err;
	int argc, status;

	/* The file comes on stdin, which restore reads when given none. */
	stdin = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!stdin)
		fuzz_fail("fmemopen: %m");
	argc = options(data, size, argv, &fail);
	fake_kernel_reset(fail, true);
	m.argc = argc;
	status = fuzz_run(fuzz_call_main, &m, argv[0], &err);
	fclose(stdin);
	stdin = real_in;
	if (status && !err[0])
		fuzz_fail("exit status %d without a message", status);
	if (status < 0 || status > 4 || status == 3)
		fuzz_fail("exit status %d: %s", status, err);
	if (!status && fake_kernel_refused())
		fuzz_fail("the module refused a request and the restore succeeded");
	return 0;
}
