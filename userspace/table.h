/* SPDX-License-Identifier: GPL-2.0 */
/* moat: a table as the kernel dumps it: chains, then their rules. */
#ifndef MOAT_TABLE_H
#define MOAT_TABLE_H

#include "nl.h"
#include "print.h"

struct moat_table_dump {
	struct moat_chain_info *chains;	/* in the kernel's order */
	size_t n;
	bool interrupted;		/* changed while dumping: retry */
};

/* Dumps @table into @d, retrying while it changes. 0 or -errno. */
int moat_table_fetch(struct moat_nl *nl, const char *table,
		     struct moat_table_dump *d);
void moat_table_dump_free(struct moat_table_dump *d);
struct moat_chain_info *moat_table_chain(struct moat_table_dump *d,
					 const char *name);

/* Decodes one dump message into @d; an mnl callback. */
int moat_table_parse_msg(const struct nlmsghdr *nlh, void *d);

/* Asks for one chain: 1 if @table has it, 0 if not, or -errno. */
int moat_chain_exists(struct moat_nl *nl, const char *table,
		      const char *chain);

#endif
