// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the "REJECT" target.  Drops the packet and answers its sender with
 * an ICMP destination-unreachable or a TCP reset, built and sent by the
 * kernel's own nf_reject_ipv4, as iptables' REJECT does.
 */
#include <linux/icmp.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include "moat.h"

struct moat_reject {
	u8 with;		/* MOAT_REJECT_* */
};

static const u8 moat_reject_code[__MOAT_REJECT_MAX] = {
	[MOAT_REJECT_ICMP_NET_UNREACHABLE] = ICMP_NET_UNREACH,
	[MOAT_REJECT_ICMP_HOST_UNREACHABLE] = ICMP_HOST_UNREACH,
	[MOAT_REJECT_ICMP_PROT_UNREACHABLE] = ICMP_PROT_UNREACH,
	[MOAT_REJECT_ICMP_PORT_UNREACHABLE] = ICMP_PORT_UNREACH,
	[MOAT_REJECT_ICMP_NET_PROHIBITED] = ICMP_NET_ANO,
	[MOAT_REJECT_ICMP_HOST_PROHIBITED] = ICMP_HOST_ANO,
	[MOAT_REJECT_ICMP_ADMIN_PROHIBITED] = ICMP_PKT_FILTERED,
};

static const struct nla_policy moat_reject_policy[MOAT_A_REJECT_MAX + 1] = {
	[MOAT_A_REJECT_WITH] = NLA_POLICY_MAX(NLA_U8, __MOAT_REJECT_MAX - 1),
};

static int moat_reject_parse(struct net *net, void *priv, struct nlattr **tb,
			     const struct moat_rule *r,
			     struct netlink_ext_ack *extack)
{
	struct moat_reject *rej = priv;

	rej->with = tb[MOAT_A_REJECT_WITH] ? nla_get_u8(tb[MOAT_A_REJECT_WITH]) :
					     MOAT_REJECT_ICMP_PORT_UNREACHABLE;
	if (rej->with == MOAT_REJECT_ICMP_ECHOREPLY) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_REJECT_WITH],
				    "REJECT with an echo reply is no longer supported");
		return -EINVAL;
	}
	/* A reset answers a TCP segment: the rule must only see those. */
	if (rej->with == MOAT_REJECT_TCP_RESET &&
	    (r->proto != IPPROTO_TCP || (r->inv & MOAT_INV_PROTO))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_REJECT_WITH],
				    "REJECT with tcp-reset needs -p tcp");
		return -EINVAL;
	}
	return 0;
}

static unsigned int moat_reject_target(struct sk_buff *skb, const void *priv,
				       const struct moat_pkt *pkt)
{
	const struct moat_reject *rej = priv;
	const struct nf_hook_state *st = pkt->state;

	if (rej->with == MOAT_REJECT_TCP_RESET)
		nf_send_reset(st->net, st->sk, skb, st->hook);
	else
		nf_send_unreach(skb, moat_reject_code[rej->with], st->hook);
	return NF_DROP;
}

static int moat_reject_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_reject *rej = priv;

	return nla_put_u8(skb, MOAT_A_REJECT_WITH, rej->with);
}

/*
 * Only INPUT, FORWARD and OUTPUT may reject (there is a route back to the
 * sender, and a local socket for a reset on OUTPUT); in the filter table
 * those are the only hooks there are.
 */
const struct moat_target_type moat_target_reject = {
	.name = "REJECT",
	.policy = moat_reject_policy,
	.maxattr = MOAT_A_REJECT_MAX,
	.size = sizeof(struct moat_reject),
	.parse = moat_reject_parse,
	.target = moat_reject_target,
	.dump = moat_reject_dump,
};
