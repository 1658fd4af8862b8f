// SPDX-License-Identifier: GPL-2.0
/*
 * moat: targets that rewrite the IP header, valid in the mangle table
 * (TOS, DSCP, TTL), and raw's CT --notrack.
 */
#include <net/dsfield.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include "moat.h"

/* --- TOS: tos = (tos & ~mask) ^ value ----------------------------------- */

struct moat_tos_target {
	u8 value, mask;
};

static const struct nla_policy moat_tos_t_policy[MOAT_A_TOS_T_MAX + 1] = {
	[MOAT_A_TOS_T_VALUE] = { .type = NLA_U8 },
	[MOAT_A_TOS_T_MASK] = { .type = NLA_U8 },
};

static int moat_tos_t_parse(struct net *net, void *priv, struct nlattr **tb,
			    const struct moat_rule *r,
			    struct netlink_ext_ack *extack)
{
	struct moat_tos_target *tt = priv;

	if (!tb[MOAT_A_TOS_T_VALUE] || !tb[MOAT_A_TOS_T_MASK]) {
		NL_SET_ERR_MSG(extack, "TOS needs a value and a mask");
		return -EINVAL;
	}
	tt->value = nla_get_u8(tb[MOAT_A_TOS_T_VALUE]);
	tt->mask = nla_get_u8(tb[MOAT_A_TOS_T_MASK]);
	return 0;
}

/* Rewrites the DS field to @ds, keeping the header checksum right. */
static unsigned int moat_set_dsfield(struct sk_buff *skb, u8 ds)
{
	if (ipv4_get_dsfield(ip_hdr(skb)) == ds)
		return MOAT_CONTINUE;
	if (skb_ensure_writable(skb, sizeof(struct iphdr)))
		return NF_DROP;
	ipv4_change_dsfield(ip_hdr(skb), 0, ds);
	return MOAT_CONTINUE;
}

static unsigned int moat_tos_t_target(struct sk_buff *skb, const void *priv,
				      const struct moat_pkt *pkt)
{
	const struct moat_tos_target *tt = priv;
	u8 ds = ipv4_get_dsfield(ip_hdr(skb));

	return moat_set_dsfield(skb, (ds & ~tt->mask) ^ tt->value);
}

static int moat_tos_t_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_tos_target *tt = priv;

	if (nla_put_u8(skb, MOAT_A_TOS_T_VALUE, tt->value) ||
	    nla_put_u8(skb, MOAT_A_TOS_T_MASK, tt->mask))
		return -EMSGSIZE;
	return 0;
}

const struct moat_target_type moat_target_tos = {
	.name = "TOS",
	.policy = moat_tos_t_policy,
	.maxattr = MOAT_A_TOS_T_MAX,
	.size = sizeof(struct moat_tos_target),
	.table = "mangle",
	.parse = moat_tos_t_parse,
	.target = moat_tos_t_target,
	.dump = moat_tos_t_dump,
};

/* --- DSCP: the upper six bits of the DS field; ECN is kept --------------- */

struct moat_dscp_target {
	u8 dscp;
};

static const struct nla_policy moat_dscp_t_policy[MOAT_A_DSCP_T_MAX + 1] = {
	[MOAT_A_DSCP_T_VALUE] = NLA_POLICY_MAX(NLA_U8, 63),
};

static int moat_dscp_t_parse(struct net *net, void *priv, struct nlattr **tb,
			     const struct moat_rule *r,
			     struct netlink_ext_ack *extack)
{
	struct moat_dscp_target *dt = priv;

	if (!tb[MOAT_A_DSCP_T_VALUE]) {
		NL_SET_ERR_MSG(extack, "DSCP needs a value");
		return -EINVAL;
	}
	dt->dscp = nla_get_u8(tb[MOAT_A_DSCP_T_VALUE]);
	return 0;
}

static unsigned int moat_dscp_t_target(struct sk_buff *skb, const void *priv,
				       const struct moat_pkt *pkt)
{
	const struct moat_dscp_target *dt = priv;
	u8 ds = ipv4_get_dsfield(ip_hdr(skb));

	return moat_set_dsfield(skb, (ds & INET_ECN_MASK) | dt->dscp << 2);
}

static int moat_dscp_t_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_dscp_target *dt = priv;

	return nla_put_u8(skb, MOAT_A_DSCP_T_VALUE, dt->dscp);
}

const struct moat_target_type moat_target_dscp = {
	.name = "DSCP",
	.policy = moat_dscp_t_policy,
	.maxattr = MOAT_A_DSCP_T_MAX,
	.size = sizeof(struct moat_dscp_target),
	.table = "mangle",
	.parse = moat_dscp_t_parse,
	.target = moat_dscp_t_target,
	.dump = moat_dscp_t_dump,
};

/* --- TTL: set, or move up or down without wrapping ----------------------- */

struct moat_ttl_target {
	u8 mode, value;
};

static const struct nla_policy moat_ttl_t_policy[MOAT_A_TTL_T_MAX + 1] = {
	[MOAT_A_TTL_T_MODE] = NLA_POLICY_MAX(NLA_U8, MOAT_TTL_DEC),
	[MOAT_A_TTL_T_VALUE] = { .type = NLA_U8 },
};

static int moat_ttl_t_parse(struct net *net, void *priv, struct nlattr **tb,
			    const struct moat_rule *r,
			    struct netlink_ext_ack *extack)
{
	struct moat_ttl_target *tt = priv;

	if (!tb[MOAT_A_TTL_T_MODE] || !tb[MOAT_A_TTL_T_VALUE]) {
		NL_SET_ERR_MSG(extack, "TTL needs a mode and a value");
		return -EINVAL;
	}
	tt->mode = nla_get_u8(tb[MOAT_A_TTL_T_MODE]);
	tt->value = nla_get_u8(tb[MOAT_A_TTL_T_VALUE]);
	if (tt->mode != MOAT_TTL_SET && !tt->value) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_TTL_T_VALUE],
				    "TTL increment or decrement by 0");
		return -EINVAL;
	}
	return 0;
}

static unsigned int moat_ttl_t_target(struct sk_buff *skb, const void *priv,
				      const struct moat_pkt *pkt)
{
	const struct moat_ttl_target *tt = priv;
	struct iphdr *iph = ip_hdr(skb);
	int ttl = iph->ttl;

	if (tt->mode == MOAT_TTL_SET)
		ttl = tt->value;
	else if (tt->mode == MOAT_TTL_INC)
		ttl = min(ttl + tt->value, 255);
	else
		ttl = max(ttl - tt->value, 0);
	if (ttl == iph->ttl)
		return MOAT_CONTINUE;
	if (skb_ensure_writable(skb, sizeof(*iph)))
		return NF_DROP;
	iph = ip_hdr(skb);
	csum_replace2(&iph->check, htons(iph->ttl << 8), htons(ttl << 8));
	iph->ttl = ttl;
	return MOAT_CONTINUE;
}

static int moat_ttl_t_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_ttl_target *tt = priv;

	if (nla_put_u8(skb, MOAT_A_TTL_T_MODE, tt->mode) ||
	    nla_put_u8(skb, MOAT_A_TTL_T_VALUE, tt->value))
		return -EMSGSIZE;
	return 0;
}

const struct moat_target_type moat_target_ttl = {
	.name = "TTL",
	.policy = moat_ttl_t_policy,
	.maxattr = MOAT_A_TTL_T_MAX,
	.size = sizeof(struct moat_ttl_target),
	.table = "mangle",
	.parse = moat_ttl_t_parse,
	.target = moat_ttl_t_target,
	.dump = moat_ttl_t_dump,
};

/*
 * --- CT --notrack and NOTRACK: conntrack leaves the packet alone (raw) ----
 * A bare "-j CT" (a template with every default) changes nothing here.
 */

struct moat_ct_target {
	u32 flags;
	struct net *net;	/* a bare CT holds conntrack, as iptables' does */
};

static const struct nla_policy moat_ct_t_policy[MOAT_A_CT_T_MAX + 1] = {
	[MOAT_A_CT_T_FLAGS] = NLA_POLICY_MASK(NLA_U32, MOAT_CT_T_ALL),
};

static int moat_ct_t_parse(struct net *net, void *priv, struct nlattr **tb,
			   const struct moat_rule *r,
			   struct netlink_ext_ack *extack)
{
	struct moat_ct_target *ct = priv;
	int err;

	ct->flags = tb[MOAT_A_CT_T_FLAGS] ? nla_get_u32(tb[MOAT_A_CT_T_FLAGS]) : 0;
	if (ct->flags & MOAT_CT_T_NOTRACK)
		return 0;
	/*
	 * iptables' bare CT attaches a template, so conntrack (and with it
	 * defragmentation) runs in the namespace while the rule exists.
	 */
	err = nf_ct_netns_get(net, NFPROTO_IPV4);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot enable connection tracking");
		return err;
	}
	ct->net = net;
	return 0;
}

static void moat_ct_t_destroy(void *priv)
{
	struct moat_ct_target *ct = priv;

	if (ct->net)
		moat_ct_put_later(ct->net);
}

static unsigned int moat_ct_t_target(struct sk_buff *skb, const void *priv,
				     const struct moat_pkt *pkt)
{
	const struct moat_ct_target *ct = priv;

	/* Already attached (looped back): leave it as it is. */
	if ((ct->flags & MOAT_CT_T_NOTRACK) && !skb->_nfct)
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	return MOAT_CONTINUE;
}

static int moat_ct_t_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_ct_target *ct = priv;

	return nla_put_u32(skb, MOAT_A_CT_T_FLAGS, ct->flags);
}

const struct moat_target_type moat_target_ct = {
	.name = "CT",
	.policy = moat_ct_t_policy,
	.maxattr = MOAT_A_CT_T_MAX,
	.size = sizeof(struct moat_ct_target),
	.table = "raw",
	.parse = moat_ct_t_parse,
	.target = moat_ct_t_target,
	.dump = moat_ct_t_dump,
	.destroy = moat_ct_t_destroy,
};

/* "-j NOTRACK" saves as itself and restores as CT --notrack: so it is one. */
static int moat_notrack_parse(struct net *net, void *priv, struct nlattr **tb,
			      const struct moat_rule *r,
			      struct netlink_ext_ack *extack)
{
	if (!tb[MOAT_A_CT_T_FLAGS] ||
	    !(nla_get_u32(tb[MOAT_A_CT_T_FLAGS]) & MOAT_CT_T_NOTRACK)) {
		NL_SET_ERR_MSG(extack, "NOTRACK is CT --notrack: the flag is needed");
		return -EINVAL;
	}
	return moat_ct_t_parse(net, priv, tb, r, extack);
}

/* iptables keeps "-j NOTRACK" apart from "-j CT --notrack" in listings. */
const struct moat_target_type moat_target_notrack = {
	.name = "NOTRACK",
	.policy = moat_ct_t_policy,
	.maxattr = MOAT_A_CT_T_MAX,
	.size = sizeof(struct moat_ct_target),
	.table = "raw",
	.parse = moat_notrack_parse,
	.target = moat_ct_t_target,
	.dump = moat_ct_t_dump,
	.destroy = moat_ct_t_destroy,
};
