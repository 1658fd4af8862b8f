// SPDX-License-Identifier: GPL-2.0
/* moat: the registries of match and target types; one line per type. */
#include "moat.h"

static const struct moat_match_type *const moat_match_types[] = {
	&moat_match_tcp,
	&moat_match_udp,
	&moat_match_icmp,
	&moat_match_state,
	&moat_match_conntrack,
	&moat_match_owner,
	&moat_match_multiport,
	&moat_match_limit,
	&moat_match_mark,
	&moat_match_comment,
	&moat_match_iprange,
	&moat_match_addrtype,
	&moat_match_mac,
	&moat_match_length,
	&moat_match_ttl,
	&moat_match_tos,
	&moat_match_dscp,
	&moat_match_recent,
	&moat_match_statistic,
	&moat_match_connmark,
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

static const struct moat_target_type *const moat_target_types[] = {
	&moat_target_reject,
	&moat_target_log,
	&moat_target_snat,
	&moat_target_dnat,
	&moat_target_masquerade,
	&moat_target_redirect,
	&moat_target_mark,
	&moat_target_connmark,
	&moat_target_tos,
	&moat_target_dscp,
	&moat_target_ttl,
	&moat_target_ct,
	&moat_target_notrack,
};

const struct moat_target_type *moat_target_type_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(moat_target_types); i++) {
		/* rule.c parses a target's data into this many slots. */
		if (WARN_ON_ONCE(moat_target_types[i]->maxattr > MOAT_TARGET_MAXATTR))
			continue;
		if (!strcmp(moat_target_types[i]->name, name))
			return moat_target_types[i];
	}
	return NULL;
}
