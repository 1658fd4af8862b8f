/* SPDX-License-Identifier: GPL-2.0 */
/* moat: iptables -L and -S output, byte for byte. */
#ifndef MOAT_PRINT_H
#define MOAT_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/moat.h>
#include "rule.h"

struct moat_chain_info {
	char name[MOAT_NAME_LEN];
	bool builtin;
	uint32_t policy;		/* MOAT_VERDICT_*, built-in chains */
	uint64_t packets, bytes;	/* the policy's counters */
	uint32_t refs;			/* user chains: rules jumping to it */
	struct moat_rule **rules;
	size_t n_rules;
};

/*
 * Both printers take the chains in kernel order (built-in chains in hook
 * order, user chains in any order) and print them as iptables does:
 * built-in chains first, then user chains sorted by strcmp().  @chain NULL
 * is every chain; @rulenum 0 is every rule; @opts are parse.h's OPT_*
 * (OPT_NUMERIC, OPT_VERBOSE, OPT_EXACT, OPT_LINE_NUMBERS).
 * Return 0, or -ENOENT if @chain is not there (iptables: "No
 * chain/target/match by that name.", exit 1) after printing nothing.
 */
/*
 * Pieces of a saved rule without printf's format parsing: a save of
 * 100000 rules spent a fifth of its time in vfprintf.
 */
void moat_put_uint(FILE *f, unsigned long long v);
void moat_put_addr(FILE *f, uint32_t addr);	/* network order, dotted */

int moat_print_list(FILE *f, const struct moat_chain_info *chains, size_t n,
		    const char *chain, unsigned int rulenum, unsigned int opts);
int moat_print_rules(FILE *f, const struct moat_chain_info *chains, size_t n,
		     const char *chain, unsigned int rulenum,
		     unsigned int opts);

/*
 * The chains in iptables' order, NULL-terminated; free() it.  NULL on
 * ENOMEM.
 */
const struct moat_chain_info **
moat_chains_sorted(const struct moat_chain_info *chains, size_t n);

/* "host", "net/24", "a.b.c.d/255.0.255.0": an address as matches show it. */
const char *moat_addr_mask_str(uint32_t addr, uint32_t mask, bool numeric);

/* One "-A chain ..." line; @counters adds " -c pkts bytes" as -S -v. */
void moat_print_rule_save(FILE *f, const char *chain,
			  const struct moat_rule *r, bool counters);

/* The line iptables -v prints for each rule -A/-I/-D/-R/-C acts on. */
void moat_print_rule_verbose(FILE *f, const struct moat_rule *r);

#endif
