/* SPDX-License-Identifier: GPL-2.0 */
/* moat: one rule as the tool holds it, and its MOAT_A_RULE form. */
#ifndef MOAT_RULE_H
#define MOAT_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/moat.h>

struct moat_ext;

struct moat_match {
	const struct moat_ext *ext;	/* NULL: unknown to this tool */
	char name[MOAT_NAME_LEN];
	void *data;			/* ext->size bytes */
	unsigned int seen;		/* parser's record of options given */
};

enum moat_target_type {
	MOAT_TARGET_NONE,	/* no -j: counters only */
	MOAT_TARGET_VERDICT,	/* ACCEPT, DROP, RETURN */
	MOAT_TARGET_JUMP,	/* -j user chain */
	MOAT_TARGET_GOTO,	/* -g user chain */
	MOAT_TARGET_EXT,	/* -j REJECT, LOG, ...: an extension */
};

struct moat_rule {
	uint32_t src, src_mask, dst, dst_mask;	/* network byte order */
	char iif[IFNAMSIZ], oif[IFNAMSIZ];	/* "" = any; "eth+" prefix */
	uint16_t proto;				/* 0 = all */
	uint32_t flags;				/* MOAT_RULE_F_* */
	uint32_t inv;				/* MOAT_INV_* */

	struct moat_match *matches;		/* in command-line order */
	size_t n_matches;

	enum moat_target_type target;
	uint32_t verdict;			/* MOAT_VERDICT_*, VERDICT */
	char chain[MOAT_NAME_LEN];		/* JUMP, GOTO; EXT: its name */
	const struct moat_ext *text;		/* EXT; NULL: unknown to us */
	void *tdata;				/* EXT: text->size bytes */
	unsigned int tseen;			/* parser's record of options */

	bool has_counters;			/* -c given, or from a dump */
	uint64_t packets, bytes;
};

/* A rule matching everything, no target. NULL on ENOMEM. */
struct moat_rule *moat_rule_alloc(void);
void moat_rule_free(struct moat_rule *r);
/* A deep copy, NULL on ENOMEM. */
struct moat_rule *moat_rule_clone(const struct moat_rule *r);

/* Appends a match of @ext, initialised; NULL on ENOMEM. */
struct moat_match *moat_rule_add_match(struct moat_rule *r,
				       const struct moat_ext *ext);

/* Makes the rule's target an extension, initialised; -ENOMEM. */
int moat_rule_set_target(struct moat_rule *r, const char *name,
			 const struct moat_ext *ext);

/* "ACCEPT", "DROP", "RETURN"; NULL for anything else. */
const char *moat_verdict_name(uint32_t verdict);
/* The MOAT_VERDICT_* of a name, MOAT_VERDICT_UNSPEC if none. */
uint32_t moat_verdict_parse(const char *name);
/* The target as iptables names it in -L: verdict, chain or extension. */
const char *moat_rule_target_name(const struct moat_rule *r);

/*
 * Puts the MOAT_A_RULE nest into @nlh, a buffer of @buflen bytes;
 * MOAT_A_RULE_COUNTERS only if r->has_counters.  0 or -EMSGSIZE.
 */
int moat_rule_encode(struct nlmsghdr *nlh, size_t buflen,
		     const struct moat_rule *r);

/*
 * Decodes a MOAT_A_RULE nest into a new rule.  Unknown attributes are
 * skipped; malformed ones give -EINVAL.  0 or -errno.
 */
int moat_rule_decode(const struct nlattr *rule_nest, struct moat_rule **out);

#endif
