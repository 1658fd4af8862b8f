/* SPDX-License-Identifier: GPL-2.0 */
/* moat: which program we are, and how we report errors. */
#ifndef MOAT_PROG_H
#define MOAT_PROG_H

#include <stdbool.h>

/* iptables' exit codes. */
enum {
	MOAT_OTHER_PROBLEM = 1,
	MOAT_PARAMETER_PROBLEM = 2,
	MOAT_VERSION_PROBLEM = 3,
	MOAT_RESOURCE_PROBLEM = 4,
};

typedef int (*moat_main_fn)(int argc, char **argv);

struct moat_prog {
	const char *name;	/* the name we were run under */
	moat_main_fn main;
	bool iptables;		/* run as an iptables name: behave as it */
};

/* Finds the program for the basename of @argv0, NULL if unknown. */
const struct moat_prog *moat_prog_find(const char *argv0);

/* The program now running; set once by main(). */
extern const struct moat_prog *moat_self;

/* "moat v0.1.0" or, run as iptables, iptables' own banner. */
const char *moat_banner(void);

/* Prints "<banner>: <message>" and exits with @status. */
void moat_die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* @p, or on NULL (an allocation failed) iptables' resource problem exit. */
void *moat_xalloc(void *p);

/* The input line being read (restore), 0 on the command line. */
extern unsigned int moat_input_line;

/* iptables' hint, after "Error occurred at line: N" in a restore. */
void moat_try_help(void) __attribute__((noreturn));

/* As moat_die with MOAT_PARAMETER_PROBLEM, plus iptables' help hint. */
void moat_param_die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#endif
