// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the NAT targets SNAT, DNAT, MASQUERADE and REDIRECT.  They only
 * choose the binding: the kernel's NAT core (nf_nat) sets it up for the
 * connection and rewrites every packet of it, as with iptables.  They run
 * in the nat table, which the NAT core calls for a connection's first
 * packet only.
 */
#include <linux/netfilter_ipv4.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_masquerade.h>
#include <net/netfilter/nf_nat_redirect.h>
#include "moat.h"

struct moat_nat {
	struct nf_nat_range2 range;
	struct net *net;	/* whose conntrack reference this rule holds */
};

static const struct nla_policy moat_nat_policy[MOAT_A_NAT_MAX + 1] = {
	[MOAT_A_NAT_ADDR_MIN] = { .type = NLA_BE32 },
	[MOAT_A_NAT_ADDR_MAX] = { .type = NLA_BE32 },
	[MOAT_A_NAT_PORT_MIN] = { .type = NLA_U16 },
	[MOAT_A_NAT_PORT_MAX] = { .type = NLA_U16 },
	[MOAT_A_NAT_FLAGS] = NLA_POLICY_MASK(NLA_U32, MOAT_NAT_F_ALL),
};

static int moat_nat_addrs(struct nf_nat_range2 *range, struct nlattr **tb,
			  struct netlink_ext_ack *extack)
{
	if (!tb[MOAT_A_NAT_ADDR_MIN]) {
		NL_SET_ERR_MSG(extack, "NAT address range without its start");
		return -EINVAL;
	}
	range->flags |= NF_NAT_RANGE_MAP_IPS;
	range->min_addr.ip = nla_get_be32(tb[MOAT_A_NAT_ADDR_MIN]);
	/* A range given backwards is kept as given, as iptables keeps it. */
	range->max_addr.ip = tb[MOAT_A_NAT_ADDR_MAX] ?
		nla_get_be32(tb[MOAT_A_NAT_ADDR_MAX]) : range->min_addr.ip;
	return 0;
}

/*
 * Ports need a protocol that has them, or ICMP, whose id NAT maps too: as
 * iptables' words require, which look at the number alone (not at a '!').
 */
static int moat_nat_ports(struct nf_nat_range2 *range, struct nlattr **tb,
			  const struct moat_rule *r, struct netlink_ext_ack *extack)
{
	u16 min, max;

	switch (r->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
	case IPPROTO_ICMP:
		break;
	default:
		NL_SET_ERR_MSG(extack, "NAT ports need -p tcp, udp, sctp, dccp or icmp");
		return -EINVAL;
	}
	if (!tb[MOAT_A_NAT_PORT_MIN]) {
		NL_SET_ERR_MSG(extack, "NAT port range without its start");
		return -EINVAL;
	}
	min = nla_get_u16(tb[MOAT_A_NAT_PORT_MIN]);
	max = tb[MOAT_A_NAT_PORT_MAX] ? nla_get_u16(tb[MOAT_A_NAT_PORT_MAX]) : min;
	if (max < min) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_NAT_PORT_MAX],
				    "NAT port range ends before it starts");
		return -EINVAL;
	}
	range->flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	range->min_proto.all = htons(min);
	range->max_proto.all = htons(max);
	return 0;
}

/* What tells the four NAT targets apart in what they take. */
enum moat_nat_kind {
	MOAT_NAT_ADDRS = BIT(0),	/* SNAT, DNAT; else ports only */
	MOAT_NAT_SOURCE = BIT(1),	/* SNAT, MASQUERADE */
};

/*
 * Fills the range of a target of @kind, then takes the conntrack
 * reference NAT needs.
 */
static int moat_nat_parse_range(struct net *net, struct moat_nat *nat,
				struct nlattr **tb, const struct moat_rule *r,
				unsigned int kind, struct netlink_ext_ack *extack)
{
	u32 flags = tb[MOAT_A_NAT_FLAGS] ? nla_get_u32(tb[MOAT_A_NAT_FLAGS]) : 0;
	struct nf_nat_range2 *range = &nat->range;
	bool addrs = kind & MOAT_NAT_ADDRS;
	int err;

	if (!addrs && (flags & (MOAT_NAT_F_ADDR | MOAT_NAT_F_PERSISTENT))) {
		NL_SET_ERR_MSG(extack, "this target takes ports only");
		return -EINVAL;
	}
	/* As iptables: fully random ports are a source NAT option. */
	if (!(kind & MOAT_NAT_SOURCE) && (flags & MOAT_NAT_F_RANDOM_FULLY)) {
		NL_SET_ERR_MSG(extack, "--random-fully is for SNAT and MASQUERADE");
		return -EINVAL;
	}
	if (addrs && !(flags & (MOAT_NAT_F_ADDR | MOAT_NAT_F_PORTS))) {
		NL_SET_ERR_MSG(extack, "SNAT and DNAT need an address or ports to map to");
		return -EINVAL;
	}
	if (flags & MOAT_NAT_F_ADDR) {
		err = moat_nat_addrs(range, tb, extack);
		if (err)
			return err;
	}
	if (flags & MOAT_NAT_F_PORTS) {
		err = moat_nat_ports(range, tb, r, extack);
		if (err)
			return err;
	}
	if (flags & MOAT_NAT_F_RANDOM)
		range->flags |= NF_NAT_RANGE_PROTO_RANDOM;
	if (flags & MOAT_NAT_F_RANDOM_FULLY)
		range->flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	if (flags & MOAT_NAT_F_PERSISTENT)
		range->flags |= NF_NAT_RANGE_PERSISTENT;
	err = nf_ct_netns_get(net, NFPROTO_IPV4);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot enable connection tracking");
		return err;
	}
	nat->net = net;
	return 0;
}

#define MOAT_NAT_PARSE(fname, kind)					\
static int fname(struct net *net, void *priv, struct nlattr **tb,		\
		 const struct moat_rule *r, struct netlink_ext_ack *extack)	\
{									\
	return moat_nat_parse_range(net, priv, tb, r, kind, extack);	\
}

MOAT_NAT_PARSE(moat_snat_parse, MOAT_NAT_ADDRS | MOAT_NAT_SOURCE)
MOAT_NAT_PARSE(moat_dnat_parse, MOAT_NAT_ADDRS)
MOAT_NAT_PARSE(moat_masquerade_parse, MOAT_NAT_SOURCE)
MOAT_NAT_PARSE(moat_redirect_parse, 0)

static void moat_nat_destroy(void *priv)
{
	struct moat_nat *nat = priv;

	if (nat->net)
		moat_ct_put_later(nat->net);
}

static int moat_nat_dump(struct sk_buff *skb, const void *priv)
{
	const struct nf_nat_range2 *range = &((const struct moat_nat *)priv)->range;
	u32 flags = 0;

	if (range->flags & NF_NAT_RANGE_MAP_IPS) {
		flags |= MOAT_NAT_F_ADDR;
		if (nla_put_be32(skb, MOAT_A_NAT_ADDR_MIN, range->min_addr.ip) ||
		    nla_put_be32(skb, MOAT_A_NAT_ADDR_MAX, range->max_addr.ip))
			return -EMSGSIZE;
	}
	if (range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		flags |= MOAT_NAT_F_PORTS;
		if (nla_put_u16(skb, MOAT_A_NAT_PORT_MIN, ntohs(range->min_proto.all)) ||
		    nla_put_u16(skb, MOAT_A_NAT_PORT_MAX, ntohs(range->max_proto.all)))
			return -EMSGSIZE;
	}
	if (range->flags & NF_NAT_RANGE_PROTO_RANDOM)
		flags |= MOAT_NAT_F_RANDOM;
	if (range->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
		flags |= MOAT_NAT_F_RANDOM_FULLY;
	if (range->flags & NF_NAT_RANGE_PERSISTENT)
		flags |= MOAT_NAT_F_PERSISTENT;
	return nla_put_u32(skb, MOAT_A_NAT_FLAGS, flags);
}

/* The NAT core calls the nat table with the connection attached. */
static unsigned int moat_nat_setup(struct sk_buff *skb, const void *priv,
				   enum nf_nat_manip_type manip)
{
	const struct moat_nat *nat = priv;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (unlikely(!ct))
		return NF_DROP;
	return nf_nat_setup_info(ct, &nat->range, manip);
}

static unsigned int moat_snat_target(struct sk_buff *skb, const void *priv,
				     const struct moat_pkt *pkt)
{
	return moat_nat_setup(skb, priv, NF_NAT_MANIP_SRC);
}

static unsigned int moat_dnat_target(struct sk_buff *skb, const void *priv,
				     const struct moat_pkt *pkt)
{
	return moat_nat_setup(skb, priv, NF_NAT_MANIP_DST);
}

static unsigned int moat_masquerade_target(struct sk_buff *skb,
					   const void *priv,
					   const struct moat_pkt *pkt)
{
	const struct moat_nat *nat = priv;

	return nf_nat_masquerade_ipv4(skb, pkt->state->hook, &nat->range,
				      pkt->state->out);
}

static unsigned int moat_redirect_target(struct sk_buff *skb, const void *priv,
					 const struct moat_pkt *pkt)
{
	const struct moat_nat *nat = priv;

	return nf_nat_redirect_ipv4(skb, &nat->range, pkt->state->hook);
}

#define MOAT_NAT_TARGET(tname, fn, parsefn, hookbits)			\
{									\
	.name = tname,							\
	.policy = moat_nat_policy,					\
	.maxattr = MOAT_A_NAT_MAX,					\
	.size = sizeof(struct moat_nat),				\
	.hooks = hookbits,						\
	.table = "nat",							\
	.parse = parsefn,						\
	.target = fn,							\
	.dump = moat_nat_dump,						\
	.destroy = moat_nat_destroy,					\
}

const struct moat_target_type moat_target_snat =
	MOAT_NAT_TARGET("SNAT", moat_snat_target, moat_snat_parse,
			BIT(NF_INET_POST_ROUTING) | BIT(NF_INET_LOCAL_IN));
const struct moat_target_type moat_target_dnat =
	MOAT_NAT_TARGET("DNAT", moat_dnat_target, moat_dnat_parse,
			BIT(NF_INET_PRE_ROUTING) | BIT(NF_INET_LOCAL_OUT));
const struct moat_target_type moat_target_masquerade =
	MOAT_NAT_TARGET("MASQUERADE", moat_masquerade_target,
			moat_masquerade_parse, BIT(NF_INET_POST_ROUTING));
const struct moat_target_type moat_target_redirect =
	MOAT_NAT_TARGET("REDIRECT", moat_redirect_target, moat_redirect_parse,
			BIT(NF_INET_PRE_ROUTING) | BIT(NF_INET_LOCAL_OUT));

/*
 * MASQUERADE's connections are forgotten when their interface goes down
 * or loses its address: the NAT core does that with notifiers, registered
 * once for the module's life (they take a mutex, so not per rule).
 */
int moat_nat_init(void)
{
	return nf_nat_masquerade_inet_register_notifiers();
}

void moat_nat_exit(void)
{
	nf_nat_masquerade_inet_unregister_notifiers();
}
