// SPDX-License-Identifier: GPL-2.0
/* moat: the registry of match types.  A new match is one line here. */
#include "moat.h"

static const struct moat_match_type *const moat_match_types[] = {
	&moat_match_tcp,
	&moat_match_udp,
	&moat_match_icmp,
};

const struct moat_match_type *moat_match_type_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(moat_match_types); i++) {
		/* rule.c parses a match's data into this many slots. */
		if (WARN_ON_ONCE(moat_match_types[i]->maxattr > MOAT_MATCH_MAXATTR))
			continue;
		if (!strcmp(moat_match_types[i]->name, name))
			return moat_match_types[i];
	}
	return NULL;
}
