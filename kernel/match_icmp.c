// SPDX-License-Identifier: GPL-2.0
/* moat: the "icmp" match: --icmp-type type[/code]. */
#include <linux/icmp.h>
#include <net/genetlink.h>
#include "moat.h"

/* iptables' "any": every ICMP packet. */
#define MOAT_ICMP_ANY	0xff

struct moat_icmp {
	u8 type, code_min, code_max;
	bool inv;
};

static const struct nla_policy moat_icmp_policy[MOAT_A_ICMP_MAX + 1] = {
	[MOAT_A_ICMP_TYPE] = { .type = NLA_U8 },
	[MOAT_A_ICMP_CODE_MIN] = { .type = NLA_U8 },
	[MOAT_A_ICMP_CODE_MAX] = { .type = NLA_U8 },
	[MOAT_A_ICMP_INV] = { .type = NLA_FLAG },
};

static int moat_icmp_parse(void *priv, struct nlattr **tb,
		      struct netlink_ext_ack *extack)
{
	struct moat_icmp *ic = priv;

	ic->type = tb[MOAT_A_ICMP_TYPE] ? nla_get_u8(tb[MOAT_A_ICMP_TYPE]) :
					   MOAT_ICMP_ANY;
	ic->code_min = tb[MOAT_A_ICMP_CODE_MIN] ?
		       nla_get_u8(tb[MOAT_A_ICMP_CODE_MIN]) : 0;
	ic->code_max = tb[MOAT_A_ICMP_CODE_MAX] ?
		       nla_get_u8(tb[MOAT_A_ICMP_CODE_MAX]) : 0xff;
	ic->inv = nla_get_flag(tb[MOAT_A_ICMP_INV]);
	/* "type" is every code, "type/code" one: no other range saves. */
	if (ic->code_min != ic->code_max &&
	    (ic->code_min != 0 || ic->code_max != 0xff)) {
		NL_SET_ERR_MSG(extack, "icmp takes one code or all of them");
		return -EINVAL;
	}
	return 0;
}

static bool moat_icmp_match(const struct sk_buff *skb, const void *priv,
			    struct moat_pkt *pkt)
{
	const struct moat_icmp *ic = priv;
	struct icmphdr _ih;
	const struct icmphdr *ih;

	if (pkt->fragoff)
		return false;
	ih = skb_header_pointer(skb, pkt->thoff, sizeof(_ih), &_ih);
	if (!ih) {
		pkt->hotdrop = true;
		return false;
	}
	return (ic->type == MOAT_ICMP_ANY ||
		(ih->type == ic->type && ih->code >= ic->code_min &&
		 ih->code <= ic->code_max)) ^ ic->inv;
}

static int moat_icmp_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_icmp *ic = priv;

	if (nla_put_u8(skb, MOAT_A_ICMP_TYPE, ic->type) ||
	    nla_put_u8(skb, MOAT_A_ICMP_CODE_MIN, ic->code_min) ||
	    nla_put_u8(skb, MOAT_A_ICMP_CODE_MAX, ic->code_max) ||
	    (ic->inv && nla_put_flag(skb, MOAT_A_ICMP_INV)))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_icmp = {
	.name = "icmp",
	.policy = moat_icmp_policy,
	.maxattr = MOAT_A_ICMP_MAX,
	.size = sizeof(struct moat_icmp),
	.proto = IPPROTO_ICMP,
	.parse = moat_icmp_parse,
	.match = moat_icmp_match,
	.dump = moat_icmp_dump,
};
