// SPDX-License-Identifier: GPL-2.0
/* moat: the tables of match and target extensions, and shared helpers. */
#include <errno.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "ext.h"

static const struct moat_ext *const exts[] = {
	&moat_ext_tcp,
	&moat_ext_udp,
	&moat_ext_icmp,
	&moat_ext_state,
	&moat_ext_conntrack,
	&moat_ext_owner,
	&moat_ext_multiport,
	&moat_ext_limit,
	&moat_ext_mark,
	&moat_ext_comment,
	&moat_ext_iprange,
	&moat_ext_addrtype,
	&moat_ext_mac,
	&moat_ext_length,
	&moat_ext_ttl,
	&moat_ext_tos,
	&moat_ext_dscp,
	&moat_ext_recent,
	&moat_ext_statistic,
	&moat_ext_connmark,
};

const struct moat_ext *moat_ext_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcmp(exts[i]->name, name) == 0)
			return exts[i];
	return NULL;
}

const struct moat_ext *moat_ext_by_proto(uint16_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (proto && exts[i]->proto == proto)
			return exts[i];
	return NULL;
}

static const struct moat_ext *const targets[] = {
	&moat_ext_reject,
	&moat_ext_log,
	&moat_ext_snat,
	&moat_ext_dnat,
	&moat_ext_masquerade,
	&moat_ext_redirect,
	&moat_ext_mark_t,
	&moat_ext_connmark_t,
	&moat_ext_tos_t,
	&moat_ext_dscp_t,
	&moat_ext_ttl_t,
	&moat_ext_ct,
	&moat_ext_notrack,
};

const struct moat_ext *moat_target_find(const char *name)
{
	size_t i;

	/* The first letter first: a restore asks this for every rule. */
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (targets[i]->name[0] == name[0] && strcmp(targets[i]->name, name) == 0)
			return targets[i];
	return NULL;
}

bool moat_strtoui(const char *s, unsigned int *val, unsigned int min,
		  unsigned int max)
{
	const char *p = s;
	uintmax_t v;
	char *end;

	/* strtoumax would quietly accept a minus sign. */
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return false;
	errno = 0;
	v = strtoumax(s, &end, 0);
	if (end == s || *end != '\0' || errno == ERANGE || v < min || v > max)
		return false;
	*val = v;
	return true;
}

int moat_attr_each(const struct nlattr *nest, void *data,
		   int (*attr)(const struct nlattr *a, void *data))
{
	const struct nlattr *a;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = attr(a, data);
		if (err)
			return err;
	}
	return 0;
}

bool moat_attr_put_flag(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
			bool set)
{
	return !set || mnl_attr_put_check(nlh, buflen, type, 0, NULL);
}

int moat_attr_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u8(a);
	return 0;
}

int moat_attr_u16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u16(a);
	return 0;
}

int moat_attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u32(a);
	return 0;
}
