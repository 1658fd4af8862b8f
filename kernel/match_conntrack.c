// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the "state" and "conntrack" matches.  They ask nf_conntrack, which
 * a namespace only runs while some rule holds a reference (taken when the
 * rule is made, given back after it is gone).
 */
#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>
#include "moat.h"

struct moat_ct {
	u16 state;
	u16 flags, inv;		/* MOAT_CT_F_* given, negated */
	u16 proto;
	u32 status;
	__be32 addr[4], mask[4];	/* orig src, orig dst, repl src, repl dst */
	u8 dir;
	struct net *net;	/* whose conntrack reference this rule holds */
};

static const struct nla_policy moat_ct_policy[MOAT_A_CT_MAX + 1] = {
	[MOAT_A_CT_STATE] = NLA_POLICY_MASK(NLA_U16, 0x7f),
	/* EXPECTED to CONFIRMED, the bits iptables' syntax can name. */
	[MOAT_A_CT_STATUS] = NLA_POLICY_MASK(NLA_U32, IPS_EXPECTED | IPS_SEEN_REPLY |
					     IPS_ASSURED | IPS_CONFIRMED),
	[MOAT_A_CT_PROTO] = NLA_POLICY_MAX(NLA_U16, 255),
	[MOAT_A_CT_ORIGSRC] = { .type = NLA_BE32 },
	[MOAT_A_CT_ORIGSRC_MASK] = { .type = NLA_BE32 },
	[MOAT_A_CT_ORIGDST] = { .type = NLA_BE32 },
	[MOAT_A_CT_ORIGDST_MASK] = { .type = NLA_BE32 },
	[MOAT_A_CT_REPLSRC] = { .type = NLA_BE32 },
	[MOAT_A_CT_REPLSRC_MASK] = { .type = NLA_BE32 },
	[MOAT_A_CT_REPLDST] = { .type = NLA_BE32 },
	[MOAT_A_CT_REPLDST_MASK] = { .type = NLA_BE32 },
	[MOAT_A_CT_FLAGS] = { .type = NLA_U16 },
	[MOAT_A_CT_INV] = { .type = NLA_U16 },
	[MOAT_A_CT_DIR] = NLA_POLICY_RANGE(NLA_U8, MOAT_CT_DIR_ORIGINAL,
					   MOAT_CT_DIR_REPLY),
};

#define MOAT_CT_F_ALL (MOAT_CT_F_STATE | MOAT_CT_F_PROTO | MOAT_CT_F_ORIGSRC | \
		       MOAT_CT_F_ORIGDST | MOAT_CT_F_REPLSRC | MOAT_CT_F_REPLDST | \
		       MOAT_CT_F_STATUS | MOAT_CT_F_DIR)

static __be32 moat_get_be32(const struct nlattr *a)
{
	return a ? nla_get_be32(a) : 0;
}

static int moat_ct_parse(void *priv, struct nlattr **tb,
			 struct netlink_ext_ack *extack)
{
	struct moat_ct *ct = priv;
	int i;

	ct->state = tb[MOAT_A_CT_STATE] ? nla_get_u16(tb[MOAT_A_CT_STATE]) : 0;
	ct->status = tb[MOAT_A_CT_STATUS] ? nla_get_u32(tb[MOAT_A_CT_STATUS]) : 0;
	ct->proto = tb[MOAT_A_CT_PROTO] ? nla_get_u16(tb[MOAT_A_CT_PROTO]) : 0;
	ct->flags = tb[MOAT_A_CT_FLAGS] ? nla_get_u16(tb[MOAT_A_CT_FLAGS]) : 0;
	ct->inv = tb[MOAT_A_CT_INV] ? nla_get_u16(tb[MOAT_A_CT_INV]) : 0;
	ct->dir = tb[MOAT_A_CT_DIR] ? nla_get_u8(tb[MOAT_A_CT_DIR]) : 0;
	for (i = 0; i < 4; i++) {
		ct->mask[i] = moat_get_be32(tb[MOAT_A_CT_ORIGSRC_MASK + 2 * i]);
		/* Unmasked, as given: it is saved back that way. */
		ct->addr[i] = moat_get_be32(tb[MOAT_A_CT_ORIGSRC + 2 * i]);
	}
	/* A state is asked about by name, and there is none for 0. */
	if (!ct->flags || (ct->flags | ct->inv) & ~MOAT_CT_F_ALL ||
	    ((ct->flags & MOAT_CT_F_DIR) && !ct->dir) ||
	    ((ct->flags & MOAT_CT_F_STATE) && !ct->state)) {
		NL_SET_ERR_MSG(extack, "bad conntrack match flags");
		return -EINVAL;
	}
	return 0;
}

/* -m state has --state alone, and no SNAT or DNAT: what else it took
 * could not be saved. */
static int moat_state_parse(void *priv, struct nlattr **tb,
			    struct netlink_ext_ack *extack)
{
	const struct moat_ct *ct = priv;
	int err = moat_ct_parse(priv, tb, extack);

	if (err)
		return err;
	if (ct->flags != MOAT_CT_F_STATE || ct->inv & ~MOAT_CT_F_STATE ||
	    ct->state & (MOAT_CT_STATE_SNAT | MOAT_CT_STATE_DNAT)) {
		NL_SET_ERR_MSG(extack, "state takes states, and no SNAT or DNAT");
		return -EINVAL;
	}
	return 0;
}

static int moat_ct_check(struct net *net, void *priv, const struct moat_rule *r,
			 struct netlink_ext_ack *extack)
{
	struct moat_ct *ct = priv;
	int err = nf_ct_netns_get(net, NFPROTO_IPV4);

	if (err) {
		NL_SET_ERR_MSG(extack, "cannot enable connection tracking");
		return err;
	}
	ct->net = net;
	return 0;
}

/* The state a packet is in, as MOAT_CT_STATE_* bits. */
static u16 moat_ct_statebit(const struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	u16 bit;

	if (ctinfo == IP_CT_UNTRACKED)
		return MOAT_CT_STATE_UNTRACKED;
	if (!ct)
		return MOAT_CT_STATE_INVALID;
	switch (ctinfo % IP_CT_IS_REPLY) {
	case IP_CT_ESTABLISHED:
		bit = MOAT_CT_STATE_ESTABLISHED;
		break;
	case IP_CT_RELATED:
		bit = MOAT_CT_STATE_RELATED;
		break;
	default:
		bit = MOAT_CT_STATE_NEW;
	}
	if (ct->status & IPS_SRC_NAT)
		bit |= MOAT_CT_STATE_SNAT;
	if (ct->status & IPS_DST_NAT)
		bit |= MOAT_CT_STATE_DNAT;
	return bit;
}

/* Whether @cond, negated if the rule says so, lets the packet through. */
static bool moat_ct_ok(const struct moat_ct *m, u16 flag, bool cond)
{
	return !(m->flags & flag) || (cond ^ !!(m->inv & flag));
}

static bool moat_ct_addrs_ok(const struct moat_ct *m, const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	const struct nf_conntrack_tuple *r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	const __be32 ip[4] = { o->src.u3.ip, o->dst.u3.ip, r->src.u3.ip, r->dst.u3.ip };
	int i;

	for (i = 0; i < 4; i++)
		if (!moat_ct_ok(m, MOAT_CT_F_ORIGSRC << i,
				!((ip[i] ^ m->addr[i]) & m->mask[i])))
			return false;
	return true;
}

static bool moat_ct_match(const struct sk_buff *skb, const void *priv,
			  struct moat_pkt *pkt)
{
	const struct moat_ct *m = priv;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	u8 dir;

	if (!moat_ct_ok(m, MOAT_CT_F_STATE, m->state & moat_ct_statebit(ct, ctinfo)))
		return false;
	/* Without a connection only the state can be asked about. */
	if (!ct)
		return m->flags == MOAT_CT_F_STATE;
	dir = CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL ? MOAT_CT_DIR_ORIGINAL :
							 MOAT_CT_DIR_REPLY;
	return moat_ct_ok(m, MOAT_CT_F_DIR, dir == m->dir) &&
	       moat_ct_ok(m, MOAT_CT_F_PROTO, nf_ct_protonum(ct) == m->proto) &&
	       moat_ct_ok(m, MOAT_CT_F_STATUS, ct->status & m->status) &&
	       moat_ct_addrs_ok(m, ct);
}

static int moat_ct_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_ct *m = priv;
	int i;

	if (nla_put_u16(skb, MOAT_A_CT_STATE, m->state) ||
	    nla_put_u32(skb, MOAT_A_CT_STATUS, m->status) ||
	    nla_put_u16(skb, MOAT_A_CT_PROTO, m->proto) ||
	    nla_put_u16(skb, MOAT_A_CT_FLAGS, m->flags) ||
	    nla_put_u16(skb, MOAT_A_CT_INV, m->inv) ||
	    (m->dir && nla_put_u8(skb, MOAT_A_CT_DIR, m->dir)))
		return -EMSGSIZE;
	for (i = 0; i < 4; i++)
		if (nla_put_be32(skb, MOAT_A_CT_ORIGSRC + 2 * i, m->addr[i]) ||
		    nla_put_be32(skb, MOAT_A_CT_ORIGSRC_MASK + 2 * i, m->mask[i]))
			return -EMSGSIZE;
	return 0;
}

/* Atomic context: the reference goes back from process context. */
static void moat_ct_destroy(void *priv)
{
	struct moat_ct *ct = priv;

	if (ct->net)
		moat_ct_put_later(ct->net);
}

const struct moat_match_type moat_match_state = {
	.name = "state",
	.policy = moat_ct_policy,
	.maxattr = MOAT_A_CT_MAX,
	.size = sizeof(struct moat_ct),
	.cmp_size = offsetof(struct moat_ct, net),
	.parse = moat_state_parse,
	.check = moat_ct_check,
	.match = moat_ct_match,
	.dump = moat_ct_dump,
	.destroy = moat_ct_destroy,
};

const struct moat_match_type moat_match_conntrack = {
	.name = "conntrack",
	.policy = moat_ct_policy,
	.maxattr = MOAT_A_CT_MAX,
	.size = sizeof(struct moat_ct),
	.cmp_size = offsetof(struct moat_ct, net),
	.parse = moat_ct_parse,
	.check = moat_ct_check,
	.match = moat_ct_match,
	.dump = moat_ct_dump,
	.destroy = moat_ct_destroy,
};
