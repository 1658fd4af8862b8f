// SPDX-License-Identifier: GPL-2.0
/* moat: address matches: "iprange" (inclusive ranges), "addrtype" (routing). */
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/route.h>
#include "moat.h"

/* --- iprange ----------------------------------------------------------- */

struct moat_iprange {
	u32 src[2], dst[2];	/* host order, inclusive */
	u8 flags;		/* MOAT_IPRANGE_* */
};

#define MOAT_IPRANGE_ALL (MOAT_IPRANGE_SRC | MOAT_IPRANGE_DST | \
			  MOAT_IPRANGE_SRC_INV | MOAT_IPRANGE_DST_INV)

static const struct nla_policy moat_iprange_policy[MOAT_A_IPRANGE_MAX + 1] = {
	[MOAT_A_IPRANGE_SRC_MIN] = { .type = NLA_BE32 },
	[MOAT_A_IPRANGE_SRC_MAX] = { .type = NLA_BE32 },
	[MOAT_A_IPRANGE_DST_MIN] = { .type = NLA_BE32 },
	[MOAT_A_IPRANGE_DST_MAX] = { .type = NLA_BE32 },
	[MOAT_A_IPRANGE_FLAGS] = NLA_POLICY_MASK(NLA_U8, MOAT_IPRANGE_ALL),
};

static u32 moat_get_addr(const struct nlattr *attr)
{
	return attr ? ntohl(nla_get_be32(attr)) : 0;
}

static int moat_iprange_parse(void *priv, struct nlattr **tb,
			      struct netlink_ext_ack *extack)
{
	struct moat_iprange *ir = priv;

	ir->flags = tb[MOAT_A_IPRANGE_FLAGS] ?
		    nla_get_u8(tb[MOAT_A_IPRANGE_FLAGS]) : 0;
	/* iptables' syntax cannot write one without a range, nor save it. */
	if (!(ir->flags & (MOAT_IPRANGE_SRC | MOAT_IPRANGE_DST))) {
		NL_SET_ERR_MSG(extack, "iprange needs a source or destination range");
		return -EINVAL;
	}
	/* A '!' without its range means nothing: not kept, nor compared. */
	if (!(ir->flags & MOAT_IPRANGE_SRC))
		ir->flags &= ~MOAT_IPRANGE_SRC_INV;
	if (!(ir->flags & MOAT_IPRANGE_DST))
		ir->flags &= ~MOAT_IPRANGE_DST_INV;
	if (ir->flags & MOAT_IPRANGE_SRC) {
		ir->src[0] = moat_get_addr(tb[MOAT_A_IPRANGE_SRC_MIN]);
		ir->src[1] = moat_get_addr(tb[MOAT_A_IPRANGE_SRC_MAX]);
	}
	if (ir->flags & MOAT_IPRANGE_DST) {
		ir->dst[0] = moat_get_addr(tb[MOAT_A_IPRANGE_DST_MIN]);
		ir->dst[1] = moat_get_addr(tb[MOAT_A_IPRANGE_DST_MAX]);
	}
	return 0;
}

static bool moat_in_range(__be32 addr, const u32 range[2], bool inv)
{
	u32 a = ntohl(addr);

	return (a >= range[0] && a <= range[1]) ^ inv;
}

static bool moat_iprange_match(const struct sk_buff *skb, const void *priv,
			       struct moat_pkt *pkt)
{
	const struct moat_iprange *ir = priv;
	const struct iphdr *iph = ip_hdr(skb);

	if ((ir->flags & MOAT_IPRANGE_SRC) &&
	    !moat_in_range(iph->saddr, ir->src, ir->flags & MOAT_IPRANGE_SRC_INV))
		return false;
	if ((ir->flags & MOAT_IPRANGE_DST) &&
	    !moat_in_range(iph->daddr, ir->dst, ir->flags & MOAT_IPRANGE_DST_INV))
		return false;
	return true;
}

static int moat_iprange_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_iprange *ir = priv;

	if (nla_put_u8(skb, MOAT_A_IPRANGE_FLAGS, ir->flags) ||
	    nla_put_be32(skb, MOAT_A_IPRANGE_SRC_MIN, htonl(ir->src[0])) ||
	    nla_put_be32(skb, MOAT_A_IPRANGE_SRC_MAX, htonl(ir->src[1])) ||
	    nla_put_be32(skb, MOAT_A_IPRANGE_DST_MIN, htonl(ir->dst[0])) ||
	    nla_put_be32(skb, MOAT_A_IPRANGE_DST_MAX, htonl(ir->dst[1])))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_iprange = {
	.name = "iprange",
	.policy = moat_iprange_policy,
	.maxattr = MOAT_A_IPRANGE_MAX,
	.size = sizeof(struct moat_iprange),
	.parse = moat_iprange_parse,
	.match = moat_iprange_match,
	.dump = moat_iprange_dump,
};

/* --- addrtype: the route type of an address, as the kernel sees it ----- */

struct moat_addrtype {
	u16 source, dest;	/* bit (1 << RTN_*) */
	u32 flags;		/* MOAT_ADDRTYPE_* */
};

#define MOAT_ADDRTYPE_ALL (MOAT_ADDRTYPE_INVERT_SOURCE | \
			   MOAT_ADDRTYPE_INVERT_DEST | \
			   MOAT_ADDRTYPE_LIMIT_IFACE_IN | \
			   MOAT_ADDRTYPE_LIMIT_IFACE_OUT)

/* The route types iptables names (RTN_UNSPEC to RTN_XRESOLVE): a bit past
 * them could not be saved. */
#define MOAT_ADDRTYPE_TYPES	GENMASK(RTN_MAX, 0)

static const struct nla_policy moat_addrtype_policy[MOAT_A_ADDRTYPE_MAX + 1] = {
	[MOAT_A_ADDRTYPE_SOURCE] = NLA_POLICY_MASK(NLA_U16, MOAT_ADDRTYPE_TYPES),
	[MOAT_A_ADDRTYPE_DEST] = NLA_POLICY_MASK(NLA_U16, MOAT_ADDRTYPE_TYPES),
	[MOAT_A_ADDRTYPE_FLAGS] = NLA_POLICY_MASK(NLA_U32, MOAT_ADDRTYPE_ALL),
};

static int moat_addrtype_parse(void *priv, struct nlattr **tb,
			       struct netlink_ext_ack *extack)
{
	struct moat_addrtype *at = priv;

	at->source = tb[MOAT_A_ADDRTYPE_SOURCE] ?
		     nla_get_u16(tb[MOAT_A_ADDRTYPE_SOURCE]) : 0;
	at->dest = tb[MOAT_A_ADDRTYPE_DEST] ?
		   nla_get_u16(tb[MOAT_A_ADDRTYPE_DEST]) : 0;
	at->flags = tb[MOAT_A_ADDRTYPE_FLAGS] ?
		    nla_get_u32(tb[MOAT_A_ADDRTYPE_FLAGS]) : 0;
	if ((at->flags & MOAT_ADDRTYPE_LIMIT_IFACE_IN) &&
	    (at->flags & MOAT_ADDRTYPE_LIMIT_IFACE_OUT)) {
		NL_SET_ERR_MSG(extack, "addrtype: both --limit-iface-in and --limit-iface-out");
		return -EINVAL;
	}
	/* As iprange: a type to look at, and no '!' without its types. */
	if (!at->source && !at->dest) {
		NL_SET_ERR_MSG(extack, "addrtype needs a source or destination type");
		return -EINVAL;
	}
	if (!at->source)
		at->flags &= ~MOAT_ADDRTYPE_INVERT_SOURCE;
	if (!at->dest)
		at->flags &= ~MOAT_ADDRTYPE_INVERT_DEST;
	return 0;
}

/* inet_dev_addr_type takes the RCU read lock itself: fine on the hook. */
static bool moat_addrtype_ok(struct net *net, const struct net_device *dev,
			     __be32 addr, u16 mask, bool inv)
{
	return !!(mask & (1 << inet_dev_addr_type(net, dev, addr))) ^ inv;
}

static bool moat_addrtype_match(const struct sk_buff *skb, const void *priv,
				struct moat_pkt *pkt)
{
	const struct moat_addrtype *at = priv;
	const struct iphdr *iph = ip_hdr(skb);
	const struct net_device *dev = NULL;
	struct net *net = pkt->state->net;

	if (at->flags & MOAT_ADDRTYPE_LIMIT_IFACE_IN)
		dev = pkt->state->in;
	else if (at->flags & MOAT_ADDRTYPE_LIMIT_IFACE_OUT)
		dev = pkt->state->out;
	if (at->source &&
	    !moat_addrtype_ok(net, dev, iph->saddr, at->source,
			      at->flags & MOAT_ADDRTYPE_INVERT_SOURCE))
		return false;
	if (at->dest &&
	    !moat_addrtype_ok(net, dev, iph->daddr, at->dest,
			      at->flags & MOAT_ADDRTYPE_INVERT_DEST))
		return false;
	return true;
}

static int moat_addrtype_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_addrtype *at = priv;

	if (nla_put_u16(skb, MOAT_A_ADDRTYPE_SOURCE, at->source) ||
	    nla_put_u16(skb, MOAT_A_ADDRTYPE_DEST, at->dest) ||
	    nla_put_u32(skb, MOAT_A_ADDRTYPE_FLAGS, at->flags))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_addrtype = {
	.name = "addrtype",
	.policy = moat_addrtype_policy,
	.maxattr = MOAT_A_ADDRTYPE_MAX,
	.size = sizeof(struct moat_addrtype),
	.parse = moat_addrtype_parse,
	.match = moat_addrtype_match,
	.dump = moat_addrtype_dump,
};
