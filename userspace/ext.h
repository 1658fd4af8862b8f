/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moat: match and target extensions.  Each is one unit: its options, how
 * it parses them, how it prints itself in both iptables forms, and how it
 * travels over netlink.  Adding one is adding a file and a line in ext.c.
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
	const char *name;	/* as after -m or -j; MOAT_A_MATCH/TARGET_NAME */
	const char *list_name;	/* a target's -L column if not @name (NOTRACK) */
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
	/* Like final_check, for checks that need the values. May be NULL. */
	void (*check)(unsigned int seen, void *data);
	/*
	 * Told the rule's -p before each option is parsed and before -L
	 * prints, for matches and targets whose words depend on it. May be
	 * NULL.
	 */
	void (*set_proto)(void *data, uint16_t proto, bool invert);
	/* " --dport 22": the -S / save form, after " -m name". */
	void (*print_save)(FILE *f, const void *data);
	/* " tcp dpt:ssh": the -L form (a target's after the matches'). */
	void (*print_list)(FILE *f, const void *data, bool numeric);
	/* Puts the attributes (inside MOAT_A_MATCH_DATA or _TARGET_DATA). */
	int (*encode)(struct nlmsghdr *nlh, size_t buflen, const void *data);
	/* Reads the DATA nest; unknown attributes are skipped. */
	int (*decode)(const struct nlattr *nest, void *data);
};

extern const struct moat_ext moat_ext_tcp;
extern const struct moat_ext moat_ext_udp;
extern const struct moat_ext moat_ext_icmp;
extern const struct moat_ext moat_ext_state;
extern const struct moat_ext moat_ext_conntrack;
extern const struct moat_ext moat_ext_owner;

extern const struct moat_ext moat_ext_multiport, moat_ext_limit,
	moat_ext_mark, moat_ext_comment, moat_ext_iprange, moat_ext_addrtype,
	moat_ext_mac, moat_ext_length, moat_ext_ttl, moat_ext_tos,
	moat_ext_dscp, moat_ext_recent, moat_ext_statistic, moat_ext_connmark;

/* The match called @name (case-sensitive, as iptables), or NULL. */
const struct moat_ext *moat_ext_find(const char *name);

/* The match -p @proto loads implicitly, or NULL. */
const struct moat_ext *moat_ext_by_proto(uint16_t proto);

extern const struct moat_ext moat_ext_reject;
extern const struct moat_ext moat_ext_log;
extern const struct moat_ext moat_ext_snat, moat_ext_dnat,
	moat_ext_masquerade, moat_ext_redirect;
extern const struct moat_ext moat_ext_mark_t, moat_ext_connmark_t;
extern const struct moat_ext moat_ext_tos_t, moat_ext_dscp_t, moat_ext_ttl_t;
extern const struct moat_ext moat_ext_ct, moat_ext_notrack;

/* The target extension -j @name loads (case-sensitive), or NULL. */
const struct moat_ext *moat_target_find(const char *name);

/*
 * Helpers shared by the extensions.
 */

/* iptables' xtables_strtoui: whole string, base 0, no sign, in [min,max]. */
bool moat_strtoui(const char *s, unsigned int *val, unsigned int min,
		  unsigned int max);

/* Reads a whole nest with @attr, one attribute at a time; its first error. */
int moat_attr_each(const struct nlattr *nest, void *data,
		   int (*attr)(const struct nlattr *a, void *data));

/* Puts flag attribute @type if @set; false if the message is full. */
bool moat_attr_put_flag(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
			bool set);

/* Copies a validated attribute into a u8/u16 field; -EINVAL if malformed. */
int moat_attr_u8(const struct nlattr *a, uint8_t *v);
int moat_attr_u16(const struct nlattr *a, uint16_t *v);
int moat_attr_u32(const struct nlattr *a, uint32_t *v);

/*
 * iptables' own option parser (xtoptions.c), for the extensions that use
 * it.  A rule per option id: the first of an id names it in messages.
 * @seen holds a bit per id given.
 */
struct moat_xt_rule {
	const char *name;
	int id;
	unsigned int excl, also;	/* bits of ids */
	bool invert, mand;
};

/* The rule of @id (the table's end if none). */
const struct moat_xt_rule *moat_xt_rule(const struct moat_xt_rule *t, int id);
/* Before parsing option @id: "only once", "cannot be inverted". */
void moat_xt_opt(const char *ext, const struct moat_xt_rule *t, int id,
		 bool invert, unsigned int *seen);
/* After the command line: mandatory, exclusive and required options. */
void moat_xt_fcheck(const char *ext, const struct moat_xt_rule *t,
		    unsigned int seen);
/* xtables_strtoul: base 0, no sign; @end NULL: nothing may follow. */
bool moat_xt_strtoul(const char *s, char **end, uintmax_t *v, uintmax_t min,
		     uintmax_t max);
/* An integer option, or iptables' "bad value" message. */
uint32_t moat_xt_uint(const char *ext, const char *opt, const char *arg,
		      uintmax_t min, uintmax_t max);
/* "a", "a:b", ":b", "a:" up to @max; returns how many were given. */
unsigned int moat_xt_range(const char *ext, const char *opt, const char *arg,
			   uintmax_t max, uint32_t vals[2]);
/* XTTYPE_MARKMASK32: "value[/mask]", mask 0xffffffff if not given. */
void moat_xt_markmask(const char *ext, const char *opt, const char *arg,
		      uint32_t *value, uint32_t *mask);
/*
 * XTTYPE_TOSMASK: "value[/mask]" (mask 0xff if not given) or one of the
 * TOS names, whose mask is @name_mask.
 */
void moat_xt_tosmask(const char *arg, uint8_t name_mask, uint8_t *value,
		     uint8_t *mask);
/* The TOS name of @value ("Minimize-Delay", ...), or NULL. */
const char *moat_tos_name(uint8_t value);
/* A DiffServ class name ("EF", "AF11", ...) as its DSCP; dies if unknown. */
uint8_t moat_dscp_class(const char *name);
/* xtables_save_string: " word" or " \"quoted\"". */
void moat_xt_save_string(FILE *f, const char *s);
/* A dotted quad, maybe short ("10.1" is 10.1.0.0); network order. */
bool moat_xt_dotted(const char *s, uint32_t *out);
/* Dotted quad of a network-order address (4 rotating buffers). */
const char *moat_xt_ntoa(uint32_t addr);

#endif
