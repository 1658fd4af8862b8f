// SPDX-License-Identifier: GPL-2.0
/*
 * moat: packet and connection marks: the MARK and CONNMARK targets and the
 * "connmark" match.  A connection's mark lives in its nf_conntrack entry,
 * so CONNMARK and connmark hold the namespace's conntrack while they exist.
 */
#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include "moat.h"

/* --- MARK: mark = (mark & ~mask) ^ value --------------------------------- */

struct moat_mark_target {
	u32 value, mask;
};

static const struct nla_policy moat_mark_t_policy[MOAT_A_MARK_T_MAX + 1] = {
	[MOAT_A_MARK_T_VALUE] = { .type = NLA_U32 },
	[MOAT_A_MARK_T_MASK] = { .type = NLA_U32 },
};

static int moat_mark_t_parse(struct net *net, void *priv, struct nlattr **tb,
			     const struct moat_rule *r,
			     struct netlink_ext_ack *extack)
{
	struct moat_mark_target *mt = priv;

	if (!tb[MOAT_A_MARK_T_VALUE] || !tb[MOAT_A_MARK_T_MASK]) {
		NL_SET_ERR_MSG(extack, "MARK needs a value and a mask");
		return -EINVAL;
	}
	mt->value = nla_get_u32(tb[MOAT_A_MARK_T_VALUE]);
	mt->mask = nla_get_u32(tb[MOAT_A_MARK_T_MASK]);
	return 0;
}

static unsigned int moat_mark_t_target(struct sk_buff *skb, const void *priv,
				       const struct moat_pkt *pkt)
{
	const struct moat_mark_target *mt = priv;

	skb->mark = (skb->mark & ~mt->mask) ^ mt->value;
	return MOAT_CONTINUE;
}

static int moat_mark_t_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_mark_target *mt = priv;

	if (nla_put_u32(skb, MOAT_A_MARK_T_VALUE, mt->value) ||
	    nla_put_u32(skb, MOAT_A_MARK_T_MASK, mt->mask))
		return -EMSGSIZE;
	return 0;
}

const struct moat_target_type moat_target_mark = {
	.name = "MARK",
	.policy = moat_mark_t_policy,
	.maxattr = MOAT_A_MARK_T_MAX,
	.size = sizeof(struct moat_mark_target),
	.parse = moat_mark_t_parse,
	.target = moat_mark_t_target,
	.dump = moat_mark_t_dump,
};

/* --- conntrack references shared by CONNMARK and connmark ---------------- */

static int moat_ct_hold(struct net *net, struct net **holder,
			struct netlink_ext_ack *extack)
{
	int err = nf_ct_netns_get(net, NFPROTO_IPV4);

	if (err) {
		NL_SET_ERR_MSG(extack, "cannot enable connection tracking");
		return err;
	}
	*holder = net;
	return 0;
}

static void moat_ct_release(struct net *holder)
{
	if (holder)
		moat_ct_put_later(holder);
}

/* --- CONNMARK: set, save or restore a connection's mark ------------------ */

struct moat_connmark {
	u32 ctmark, ctmask, nfmask;
	u8 mode, shift_dir, shift_bits;
	struct net *net;	/* whose conntrack reference this rule holds */
};

static const struct nla_policy moat_connmark_policy[MOAT_A_CONNMARK_MAX + 1] = {
	[MOAT_A_CONNMARK_MODE] = NLA_POLICY_MAX(NLA_U8, MOAT_CONNMARK_RESTORE),
	[MOAT_A_CONNMARK_CTMARK] = { .type = NLA_U32 },
	[MOAT_A_CONNMARK_CTMASK] = { .type = NLA_U32 },
	[MOAT_A_CONNMARK_NFMASK] = { .type = NLA_U32 },
	[MOAT_A_CONNMARK_SHIFT_DIR] = NLA_POLICY_MAX(NLA_U8, MOAT_CONNMARK_SHIFT_RIGHT),
	[MOAT_A_CONNMARK_SHIFT_BITS] = { .type = NLA_U8 },
};

static u32 moat_attr_u32_or(const struct nlattr *a, u32 dflt)
{
	return a ? nla_get_u32(a) : dflt;
}

static u8 moat_attr_u8_or(const struct nlattr *a, u8 dflt)
{
	return a ? nla_get_u8(a) : dflt;
}

static int moat_connmark_parse(struct net *net, void *priv, struct nlattr **tb,
			       const struct moat_rule *r,
			       struct netlink_ext_ack *extack)
{
	struct moat_connmark *cm = priv;

	if (!tb[MOAT_A_CONNMARK_MODE]) {
		NL_SET_ERR_MSG(extack, "CONNMARK needs a mode");
		return -EINVAL;
	}
	cm->mode = nla_get_u8(tb[MOAT_A_CONNMARK_MODE]);
	cm->ctmark = moat_attr_u32_or(tb[MOAT_A_CONNMARK_CTMARK], 0);
	cm->ctmask = moat_attr_u32_or(tb[MOAT_A_CONNMARK_CTMASK], ~0u);
	cm->nfmask = moat_attr_u32_or(tb[MOAT_A_CONNMARK_NFMASK], ~0u);
	cm->shift_dir = moat_attr_u8_or(tb[MOAT_A_CONNMARK_SHIFT_DIR], 0);
	cm->shift_bits = moat_attr_u8_or(tb[MOAT_A_CONNMARK_SHIFT_BITS], 0);
	if (cm->shift_bits > 31) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_CONNMARK_SHIFT_BITS],
				    "CONNMARK shifts by at most 31 bits");
		return -EINVAL;
	}
	return moat_ct_hold(net, &cm->net, extack);
}

static u32 moat_connmark_shift(const struct moat_connmark *cm, u32 v)
{
	return cm->shift_dir == MOAT_CONNMARK_SHIFT_RIGHT ? v >> cm->shift_bits :
							    v << cm->shift_bits;
}

static void moat_ct_mark_set(struct nf_conn *ct, u32 mark)
{
	if (READ_ONCE(ct->mark) == mark)
		return;
	WRITE_ONCE(ct->mark, mark);
	nf_conntrack_event_cache(IPCT_MARK, ct);
}

static unsigned int moat_connmark_target(struct sk_buff *skb, const void *priv,
					 const struct moat_pkt *pkt)
{
	const struct moat_connmark *cm = priv;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	u32 ctmark;

	if (!ct)
		return MOAT_CONTINUE;
	ctmark = READ_ONCE(ct->mark);
	switch (cm->mode) {
	case MOAT_CONNMARK_SET:
		/* As iptables: the shift applies to the result. */
		moat_ct_mark_set(ct, moat_connmark_shift(cm,
				 (ctmark & ~cm->ctmask) ^ cm->ctmark));
		break;
	case MOAT_CONNMARK_SAVE:
		moat_ct_mark_set(ct, (ctmark & ~cm->ctmask) ^
				 moat_connmark_shift(cm, skb->mark & cm->nfmask));
		break;
	case MOAT_CONNMARK_RESTORE:
		skb->mark = (skb->mark & ~cm->nfmask) ^
			    moat_connmark_shift(cm, ctmark & cm->ctmask);
		break;
	}
	return MOAT_CONTINUE;
}

static int moat_connmark_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_connmark *cm = priv;

	if (nla_put_u8(skb, MOAT_A_CONNMARK_MODE, cm->mode) ||
	    nla_put_u32(skb, MOAT_A_CONNMARK_CTMARK, cm->ctmark) ||
	    nla_put_u32(skb, MOAT_A_CONNMARK_CTMASK, cm->ctmask) ||
	    nla_put_u32(skb, MOAT_A_CONNMARK_NFMASK, cm->nfmask) ||
	    nla_put_u8(skb, MOAT_A_CONNMARK_SHIFT_DIR, cm->shift_dir) ||
	    nla_put_u8(skb, MOAT_A_CONNMARK_SHIFT_BITS, cm->shift_bits))
		return -EMSGSIZE;
	return 0;
}

static void moat_connmark_destroy(void *priv)
{
	moat_ct_release(((struct moat_connmark *)priv)->net);
}

const struct moat_target_type moat_target_connmark = {
	.name = "CONNMARK",
	.policy = moat_connmark_policy,
	.maxattr = MOAT_A_CONNMARK_MAX,
	.size = sizeof(struct moat_connmark),
	.parse = moat_connmark_parse,
	.target = moat_connmark_target,
	.dump = moat_connmark_dump,
	.destroy = moat_connmark_destroy,
};

/* --- connmark match: (ctmark & mask) == value ---------------------------- */

struct moat_connmark_m {
	u32 value, mask;
	bool inv;
	struct net *net;	/* whose conntrack reference this rule holds */
};

static const struct nla_policy moat_connmark_m_policy[MOAT_A_MARK_MAX + 1] = {
	[MOAT_A_MARK_VALUE] = { .type = NLA_U32 },
	[MOAT_A_MARK_MASK] = { .type = NLA_U32 },
	[MOAT_A_MARK_INV] = { .type = NLA_FLAG },
};

static int moat_connmark_m_parse(void *priv, struct nlattr **tb,
				 struct netlink_ext_ack *extack)
{
	struct moat_connmark_m *m = priv;

	m->value = moat_attr_u32_or(tb[MOAT_A_MARK_VALUE], 0);
	m->mask = moat_attr_u32_or(tb[MOAT_A_MARK_MASK], ~0u);
	m->inv = nla_get_flag(tb[MOAT_A_MARK_INV]);
	return 0;
}

static int moat_connmark_m_check(struct net *net, void *priv,
				 const struct moat_rule *r,
				 struct netlink_ext_ack *extack)
{
	return moat_ct_hold(net, &((struct moat_connmark_m *)priv)->net, extack);
}

static bool moat_connmark_m_match(const struct sk_buff *skb, const void *priv,
				  struct moat_pkt *pkt)
{
	const struct moat_connmark_m *m = priv;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (!ct)
		return false;
	return ((READ_ONCE(ct->mark) & m->mask) == m->value) ^ m->inv;
}

static int moat_connmark_m_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_connmark_m *m = priv;

	if (nla_put_u32(skb, MOAT_A_MARK_VALUE, m->value) ||
	    nla_put_u32(skb, MOAT_A_MARK_MASK, m->mask) ||
	    (m->inv && nla_put_flag(skb, MOAT_A_MARK_INV)))
		return -EMSGSIZE;
	return 0;
}

static void moat_connmark_m_destroy(void *priv)
{
	moat_ct_release(((struct moat_connmark_m *)priv)->net);
}

const struct moat_match_type moat_match_connmark = {
	.name = "connmark",
	.policy = moat_connmark_m_policy,
	.maxattr = MOAT_A_MARK_MAX,
	.size = sizeof(struct moat_connmark_m),
	.cmp_size = offsetof(struct moat_connmark_m, net),
	.parse = moat_connmark_m_parse,
	.check = moat_connmark_m_check,
	.match = moat_connmark_m_match,
	.dump = moat_connmark_m_dump,
	.destroy = moat_connmark_m_destroy,
};
