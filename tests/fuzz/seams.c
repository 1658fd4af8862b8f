// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzz targets' exit seam, output capture, leak accounting and word
 * splitter (fuzz.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sanitizer/allocator_interface.h>
#include <sanitizer/lsan_interface.h>
#include "fuzz.h"
#include "prog.h"

void __real_exit(int status) __attribute__((noreturn));

static jmp_buf *exit_jmp;
static int exit_status;

/* -Wl,--wrap=exit sends every exit() of the code under test here. */
void __wrap_exit(int status)
{
	if (exit_jmp) {
		exit_status = status;
		longjmp(*exit_jmp, 1);
	}
	__real_exit(status);
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	/* Straight to fd 2: stderr may be the capture of a run. */
	va_start(ap, fmt);
	dprintf(2, "fuzz: ");
	vdprintf(2, fmt, ap);
	dprintf(2, "\n");
	va_end(ap);
	abort();
}

/*
 * Leaks.  A run that ends in exit() leaves behind what it had allocated,
 * as the tool's process would at its end: that is not a leak.  A run that
 * returns must free everything.  So the allocations of a run are tracked
 * (malloc and free hooks, into an open-addressing set that a new
 * generation empties), and after the run what is left is either forgiven
 * (exit: LSan is told to ignore each object) or checked (return: if
 * anything is left, LSan looks for what is unreachable, and a leak fails
 * the run).  libFuzzer's own leak check, which cannot tell the two apart,
 * stays off (-detect_leaks=0, scripts/run-fuzz).
 *
 * LSan takes any word in memory that looks like a pointer for one, so the
 * set keeps its pointers disguised, and the stack the run used is wiped
 * before a check.
 */
#define LIVE_BITS	18
#define LIVE_SLOTS	(1u << LIVE_BITS)
#define DISGUISE	0xa5a5a5a5a5a5a5a5ull

struct live_slot {
	uintptr_t key;			/* pointer ^ DISGUISE; 0: a hole */
	unsigned int gen;		/* another generation's slot is empty */
};

static struct live_slot live[LIVE_SLOTS];
static unsigned int live_gen = 1;
static size_t live_n;
static bool tracking;

static uintptr_t live_key(const volatile void *p)
{
	return (uintptr_t)p ^ DISGUISE;
}

static size_t live_hash(uintptr_t key)
{
	return (size_t)(key * 0x9e3779b97f4a7c15ull >> (64 - LIVE_BITS));
}

static void on_malloc(const volatile void *p, size_t size)
{
	uintptr_t key = live_key(p);
	size_t i, n;

	(void)size;
	if (!tracking || !p)
		return;
	for (i = live_hash(key), n = 0; n < LIVE_SLOTS; i = (i + 1) % LIVE_SLOTS, n++) {
		if (live[i].gen != live_gen || !live[i].key) {
			live[i].key = key;
			live[i].gen = live_gen;
			live_n++;
			return;
		}
	}
	fuzz_fail("more than %u allocations live in one run", LIVE_SLOTS);
}

static void untrack(const volatile void *p)
{
	uintptr_t key = live_key(p);
	size_t i, n;

	if (!p)
		return;
	for (i = live_hash(key), n = 0; n < LIVE_SLOTS; i = (i + 1) % LIVE_SLOTS, n++) {
		if (live[i].gen != live_gen)
			return;
		if (live[i].key == key) {
			live[i].key = 0;
			live_n--;
			return;
		}
	}
}

static void on_free(const volatile void *p)
{
	if (tracking)
		untrack(p);
}

static __attribute__((noinline)) void scrub_stack(void)
{
	volatile char pad[256 * 1024];
	size_t i;

	for (i = 0; i < sizeof(pad); i++)
		pad[i] = 0;
}

/* After a run: forgive (@exited) or check what it left allocated. */
static void live_settle(bool exited)
{
	size_t i;

	if (live_n && exited) {
		for (i = 0; i < LIVE_SLOTS; i++)
			if (live[i].gen == live_gen && live[i].key)
				__lsan_ignore_object((const void *)(live[i].key ^ DISGUISE));
	} else if (live_n) {
		scrub_stack();
		if (__lsan_do_recoverable_leak_check())
			fuzz_fail("a run that returned leaked memory (LeakSanitizer's report above)");
	}
	live_n = 0;
	live_gen++;
}

int fuzz_call_main(void *ctx)
{
	struct fuzz_main *m = ctx;

	return m->main(m->argc, m->argv);
}

int fuzz_run(int (*fn)(void *), void *ctx, const char *prog, const char **err)
{
	static char *errbuf;
	static FILE *devnull;
	static bool hooked;
	FILE *real_out = stdout, *real_err = stderr;
	size_t errlen = 0;
	jmp_buf jb;
	volatile int status;
	volatile bool exited = false;

	if (!hooked) {
		if (!__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free))
			fuzz_fail("cannot install malloc hooks");
		/*
		 * With TZ unset glibc's localtime() replaces its copy of the
		 * zone's name on every call: memory left in every run.
		 */
		setenv("TZ", "UTC", 1);
		hooked = true;
	}
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		fuzz_fail("/dev/null: %m");
	free(errbuf);
	errbuf = NULL;
	stderr = open_memstream(&errbuf, &errlen);
	if (!stderr)
		fuzz_fail("open_memstream: %m");
	stdout = devnull;
	/* getopt starts afresh; restore counts lines from 0. */
	optind = 0;
	moat_input_line = 0;
	moat_self = moat_prog_find(prog);
	if (!moat_self)
		fuzz_fail("no program %s", prog);
	tracking = true;
	if (setjmp(jb) == 0) {
		exit_jmp = &jb;
		status = fn(ctx);
	} else {
		status = exit_status;
		exited = true;
	}
	exit_jmp = NULL;
	/* The process is gone: the kernel drops its sockets. */
	fake_kernel_exit();
	fflush(devnull);
	fclose(stderr);
	/* The capture is the harness's, kept until the next run. */
	untrack(errbuf);
	tracking = false;
	live_settle(exited);
	stderr = real_err;
	stdout = real_out;
	*err = errbuf ? errbuf : "";
	/* FUZZ_SHOW=1 when replaying: what the tool said, and its status. */
	if (getenv("FUZZ_SHOW"))
		fprintf(stderr, "%s[exit status %d]\n", *err, status);
	return status;
}

int fuzz_split(const uint8_t *data, size_t size, char **argv, int max)
{
	static char *buf;
	char *out;
	size_t i = 0;
	int argc = 0;
	char quote;

	free(buf);
	buf = malloc(size + 1);
	if (!buf)
		fuzz_fail("out of memory");
	out = buf;
	while (argc < max) {
		while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n'))
			i++;
		if (i == size)
			break;
		argv[argc++] = out;
		for (quote = 0; i < size && (quote || (data[i] != ' ' && data[i] != '\t' &&
						       data[i] != '\n')); i++) {
			if (!quote && data[i] == '"')
				quote = '"';
			else if (quote && data[i] == '"')
				quote = 0;
			else if (data[i])
				*out++ = data[i];
		}
		*out++ = '\0';
	}
	argv[argc] = NULL;
	return argc;
}
