/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moat: match extensions.  A match is one unit: its options, how it parses
 * them, how it prints itself in both iptables forms, and how it travels
 * over netlink.  Adding a match is adding a file and a line in ext.c.
 */
#ifndef MOAT_EXT_H
#define MOAT_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <libmnl/libmnl.h>

struct moat_ext_opt {
	const char *name;	/* long option without "--" */
	int has_arg;		/* no_argument or required_argument */
	int id;			/* handed back to parse() */
};

struct moat_ext {
	const char *name;	/* as after -m, and MOAT_A_MATCH_NAME */
	uint8_t proto;		/* -p with this protocol loads it implicitly */
	size_t size;		/* of the private data */
	const struct moat_ext_opt *opts;	/* ends with a NULL name */

	/* Sets the defaults of freshly allocated (zeroed) data. */
	void (*init)(void *data);
	/*
	 * Parses option @id with argument @arg into @data; @seen is this
	 * match instance's record of options given.  Options that take more
	 * than one word consume them from argv at getopt's optind.  Dies with
	 * iptables' message on bad input.
	 */
	void (*parse)(int id, const char *arg, bool invert, unsigned int *seen,
		      void *data, int argc, char **argv);
	/* Called once the command line is read; may die. May be NULL. */
	void (*final_check)(unsigned int seen);
	/* " --dport 22": the -S / save form, after " -m name". */
	void (*print_save)(FILE *f, const void *data);
	/* " tcp dpt:ssh": the -L form. */
	void (*print_list)(FILE *f, const void *data, bool numeric);
	/* Puts the match's attributes (inside MOAT_A_MATCH_DATA). */
	int (*encode)(struct nlmsghdr *nlh, size_t buflen, const void *data);
	/* Reads MOAT_A_MATCH_DATA; unknown attributes are skipped. */
	int (*decode)(const struct nlattr *nest, void *data);
};

extern const struct moat_ext moat_ext_tcp;
extern const struct moat_ext moat_ext_udp;
extern const struct moat_ext moat_ext_icmp;

/* The match called @name (case-sensitive, as iptables), or NULL. */
const struct moat_ext *moat_ext_find(const char *name);

/* The match -p @proto loads implicitly, or NULL. */
const struct moat_ext *moat_ext_by_proto(uint16_t proto);

/*
 * Helpers shared by the extensions.
 */

/* iptables' xtables_strtoui: whole string, base 0, no sign, in [min,max]. */
bool moat_strtoui(const char *s, unsigned int *val, unsigned int min,
		  unsigned int max);

/* Copies a validated attribute into a u8/u16 field; -EINVAL if malformed. */
int moat_attr_u8(const struct nlattr *a, uint8_t *v);
int moat_attr_u16(const struct nlattr *a, uint16_t *v);
int moat_attr_u32(const struct nlattr *a, uint32_t *v);

#endif
