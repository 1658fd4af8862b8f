// SPDX-License-Identifier: GPL-2.0
/* moat: which program we are, and how we report errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "prog.h"

int moat_cli_main(int argc, char **argv);
int moat_save_main(int argc, char **argv);
int moat_restore_main(int argc, char **argv);

static const struct moat_prog progs[] = {
	{ "moat", moat_cli_main, false },
	{ "moat-save", moat_save_main, false },
	{ "moat-restore", moat_restore_main, false },
	{ "iptables", moat_cli_main, true },
	{ "iptables-save", moat_save_main, true },
	{ "iptables-restore", moat_restore_main, true },
};

unsigned int moat_input_line;

const struct moat_prog *moat_self = &progs[0];

const struct moat_prog *moat_prog_find(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	size_t i;

	base = base ? base + 1 : argv0;
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (strcmp(base, progs[i].name) == 0)
			return &progs[i];
	return NULL;
}

const char *moat_banner(void)
{
	static char banner[64];

	snprintf(banner, sizeof(banner), "%s v%s", moat_self->name,
		 moat_self->iptables ? "1.8.9 (moat " MOAT_VERSION ")" :
				       MOAT_VERSION);
	return banner;
}

static void vreport(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", moat_banner());
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void moat_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(status);
}

void *moat_xalloc(void *p)
{
	if (!p)
		moat_die(MOAT_RESOURCE_PROBLEM, "can't allocate memory");
	return p;
}

void moat_try_help(void)
{
	if (moat_input_line)
		fprintf(stderr, "Error occurred at line: %u\n", moat_input_line);
	fprintf(stderr, "Try `%s -h' or '%s --help' for more information.\n",
		moat_self->name, moat_self->name);
	exit(MOAT_PARAMETER_PROBLEM);
}

void moat_param_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	moat_try_help();
}
