// SPDX-License-Identifier: GPL-2.0
/* moat: the "multiport" match: up to 15 ports or ranges, either side. */
#include <net/genetlink.h>
#include "moat.h"

struct moat_multiport {
	u16 ports[MOAT_MULTIPORT_MAX_PORTS];
	u8 pflags[MOAT_MULTIPORT_MAX_PORTS];	/* 1: ports[i..i+1] a range */
	u8 count;
	u8 flags;				/* MOAT_MULTIPORT_SOURCE ... */
	bool inv;
};

static const struct nla_policy moat_multiport_policy[MOAT_A_MULTIPORT_MAX + 1] = {
	[MOAT_A_MULTIPORT_FLAGS] = NLA_POLICY_MAX(NLA_U8, MOAT_MULTIPORT_EITHER),
	[MOAT_A_MULTIPORT_PORTS] = { .type = NLA_BINARY,
				     .len = MOAT_MULTIPORT_MAX_PORTS * sizeof(u16) },
	[MOAT_A_MULTIPORT_PFLAGS] = { .type = NLA_BINARY,
				      .len = MOAT_MULTIPORT_MAX_PORTS },
	[MOAT_A_MULTIPORT_INV] = { .type = NLA_FLAG },
};

static int moat_multiport_parse(void *priv, struct nlattr **tb,
				struct netlink_ext_ack *extack)
{
	struct moat_multiport *mp = priv;
	unsigned int n, i;

	if (!tb[MOAT_A_MULTIPORT_PORTS] || !tb[MOAT_A_MULTIPORT_FLAGS]) {
		NL_SET_ERR_MSG(extack, "multiport needs its ports and their side");
		return -EINVAL;
	}
	n = nla_len(tb[MOAT_A_MULTIPORT_PORTS]);
	if (!n || n % sizeof(u16) ||
	    (tb[MOAT_A_MULTIPORT_PFLAGS] &&
	     nla_len(tb[MOAT_A_MULTIPORT_PFLAGS]) != n / sizeof(u16))) {
		NL_SET_ERR_MSG(extack, "multiport ports and flags disagree");
		return -EINVAL;
	}
	mp->count = n / sizeof(u16);
	memcpy(mp->ports, nla_data(tb[MOAT_A_MULTIPORT_PORTS]), n);
	if (tb[MOAT_A_MULTIPORT_PFLAGS])
		memcpy(mp->pflags, nla_data(tb[MOAT_A_MULTIPORT_PFLAGS]),
		       mp->count);
	for (i = 0; i < mp->count; i++) {
		if (mp->pflags[i] > 1 ||
		    (mp->pflags[i] && i + 1 == mp->count)) {
			NL_SET_ERR_MSG(extack, "multiport range without an end");
			return -EINVAL;
		}
		if (!mp->pflags[i])
			continue;
		if (mp->ports[i] >= mp->ports[i + 1]) {
			NL_SET_ERR_MSG(extack, "multiport range not going up");
			return -EINVAL;
		}
		/* The end's flag means nothing: dumped as 0. */
		mp->pflags[++i] = 0;
	}
	mp->flags = nla_get_u8(tb[MOAT_A_MULTIPORT_FLAGS]);
	mp->inv = nla_get_flag(tb[MOAT_A_MULTIPORT_INV]);
	return 0;
}

static int moat_multiport_check(struct net *net, void *priv,
				const struct moat_rule *r,
				struct netlink_ext_ack *extack)
{
	switch (r->inv & MOAT_INV_PROTO ? 0 : r->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return 0;
	}
	NL_SET_ERR_MSG(extack, "multiport needs -p tcp, udp, udplite, sctp or dccp");
	return -EINVAL;
}

static bool moat_multiport_hit(const struct moat_multiport *mp, u16 src,
			       u16 dst)
{
	unsigned int i;
	u16 lo, hi;

	for (i = 0; i < mp->count; i++) {
		lo = hi = mp->ports[i];
		if (mp->pflags[i])
			hi = mp->ports[++i];
		if (mp->flags != MOAT_MULTIPORT_DESTINATION &&
		    src >= lo && src <= hi)
			return true;
		if (mp->flags != MOAT_MULTIPORT_SOURCE &&
		    dst >= lo && dst <= hi)
			return true;
	}
	return false;
}

static bool moat_multiport_match(const struct sk_buff *skb, const void *priv,
				 struct moat_pkt *pkt)
{
	const struct moat_multiport *mp = priv;
	__be16 _ports[2];
	const __be16 *pp;

	if (pkt->fragoff)
		return false;
	pp = skb_header_pointer(skb, pkt->thoff, sizeof(_ports), _ports);
	if (!pp) {
		pkt->hotdrop = true;
		return false;
	}
	return moat_multiport_hit(mp, ntohs(pp[0]), ntohs(pp[1])) ^ mp->inv;
}

static int moat_multiport_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_multiport *mp = priv;

	if (nla_put_u8(skb, MOAT_A_MULTIPORT_FLAGS, mp->flags) ||
	    nla_put(skb, MOAT_A_MULTIPORT_PORTS, mp->count * sizeof(u16),
		    mp->ports) ||
	    nla_put(skb, MOAT_A_MULTIPORT_PFLAGS, mp->count, mp->pflags) ||
	    (mp->inv && nla_put_flag(skb, MOAT_A_MULTIPORT_INV)))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_multiport = {
	.name = "multiport",
	.policy = moat_multiport_policy,
	.maxattr = MOAT_A_MULTIPORT_MAX,
	.size = sizeof(struct moat_multiport),
	.parse = moat_multiport_parse,
	.check = moat_multiport_check,
	.match = moat_multiport_match,
	.dump = moat_multiport_dump,
};
